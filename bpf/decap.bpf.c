// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * decap.bpf.c: the backend-side XDP program.
 *
 * Strips the outer IPv4 or IPv6 header of IPIP, IP6IP6 and IPv4-in-IPv6
 * packets whose inner destination is an address of this host (the VIP on
 * loopback), and passes the inner packet to the kernel. Everything else
 * passes untouched. The backend then needs no ipip module and no tunnel
 * device: only the VIP on loopback.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lib/parse.h"
#include "evenflow.h"

/* Addresses of this host (port 0, proto 0) it decapsulates for. Written by
 * `evenflow decap attach` from the host's addresses. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct ef_vip_key);
	__type(value, __u8);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} evenflow_decap_addrs SEC(".maps");

/* Verdict counters, indexed by enum ef_decap_verdict. Written here. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EF_DV_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} evenflow_decap_verdicts SEC(".maps");

static __always_inline int ef_decap_verdict(enum ef_decap_verdict reason)
{
	__u32 key = reason;
	__u64 *count = bpf_map_lookup_elem(&evenflow_decap_verdicts, &key);

	if (count)
		*count += 1;
	return XDP_PASS;
}

/* The outer header: its length, and the inner family it announces (0: not a tunnel). */
static __always_inline int ef_outer(struct ef_cursor *c, int eth_proto, __u8 *inner_family)
{
	__u8 proto;

	*inner_family = 0;
	if (eth_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = c->pos;

		if ((void *)(ip + 1) > c->end)
			return EF_PARSE_TRUNCATED;
		if (ip->version != 4 || ip->ihl < 5)
			return EF_PARSE_INVALID;
		if (ip->frag_off & bpf_htons(EF_IP_MF | EF_IP_OFFSET))
			return 0; /* a fragment of a tunnel packet: the kernel's job */
		proto = ip->protocol;
		c->pos += ip->ihl * 4;
	} else {
		struct ipv6hdr *ip6 = c->pos;

		if ((void *)(ip6 + 1) > c->end)
			return EF_PARSE_TRUNCATED;
		proto = ip6->nexthdr;
		c->pos = ip6 + 1;
	}
	if (proto == IPPROTO_IPIP)
		*inner_family = EF_FAMILY_V4;
	else if (proto == IPPROTO_IPV6)
		*inner_family = EF_FAMILY_V6;
	return 0;
}

SEC("xdp")
int evenflow_decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	struct ef_cursor c = {.pos = data, .end = (void *)(long)ctx->data_end};
	struct ef_vip_key local = {};
	struct ethhdr eth_copy, *eth = data;
	__u8 inner_family;
	int proto, strip;
	__u16 vid;

	proto = ef_parse_eth(&c, &vid);
	if (proto < 0)
		return ef_decap_verdict(EF_DV_PASS_MALFORMED);
	if (proto != bpf_htons(ETH_P_IP) && proto != bpf_htons(ETH_P_IPV6))
		return ef_decap_verdict(EF_DV_PASS_NOT_IP);
	if (ef_outer(&c, proto, &inner_family) < 0)
		return ef_decap_verdict(EF_DV_PASS_MALFORMED);
	if (!inner_family)
		return ef_decap_verdict(EF_DV_PASS_NOT_TUNNEL);

	/* The inner header must be whole and for an address of this host. */
	local.family = inner_family;
	if (inner_family == EF_FAMILY_V4) {
		struct iphdr *ip = c.pos;

		if ((void *)(ip + 1) > c.end || ip->version != 4)
			return ef_decap_verdict(EF_DV_PASS_MALFORMED);
		local.addr.a32[0] = ip->daddr;
	} else {
		struct ipv6hdr *ip6 = c.pos;

		if ((void *)(ip6 + 1) > c.end || ip6->version != 6)
			return ef_decap_verdict(EF_DV_PASS_MALFORMED);
		__builtin_memcpy(&local.addr, &ip6->daddr, sizeof(local.addr));
	}
	if (!bpf_map_lookup_elem(&evenflow_decap_addrs, &local))
		return ef_decap_verdict(EF_DV_PASS_NOT_LOCAL_VIP);

	/* Move the MACs in front of the inner header, then drop what precedes. */
	if ((void *)(eth + 1) > c.end)
		return ef_decap_verdict(EF_DV_PASS_MALFORMED);
	__builtin_memcpy(&eth_copy, eth, sizeof(eth_copy));
	eth_copy.h_proto = bpf_htons(inner_family == EF_FAMILY_V4 ? ETH_P_IP : ETH_P_IPV6);
	strip = c.pos - data - (int)sizeof(struct ethhdr);
	if (strip <= 0 || strip > 512 || bpf_xdp_adjust_head(ctx, strip))
		return ef_decap_verdict(EF_DV_PASS_MALFORMED);
	data = (void *)(long)ctx->data;
	eth = data;
	if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
		return XDP_DROP; /* cannot happen: the inner header follows */
	__builtin_memcpy(eth, &eth_copy, sizeof(*eth));
	return ef_decap_verdict(EF_DV_DECAP);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
