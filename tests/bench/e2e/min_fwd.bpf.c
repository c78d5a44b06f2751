// SPDX-License-Identifier: GPL-2.0
/* The ceiling for the end-to-end benchmark: the least an XDP load balancer
 * does. Parse Ethernet, IPv4 and UDP/TCP ports, hash the 5-tuple, take
 * backend hash mod N, rewrite the MACs from a small map and redirect through
 * a devmap. No VIP lookup, no connection table, no encapsulation, no
 * counters. run.sh fills the maps before attaching.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define FWD_MAX 16

struct fwd_hop {
	__u8 dmac[ETH_ALEN]; /* the backend's MAC */
	__u8 smac[ETH_ALEN]; /* the LB's MAC on the link to it */
};

/* Key 0: the number of backends N (1..FWD_MAX). Written by run.sh. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} efb_fwd_n SEC(".maps");

/* Backend i: the MACs to write. Written by run.sh. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FWD_MAX);
	__type(key, __u32);
	__type(value, struct fwd_hop);
} efb_fwd_hops SEC(".maps");

/* Backend i: the LB's device toward it. Written by run.sh. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, FWD_MAX);
	__type(key, __u32);
	__type(value, __u32);
} efb_fwd_ports SEC(".maps");

SEC("xdp")
int efb_min_fwd(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct fwd_hop *hop;
	__u32 zero = 0, *n, h, idx;
	__be16 *ports;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->ihl < 5 || (ip->protocol != IPPROTO_UDP && ip->protocol != IPPROTO_TCP))
		return XDP_PASS;
	ports = (void *)ip + ip->ihl * 4;
	if ((void *)(ports + 2) > data_end)
		return XDP_PASS;

	n = bpf_map_lookup_elem(&efb_fwd_n, &zero);
	if (!n || *n == 0 || *n > FWD_MAX)
		return XDP_PASS;
	/* A multiplicative mix of the 5-tuple: enough to spread flows. */
	h = ip->saddr ^ ip->daddr ^ ((__u32)ports[0] << 16 | ports[1]) ^ ip->protocol;
	h *= 0x9e3779b1;
	h ^= h >> 16;
	idx = h % *n;

	hop = bpf_map_lookup_elem(&efb_fwd_hops, &idx);
	if (!hop)
		return XDP_PASS;
	__builtin_memcpy(eth->h_dest, hop->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, hop->smac, ETH_ALEN);
	return bpf_redirect_map(&efb_fwd_ports, idx, XDP_DROP);
}

char LICENSE[] SEC("license") = "GPL";
