/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fastpath.h: a packet of an established flow, in one pass.
 *
 * Most packets a load balancer forwards belong to flows it already tracks,
 * and many of the others are not for it at all. ef_fast_path() takes exactly
 * those two kinds, for IPv4 without VLAN tags or options and IPv6 without
 * VLAN tags or extension headers: a packet whose destination the VIP filter
 * rules out is passed; a TCP (not SYN, not RST) or UDP packet whose flow's
 * entry names a backend that may still carry it, of the VIP the packet is
 * for, in ipip mode toward a backend of the packet's family whose next hop
 * this CPU has cached and that the packet fits, is sent. It decides with a
 * few scalars where the general path fills its structs for every case.
 *
 * For any other packet it returns EF_FAST_MISS having changed nothing, and
 * the general path (lb.bpf.c) takes the packet from the start: the outcome
 * is the one the general path alone gives, verdict counter included. The
 * packet tests run every case through both.
 */
#ifndef EF_FASTPATH_H
#define EF_FASTPATH_H

#include "forward.h"
#include "select.h"
#include "stats.h"
#include "vip_lookup.h"

#define EF_FAST_MISS -1

/* Zero turns the fast path off (set at load: the packet tests run every case
 * with it on and off and expect the same). */
const volatile __u8 ef_fast_path_on = 1;

/* The backend of the flow with this hash, if the flow is in the connection
 * table (and has not idled out), its backend (of the packet's family, in ipip
 * mode) may still carry it, and its VIP (whose key the backend's entry holds)
 * is the packet's (daddr: its words in the packet; proto, dport). */
static __always_inline struct ef_backend *ef_fast_flow(__u32 gen, __u32 hash, __u32 fp, __u8 family,
						       const __be32 *daddr, __u8 proto,
						       __be16 dport, __u64 **way, __u64 *entry,
						       __u32 *id)
{
	struct ef_ct_bucket *bucket = ef_ct_bucket_of(hash);
	struct ef_backend *be;
	__u32 key, rest;
	__u64 e;
	int i;

	if (!bucket)
		return NULL;
#pragma unroll
	for (i = 0; i < EF_CT_WAYS; i++) {
		e = bucket->way[i];
		if (ef_ct_is(e, fp))
			goto found;
	}
	return NULL;
found:
	*id = ef_ct_id(e);
	key = ef_gen_backend(gen, *id);
	be = bpf_map_lookup_elem(&evenflow_backends, &key);
	if (!be || !ef_ct_gen_ok(e, be->gen) ||
	    (be->state != EF_BE_UP && be->state != EF_BE_DRAIN) || be->family != family ||
	    be->forward != EF_FWD_IPIP || be->vip.family != family || be->vip.proto != proto ||
	    (be->vip.port && be->vip.port != dport) || be->vip.addr.a32[0] != daddr[0])
		return NULL;
	/* the other address words: zero in an IPv4 key */
	if (family == EF_FAMILY_V4)
		rest = be->vip.addr.a32[1] | be->vip.addr.a32[2] | be->vip.addr.a32[3];
	else
		rest = (be->vip.addr.a32[1] ^ daddr[1]) | (be->vip.addr.a32[2] ^ daddr[2]) |
		       (be->vip.addr.a32[3] ^ daddr[3]);
	if (rest || ef_ct_idle(e, proto))
		return NULL;
	*way = &bucket->way[i];
	*entry = e;
	return be;
}

/* The TCP (neither a SYN nor a RST) or UDP header at l4: its ports as one
 * word (wire order) and its destination port. Returns 0 or EF_FAST_MISS. */
static __always_inline int ef_fast_l4(void *l4, void *end, __u8 proto, __u32 *ports, __be16 *dport)
{
	if (proto == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;
		__u8 flags;

		if ((void *)(tcp + 1) > end || tcp->doff < 5 || l4 + tcp->doff * 4 > end)
			return EF_FAST_MISS;
		flags = ((__u8 *)tcp)[13];
		if ((flags & (EF_TCP_SYN | EF_TCP_ACK)) == EF_TCP_SYN || (flags & EF_TCP_RST))
			return EF_FAST_MISS;
		*ports = *(__u32 *)tcp;
		*dport = tcp->dest;
		return 0;
	}
	if (proto == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > end || bpf_ntohs(udp->len) < sizeof(*udp))
			return EF_FAST_MISS;
		*ports = *(__u32 *)udp;
		*dport = udp->dest;
		return 0;
	}
	return EF_FAST_MISS;
}

/* This CPU's fresh next hop toward backend `id` for a packet of l3_len bytes
 * that fits once encapsulated (outer_len bytes more), or NULL. */
static __always_inline struct ef_nexthop *ef_fast_nexthop(struct xdp_md *ctx,
							  const struct ef_backend *be, __u32 id,
							  __u32 l3_len, int outer_len)
{
	struct ef_nexthop *nh = bpf_map_lookup_elem(&evenflow_nexthop, &id);

	if (!nh || !ef_nexthop_fresh(ctx, nh, be, 1, bpf_jiffies64()) ||
	    nh->outer_len != outer_len || l3_len + outer_len > nh->mtu)
		return NULL;
	return nh;
}

