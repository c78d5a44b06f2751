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

/* Copy n bytes (a constant) from an 8-byte aligned map value into the
 * packet in 8-, 4- and 2-byte words. clang expands __builtin_memcpy into
 * packet memory, whose alignment it cannot know, byte by byte (a 34-byte head
 * took 68 instructions); x86-64 and arm64 do unaligned word accesses, and the
 * verifier allows them there. */
static __always_inline void ef_copy_head(void *dst, const __u8 *src, const int n)
{
	int i = 0;

#pragma unroll
	for (; i + 8 <= n; i += 8)
		*(__u64 *)(dst + i) = *(const __u64 *)(src + i);
	if (i + 4 <= n) {
		*(__u32 *)(dst + i) = *(const __u32 *)(src + i);
		i += 4;
	}
	if (i + 2 <= n)
		*(__u16 *)(dst + i) = *(const __u16 *)(src + i);
}

/* Build a backend's frame head in its next-hop cache entry: Ethernet from
 * the FIB's answer and, for ipip, the outer header toward the backend from
 * src (inner_family says what it carries) with the per-packet fields zero. */
static __always_inline void ef_head_build(struct ef_nexthop *nh, const __u8 *dmac, const __u8 *smac,
					  const struct ef_backend *be, const struct ef_addr *src,
					  __u8 inner_family, int ipip)
{
	struct ethhdr *eth = (void *)nh->head;
	__u8 inner_proto = inner_family == EF_FAMILY_V4 ? IPPROTO_IPIP : IPPROTO_IPV6;

	__builtin_memset(nh->head, 0, sizeof(nh->head));
	__builtin_memcpy(eth->h_dest, dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, smac, ETH_ALEN);
	nh->outer_len = 0;
	nh->head_csum = 0;
	if (!ipip)
		return;
	if (be->family == EF_FAMILY_V4) {
		struct iphdr *ip = (void *)(nh->head + EF_ETH_LEN);

		eth->h_proto = bpf_htons(ETH_P_IP);
		ip->version = 4;
		ip->ihl = 5;
		ip->ttl = EF_ENCAP_TTL;
		ip->protocol = inner_proto;
		ip->saddr = src->a32[0];
		ip->daddr = be->addr.a32[0];
		nh->head_csum = ef_ipv4_sum(ip);
		nh->outer_len = EF_IPV4_LEN;
	} else {
		struct ipv6hdr *ip6 = (void *)(nh->head + EF_ETH_LEN);

		eth->h_proto = bpf_htons(ETH_P_IPV6);
		ip6->version = 6;
		ip6->nexthdr = inner_proto;
		ip6->hop_limit = EF_ENCAP_TTL;
		__builtin_memcpy(&ip6->saddr, src, sizeof(*src));
		__builtin_memcpy(&ip6->daddr, &be->addr, sizeof(be->addr));
		nh->outer_len = EF_IPV6_LEN;
	}
}

/* Grow the frame and write the cached head (Ethernet + outer IP) in front of
 * the inner packet (l3_len bytes at l3_off), then the per-packet fields from
 * the inner header: IPv4 TOS, DF (as in frag_off), length and checksum (from
 * the cached sum); IPv6 traffic class (tos), flow label (flow_hash) and
 * payload length. Returns 0 or -1. */
static __always_inline int ef_encap(struct xdp_md *ctx, const struct ef_nexthop *nh, __u16 l3_off,
				    __u16 l3_len, __u8 tos, __be16 df, __u32 flow_hash)
{
	int grow, v4 = nh->outer_len == EF_IPV4_LEN;
	void *data, *end;

	/* The IP header follows Ethernet and at most two VLAN tags. */
	if (l3_off > EF_ETH_LEN + 2 * (int)sizeof(struct ef_vlan_hdr))
		return -1;
	grow = EF_ETH_LEN + (v4 ? EF_IPV4_LEN : EF_IPV6_LEN) - l3_off;
	if (bpf_xdp_adjust_head(ctx, -grow))
		return -1;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;

	if (v4) {
		struct iphdr *ip = data + EF_ETH_LEN;

		if ((void *)(ip + 1) > end)
			return -1;
		ef_copy_head(data, nh->head, EF_ETH_LEN + EF_IPV4_LEN);
		ip->tos = tos;
		ip->tot_len = bpf_htons(l3_len + EF_IPV4_LEN);
		ip->frag_off = df;
		ip->check = ef_csum_fold(nh->head_csum + bpf_htons(tos) + ip->tot_len + df);
	} else {
		struct ipv6hdr *ip6 = data + EF_ETH_LEN;
		__be32 first = bpf_htonl(0x60000000U | (__u32)tos << 20 | (flow_hash & 0xfffff));

		if ((void *)(ip6 + 1) > end)
			return -1;
		ef_copy_head(data, nh->head, EF_ETH_LEN + EF_IPV6_LEN);
		__builtin_memcpy(ip6, &first, sizeof(first));
		ip6->payload_len = bpf_htons(l3_len);
	}
	return 0;
}

/* Write the MAC addresses of the frame now at ctx->data from `macs`
 * (destination, then source, as they start a cached head). Returns 0 or -1. */
static __always_inline int ef_set_macs(struct xdp_md *ctx, const __u8 *macs)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (data + EF_ETH_LEN > end)
		return -1;
	ef_copy_head(data, macs, 2 * ETH_ALEN);
	return 0;
}

#endif /* EF_ENCAP_H */
