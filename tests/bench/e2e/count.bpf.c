// SPDX-License-Identifier: GPL-2.0
/* Receiver for the end-to-end benchmark, on each backend's veth: counts every
 * IPv4 frame (plain UDP, or IPIP from evenflow: no parsing past Ethernet, so
 * every mode is counted the same way) per CPU and drops it. Everything else
 * (ARP, IPv6 neighbour discovery) passes. Being an XDP program, it also gives
 * the veth the NAPI that a redirect into its peer needs.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Frames counted and dropped, per CPU; read by run.sh before and after a round. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} efb_counts SEC(".maps");

SEC("xdp")
int efb_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 zero = 0;
	__u64 *n;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	n = bpf_map_lookup_elem(&efb_counts, &zero);
	if (n)
		*n += 1;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
