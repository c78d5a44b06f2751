/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fastpath.h: a packet of an established flow, in one pass.
 *
 * Most packets a load balancer forwards belong to flows it already tracks,
 * and many of the others are not for it at all. ef_fast_path() takes exactly
 * those two kinds, in frames sent to the ingress device's MAC (lib/ours.h),
 * for IPv4 without VLAN tags or options and IPv6 without VLAN tags or
 * extension headers: a packet whose destination the VIP filter
 * rules out is passed; a TCP (not SYN, FIN or RST) or UDP packet whose flow's
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
#include "ours.h"
#include "select.h"
#include "stats.h"
#include "vip_lookup.h"

#define EF_FAST_MISS -1

/* Zero turns the fast path off (set at load: the packet tests run every case
 * with it on and off and expect the same). */
const volatile __u8 ef_fast_path_on = 1;

/* The backend of the flow with this hash (s: its connection-table slot), if
 * the flow is in the table and has not idled out at jiffies `now`, its backend (of the
 * packet's family) may still carry it, and its VIP, in ipip mode, is the
 * packet's (daddr: its address words in the packet; proto, dport). */
static __always_inline struct ef_backend *ef_fast_flow(__u32 gen, __u32 hash, __u32 fp, __u8 family,
						       const __be32 *daddr, __u8 proto,
						       __be16 dport, struct ef_ct_slot *s,
						       __u32 *id, __u64 now)
{
	struct ef_backend *be;
	struct ef_vip *vip;

	s->bucket = ef_ct_bucket_of(hash);
	s->fp = fp;
	s->way = -1;
	be = ef_ct_find(gen, s, id);
	if (!be || be->family != family || ef_ct_expired(s->entry, now))
		return NULL;
	vip = ef_vip_of_flow(gen, be, family, daddr, proto, dport);
	if (!vip || vip->forward != EF_FWD_IPIP)
		return NULL;
	return be;
}

/* The TCP (not a SYN, FIN or RST) or UDP header at l4: its ports as one
 * word (wire order) and its destination port. Returns 0 or EF_FAST_MISS. */
static __always_inline int ef_fast_l4(void *l4, void *end, __u8 proto, __u32 *ports, __be16 *dport)
{
	if (proto == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;
		__u8 flags;

		if ((void *)(tcp + 1) > end || tcp->doff < 5 || l4 + tcp->doff * 4 > end)
			return EF_FAST_MISS;
		flags = ((__u8 *)tcp)[13];
		if ((flags & (EF_TCP_SYN | EF_TCP_ACK)) == EF_TCP_SYN ||
		    (flags & (EF_TCP_FIN | EF_TCP_RST)))
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

/* Send the packet of a flow ef_fast_flow found (backend be, id, slot s),
 * encapsulated toward the backend (l3_len bytes of inner packet after
 * Ethernet, its tos and df, hash for an IPv6 flow label), if this CPU's next
 * hop toward it is fresh and the packet fits; else EF_FAST_MISS, with
 * nothing changed. */
static __always_inline int ef_fast_send(struct xdp_md *ctx, const struct ef_backend *be, __u32 id,
					struct ef_ct_slot *s, __u32 frame_len, __u16 l3_len,
					__u8 tos, __be16 df, __u32 hash, __u64 now)
{
	__u32 outer_len = be->family == EF_FAMILY_V4 ? EF_IPV4_LEN : EF_IPV6_LEN;
	struct ef_nexthop *nh = bpf_map_lookup_elem(&evenflow_nexthop, &id);

	if (!nh || !ef_nexthop_fresh(ctx, nh, be, 1, now) || nh->outer_len != outer_len ||
	    l3_len + outer_len > nh->mtu)
		return EF_FAST_MISS;
	/* committed: the general path would send it the same way */
	ef_ct_touch(s, EF_CT_ESTAB, 0, now);
	if (ef_encap(ctx, nh, EF_ETH_LEN, l3_len, tos, df, hash))
		return ef_verdict(EF_V_DROP_ENCAP_FAIL, XDP_DROP);
	return ef_xmit(ctx, be->vip_id, id, frame_len, 0, 0, nh);
}

/* IPv4 (no options) to an IPv4 backend. */
static __always_inline int ef_fast_path4(struct xdp_md *ctx, void *data, void *end)
{
	struct iphdr *ip = data + EF_ETH_LEN;
	__u32 tot_len, ports, id;
	struct ef_ct_slot s;
	struct ef_backend *be;
	__u64 x, now;
	__be16 dport;

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

	/* the clock only once the packet is known to be for a VIP */
	now = bpf_jiffies64();
	x = ef_flow_last(ef_flow_first(ip->saddr, ip->daddr), ports, EF_FAMILY_V4, ip->protocol);
	be = ef_fast_flow(ef_active_gen(), (__u32)x, (__u32)(x >> 32), EF_FAMILY_V4, &ip->daddr,
			  ip->protocol, dport, &s, &id, now);
	if (!be)
		return EF_FAST_MISS;
	return ef_fast_send(ctx, be, id, &s, end - data, tot_len, ip->tos,
			    ip->frag_off & bpf_htons(EF_IP_DF), (__u32)x, now);
}

/* IPv6 whose next header is TCP or UDP (no extension headers) to an IPv6
 * backend. */
static __always_inline int ef_fast_path6(struct xdp_md *ctx, void *data, void *end)
{
	struct ipv6hdr *ip6 = data + EF_ETH_LEN;
	__u32 l3_len, ports, hash, fp, id;
	struct ef_flow_key key = {};
	struct ef_ct_slot s;
	struct ef_backend *be;
	__be16 dport;
	__u64 now;
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
	now = bpf_jiffies64();
	be = ef_fast_flow(ef_active_gen(), hash, fp, EF_FAMILY_V6, key.dst.a32, proto, dport, &s,
			  &id, now);
	if (!be)
		return EF_FAST_MISS;
	return ef_fast_send(ctx, be, id, &s, end - data, l3_len,
			    (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4), 0, hash, now);
}

/* Pass or send the packet if it is one of the kinds above; else
 * EF_FAST_MISS. */
static __always_inline int ef_fast_path(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__be16 proto;

	/* as short as Ethernet and an IPv4 header: a miss (shorter than any
	 * packet either takes) */
	if (data + EF_ETH_LEN + EF_IPV4_LEN > end || !ef_frame_ours(data, ctx->ingress_ifindex, 0))
		return EF_FAST_MISS;
	proto = ef_eth_proto(data);
	if (proto == bpf_htons(ETH_P_IP))
		return ef_fast_path4(ctx, data, end);
	if (proto == bpf_htons(ETH_P_IPV6))
		return ef_fast_path6(ctx, data, end);
	return EF_FAST_MISS;
}

#endif /* EF_FASTPATH_H */
