/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * encap.h: build the frame that leaves toward the backend.
 *
 * ipip: the frame is grown in front so that a fresh Ethernet header and an
 * outer IPv4 or IPv6 header precede the client's IP packet, unchanged. VLAN
 * tags of the received frame are not carried over (the egress device is the
 * one the FIB names). l2: only the MAC addresses change.
 */
#ifndef EF_ENCAP_H
#define EF_ENCAP_H

#include "parse.h"
#include "csum.h"

#define EF_ETH_LEN  ((int)sizeof(struct ethhdr))
#define EF_IPV4_LEN ((int)sizeof(struct iphdr))
#define EF_IPV6_LEN ((int)sizeof(struct ipv6hdr))

/* What the outer header needs to know. */
struct ef_outer {
	struct ef_addr src;
	struct ef_addr dst;
	__u8 family;	 /* of the outer header: the backend's */
	__u32 flow_hash; /* IPv6 flow label entropy */
};

/* Grow the frame and write Ethernet + outer IP in front of the inner packet,
 * which starts at p->l3_off. MACs are left for the caller. Returns 0 or -1. */
static __always_inline int ef_encap(struct xdp_md *ctx, const struct ef_pkt *p,
				    const struct ef_outer *o)
{
	int outer_len = o->family == EF_FAMILY_V4 ? EF_IPV4_LEN : EF_IPV6_LEN;
	__u8 inner_proto = p->key.family == EF_FAMILY_V4 ? IPPROTO_IPIP : IPPROTO_IPV6;
	void *data, *end;
	struct ethhdr *eth;
	int grow;

	/* The IP header follows Ethernet and at most two VLAN tags. */
	if (p->l3_off > EF_ETH_LEN + 2 * (int)sizeof(struct ef_vlan_hdr))
		return -1;
	grow = EF_ETH_LEN + outer_len - p->l3_off;
	if (bpf_xdp_adjust_head(ctx, -grow))
		return -1;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;

	if (o->family == EF_FAMILY_V4) {
		struct iphdr *ip = data + EF_ETH_LEN;

		if ((void *)(ip + 1) > end)
			return -1;
		eth->h_proto = bpf_htons(ETH_P_IP);
		ip->version = 4;
		ip->ihl = 5;
		ip->tos = p->tos;
		ip->tot_len = bpf_htons(p->l3_len + EF_IPV4_LEN);
		ip->id = 0;
		ip->frag_off = p->df;
		ip->ttl = EF_ENCAP_TTL;
		ip->protocol = inner_proto;
		ip->check = 0;
		ip->saddr = o->src.a32[0];
		ip->daddr = o->dst.a32[0];
		ip->check = ef_ipv4_csum(ip);
	} else {
		struct ipv6hdr *ip6 = data + EF_ETH_LEN;

		if ((void *)(ip6 + 1) > end)
			return -1;
		eth->h_proto = bpf_htons(ETH_P_IPV6);
		ip6->version = 6;
		ip6->priority = p->tos >> 4;
		ip6->flow_lbl[0] = (p->tos << 4) | ((o->flow_hash >> 16) & 0x0f);
		ip6->flow_lbl[1] = o->flow_hash >> 8;
		ip6->flow_lbl[2] = o->flow_hash;
		ip6->payload_len = bpf_htons(p->l3_len);
		ip6->nexthdr = inner_proto;
		ip6->hop_limit = EF_ENCAP_TTL;
		__builtin_memcpy(&ip6->saddr, &o->src, sizeof(o->src));
		__builtin_memcpy(&ip6->daddr, &o->dst, sizeof(o->dst));
	}
	return 0;
}

/* Write the MAC addresses of the frame now at ctx->data. Returns 0 or -1. */
static __always_inline int ef_set_macs(struct xdp_md *ctx, const __u8 *dst, const __u8 *src)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return -1;
	__builtin_memcpy(eth->h_dest, dst, ETH_ALEN);
	__builtin_memcpy(eth->h_source, src, ETH_ALEN);
	return 0;
}

#endif /* EF_ENCAP_H */
