// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench.bpf.c: the programs `prog_bench` measures beside evenflow_lb.
 *
 * With `repeat`, BPF_PROG_TEST_RUN runs a program again on the buffer the
 * previous run rewrote (after one encapsulation, the LB would see its own
 * output). bench_wrap therefore restores the original frame before every run
 * and tail-calls the program under test. Its own cost is measured the same
 * way, with bench_grow as the target: that grows the frame as the case under
 * test does (restoring it is part of the wrapper's work), and is then run
 * alone to add back what it costs itself.
 */
#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "lib/encap.h"

/* Every bench frame is this long (padding inside the IP packet). */
#define BENCH_FRAME 128

/* The program under test (slot 0). Written by prog_bench. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bench_target SEC(".maps");

/* The frame each run starts from. Written by prog_bench. */
__u8 bench_frame[BENCH_FRAME];
/* When non-zero, run k gets IPv4 source 10.64.0.0 + bench_src_first +
 * (k % bench_flows): a different flow every run, cycling over bench_flows
 * flows (bench_src_first moves a flood's sources to ones never seen). */
__u32 bench_flows;
__u32 bench_src_first;
/* Runs so far (drives the flow rotation). */
__u32 bench_runs;

SEC("xdp")
int bench_wrap(struct xdp_md *ctx)
{
	int len = ctx->data_end - ctx->data;

	if (len != BENCH_FRAME && bpf_xdp_adjust_head(ctx, len - BENCH_FRAME))
		return XDP_ABORTED;
	if (bpf_xdp_store_bytes(ctx, 0, bench_frame, BENCH_FRAME))
		return XDP_ABORTED;
	if (bench_flows) {
		__u32 src = bpf_htonl(0x0a400000 + bench_src_first + bench_runs++ % bench_flows);

		/* IPv4 source address: Ethernet 14 + 12 */
		if (bpf_xdp_store_bytes(ctx, 26, &src, sizeof(src)))
			return XDP_ABORTED;
	}
	bpf_tail_call(ctx, &bench_target, 0);
	return XDP_ABORTED;
}

/* Bytes bench_grow adds in front of a BENCH_FRAME-byte frame. Written by
 * prog_bench. */
__u32 bench_grow_by;

/* The wrapper's stand-in target: grows a BENCH_FRAME-byte frame by
 * bench_grow_by bytes and shrinks any other back, so that run alone with
 * `repeat` it makes one bpf_xdp_adjust_head() call per run, like behind the
 * wrapper. */
SEC("xdp")
int bench_grow(struct xdp_md *ctx)
{
	int len = ctx->data_end - ctx->data;
	int delta = len == BENCH_FRAME ? -(int)bench_grow_by : (int)bench_grow_by;

	if (bpf_xdp_adjust_head(ctx, delta))
		return XDP_ABORTED;
	return XDP_TX;
}

/* The floor under the 1M-flow case: the latency of one read of a random
 * 64-byte line in a table as large as that case's connection table (its
 * entries are set by prog_bench). Each read's address depends on the one
 * before: in the LB, a packet's bucket read comes some hundreds of
 * instructions after the previous packet's, too late to overlap with it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[8]);
} bench_lines SEC(".maps");
/* bench_lines' entries minus one (a power of two); the sum of what was read. */
__u32 bench_line_mask;
__u64 bench_line_sum;

SEC("xdp")
int bench_line_read(struct xdp_md *ctx)
{
	__u64 x = bench_runs++;
	__u32 idx;
	__u64 *line;

	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	idx = (x ^ bench_line_sum) & bench_line_mask;
	line = bpf_map_lookup_elem(&bench_lines, &idx);
	if (line)
		bench_line_sum += line[0];
	return XDP_PASS;
}

/* Baseline: the cheapest program. */
SEC("xdp")
int bench_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* Baseline: the least a forwarder does: parse Ethernet and IPv4, swap the
 * MACs, send the frame back. */
SEC("xdp")
int bench_min_tx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u8 *eth = data, tmp[6];

	if (data + 14 + 20 > end)
		return XDP_DROP;
	if (*(__u16 *)(eth + 12) != bpf_htons(0x0800) || (eth[14] >> 4) != 4)
		return XDP_PASS;
	__builtin_memcpy(tmp, eth, 6);
	__builtin_memcpy(eth, eth + 6, 6);
	__builtin_memcpy(eth + 6, tmp, 6);
	return XDP_TX;
}

/* The frame head bench_min_encap writes: Ethernet and an outer IPv4 header
 * whose length and checksum are zero, and the one's-complement sum of that
 * header (not folded). Written by prog_bench. */
__u64 bench_encap_head[5];
__u32 bench_encap_sum;

/* Reference: the least an IPIP load balancer does to a packet of a flow it
 * already knows where to send: check Ethernet and IPv4, grow the frame by an
 * outer IPv4 header, write a prebuilt head with its length and checksum
 * completed, send it back (with the LB's own head copy and checksum fold,
 * lib/encap.h). No flow hash, backend choice, connection table,
 * next-hop check or counters. */
SEC("xdp")
int bench_min_encap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct iphdr *ip;
	__u16 inner_len;

	if (data + 14 + 20 > end)
		return XDP_DROP;
	if (*(__u16 *)(data + 12) != bpf_htons(0x0800) || (*(__u8 *)(data + 14) >> 4) != 4)
		return XDP_PASS;
	inner_len = bpf_ntohs(*(__u16 *)(data + 16));
	if (bpf_xdp_adjust_head(ctx, -20))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	ip = data + 14;
	if ((void *)(ip + 1) > (void *)(long)ctx->data_end)
		return XDP_DROP;
	ef_copy_head(data, (const __u8 *)bench_encap_head, 14 + 20);
	ip->tot_len = bpf_htons(inner_len + 20);
	ip->check = ef_csum_fold(bench_encap_sum + ip->tot_len);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