/* IPv4 (no options) to an IPv4 backend. */
static __always_inline int ef_fast_path4(struct xdp_md *ctx, void *data, void *end)
{
	struct iphdr *ip = data + EF_ETH_LEN;
	__u32 frame_len = end - data, tot_len, ports, id;
	struct ef_backend *be;
	struct ef_nexthop *nh;
	__be16 dport;
	__u64 *way, e, x;

	if ((void *)(ip + 1) > end || *(__u8 *)ip != 0x45)
		return EF_FAST_MISS;
	tot_len = bpf_ntohs(ip->tot_len);
	if (tot_len < sizeof(*ip) || (void *)ip + tot_len > end)
		return EF_FAST_MISS;
	if (!ef_filter_has(ef_filter_bit_of(ef_le32(ip->daddr))))
		return ef_verdict(EF_V_PASS_NOT_VIP, XDP_PASS);
	if ((ip->frag_off & bpf_htons(EF_IP_MF | EF_IP_OFFSET)) ||
	    ef_fast_l4(ip + 1, end, ip->protocol, &ports, &dport))
		return EF_FAST_MISS;

	x = ef_flow_last(ef_flow_first(ip->saddr, ip->daddr), ports, EF_FAMILY_V4, ip->protocol);
	be = ef_fast_flow(ef_active_gen(), (__u32)x, (__u32)(x >> 32), EF_FAMILY_V4, &ip->daddr,
			  ip->protocol, dport, &way, &e, &id);
	if (!be)
		return EF_FAST_MISS;
	nh = ef_fast_nexthop(ctx, be, id, tot_len, EF_IPV4_LEN);
	if (!nh)
		return EF_FAST_MISS;

	/* committed: the general path would send it the same way */
	ef_ct_touch(way, e, ip->protocol);
	if (bpf_xdp_adjust_head(ctx, -EF_IPV4_LEN))
		return ef_verdict(EF_V_DROP_ENCAP_FAIL, XDP_DROP);
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	/* (the inner header's TOS and DF are read anew behind the new head) */
	{
		struct iphdr *outer = data + EF_ETH_LEN, *inner = outer + 1;

		if ((void *)(inner + 1) > end)
			return ef_verdict(EF_V_DROP_ENCAP_FAIL, XDP_DROP);
		ef_copy_head(data, nh->head, EF_ETH_LEN + EF_IPV4_LEN);
		ef_outer4_fill(outer, nh, inner->tos, tot_len,
			       inner->frag_off & bpf_htons(EF_IP_DF));
	}
	return ef_xmit(ctx, be->vip_id, id, frame_len, 0, nh);
}

/* IPv6 whose next header is TCP or UDP (no extension headers) to an IPv6
 * backend. */
static __always_inline int ef_fast_path6(struct xdp_md *ctx, void *data, void *end)
{
	struct ipv6hdr *ip6 = data + EF_ETH_LEN;
	__u32 frame_len = end - data, l3_len, ports, hash, fp, id;
	struct ef_flow_key key = {};
	struct ef_backend *be;
	struct ef_nexthop *nh;
	__be16 dport;
	__u64 *way, e;
	__u8 proto;

	if ((void *)(ip6 + 1) > end || ip6->version != 6)
		return EF_FAST_MISS;
	l3_len = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	proto = ip6->nexthdr;
	if ((void *)ip6 + l3_len > end || proto == IPPROTO_HOPOPTS || proto == IPPROTO_ROUTING ||
	    proto == IPPROTO_DSTOPTS || proto == IPPROTO_FRAGMENT)
		return EF_FAST_MISS;
	__builtin_memcpy(&key.dst, &ip6->daddr, sizeof(key.dst));
	if (!ef_filter_has(ef_filter_bit(&key.dst, EF_FAMILY_V6)))
		return ef_verdict(EF_V_PASS_NOT_VIP, XDP_PASS);
	if (ef_fast_l4(ip6 + 1, end, proto, &ports, &dport))
		return EF_FAST_MISS;

	__builtin_memcpy(&key.src, &ip6->saddr, sizeof(key.src));
	__builtin_memcpy(&key.sport, &ports, sizeof(ports));
	key.proto = proto;
	key.family = EF_FAMILY_V6;
	ef_flow_hash2(&key, &hash, &fp);
	be = ef_fast_flow(ef_active_gen(), hash, fp, EF_FAMILY_V6, key.dst.a32, proto, dport, &way,
			  &e, &id);
	if (!be)
		return EF_FAST_MISS;
	nh = ef_fast_nexthop(ctx, be, id, l3_len, EF_IPV6_LEN);
	if (!nh)
		return EF_FAST_MISS;

	/* committed: the general path would send it the same way */
	ef_ct_touch(way, e, proto);
	if (bpf_xdp_adjust_head(ctx, -EF_IPV6_LEN))
		return ef_verdict(EF_V_DROP_ENCAP_FAIL, XDP_DROP);
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	/* (the inner header's traffic class is read anew behind the new head) */
	{
		struct ipv6hdr *outer = data + EF_ETH_LEN, *inner = outer + 1;

		if ((void *)(inner + 1) > end)
			return ef_verdict(EF_V_DROP_ENCAP_FAIL, XDP_DROP);
		ef_copy_head(data, nh->head, EF_ETH_LEN + EF_IPV6_LEN);
		ef_outer6_fill(outer, (inner->priority << 4) | (inner->flow_lbl[0] >> 4), l3_len,
			       hash);
	}
	return ef_xmit(ctx, be->vip_id, id, frame_len, 0, nh);
}

/* Pass or send the packet if it is one of the kinds above; else
 * EF_FAST_MISS. */
static __always_inline int ef_fast_path(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	/* as short as Ethernet and an IPv4 header: a miss (shorter than any
	 * packet either takes) */
	if (data + EF_ETH_LEN + EF_IPV4_LEN > end)
		return EF_FAST_MISS;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return ef_fast_path4(ctx, data, end);
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return ef_fast_path6(ctx, data, end);
	return EF_FAST_MISS;
}

#endif /* EF_FASTPATH_H */
