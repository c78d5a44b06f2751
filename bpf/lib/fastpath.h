/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fastpath.h: a packet of an established IPv4 flow, in one pass.
 *
 * Most packets a load balancer forwards belong to flows it already tracks,
 * and many of the others are not for it at all. ef_fast_path() takes exactly
 * those two kinds, for IPv4 without VLAN tags or options: a packet whose
 * destination the VIP filter rules out is passed; a TCP (not SYN, not RST)
 * or UDP packet whose flow's entry names a backend that may still carry it,
 * of the VIP the packet is for, in ipip mode toward an IPv4 backend whose
 * next hop this CPU has cached and that the packet fits, is sent. It decides
 * with a few scalars where the general path fills its structs for every case.
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

/* The backend of the IPv4 flow with this hash, if the flow is in the
 * connection table, its backend (an IPv4 one, in ipip mode) may still carry
 * it, and its VIP (whose key the backend's entry holds) is the packet's
 * (daddr, proto, dport). */
static __always_inline struct ef_backend *ef_fast_flow(__u32 gen, __u32 hash, __u32 fp,
						       __be32 daddr, __u8 proto, __be16 dport,
						       __u64 **way, __u64 *entry, __u32 *id)
{
	struct ef_ct_bucket *bucket = ef_ct_bucket_of(hash);
	struct ef_backend *be;
	__u32 key;
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
	    (be->state != EF_BE_UP && be->state != EF_BE_DRAIN) || be->family != EF_FAMILY_V4 ||
	    be->forward != EF_FWD_IPIP || be->vip.family != EF_FAMILY_V4 ||
	    be->vip.proto != proto || (be->vip.port && be->vip.port != dport) ||
	    be->vip.addr.a32[0] != daddr ||
	    (be->vip.addr.a32[1] | be->vip.addr.a32[2] | be->vip.addr.a32[3]))
		return NULL;
	*way = &bucket->way[i];
	*entry = e;
	return be;
}

/* Pass or send the packet if it is one of the two kinds above; else
 * EF_FAST_MISS. */
static __always_inline int ef_fast_path(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	__u32 frame_len = end - data, tot_len, ports, hash, fp, id;
	__be16 dport;
	struct ef_backend *be;
	struct ef_nexthop *nh;
	__u64 *way, e;
	__u8 proto;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || *(__u8 *)ip != 0x45)
		return EF_FAST_MISS;
	tot_len = bpf_ntohs(ip->tot_len);
	if (tot_len < sizeof(*ip) || (void *)ip + tot_len > end)
		return EF_FAST_MISS;
	if (!ef_filter_has(ef_filter_bit_of(ef_le32(ip->daddr))))
		return ef_verdict(EF_V_PASS_NOT_VIP, XDP_PASS);
	if (ip->frag_off & bpf_htons(EF_IP_MF | EF_IP_OFFSET))
		return EF_FAST_MISS;

	proto = ip->protocol;
	if (proto == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)(ip + 1);
		__u8 flags;

		if ((void *)(tcp + 1) > end || tcp->doff < 5 || (void *)tcp + tcp->doff * 4 > end)
			return EF_FAST_MISS;
		flags = ((__u8 *)tcp)[13];
		if ((flags & (EF_TCP_SYN | EF_TCP_ACK)) == EF_TCP_SYN || (flags & EF_TCP_RST))
			return EF_FAST_MISS;
		ports = *(__u32 *)tcp;
		dport = tcp->dest;
	} else if (proto == IPPROTO_UDP) {
		struct udphdr *udp = (void *)(ip + 1);

		if ((void *)(udp + 1) > end || bpf_ntohs(udp->len) < sizeof(*udp))
			return EF_FAST_MISS;
		ports = *(__u32 *)udp;
		dport = udp->dest;
	} else {
		return EF_FAST_MISS;
	}

	{
		__u64 x =
		    ef_flow_last(ef_flow_first(ip->saddr, ip->daddr), ports, EF_FAMILY_V4, proto);

		hash = (__u32)x;
		fp = (__u32)(x >> 32);
	}
	be = ef_fast_flow(ef_active_gen(), hash, fp, ip->daddr, proto, dport, &way, &e, &id);
	if (!be || ef_ct_idle(e, proto))
		return EF_FAST_MISS;
	nh = bpf_map_lookup_elem(&evenflow_nexthop, &id);
	if (!nh || !ef_nexthop_fresh(ctx, nh, be, 1, bpf_jiffies64()) ||
	    nh->outer_len != EF_IPV4_LEN || tot_len + EF_IPV4_LEN > nh->mtu)
		return EF_FAST_MISS;

	/* committed: the general path would send it the same way */
	ef_ct_touch(way, e, proto);
	if (bpf_xdp_adjust_head(ctx, -EF_IPV4_LEN))
		return ef_verdict(EF_V_DROP_ENCAP_FAIL, XDP_DROP);
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (data + EF_ETH_LEN + EF_IPV4_LEN > end)
		return ef_verdict(EF_V_DROP_ENCAP_FAIL, XDP_DROP);
	ef_copy_head(data, nh->head, EF_ETH_LEN + EF_IPV4_LEN);
	/* (tos and frag_off were read before the head moved: re-read them from
	 * the inner header, now behind the outer one) */
	{
		struct iphdr *outer = data + EF_ETH_LEN, *inner = outer + 1;

		if ((void *)(inner + 1) > end)
			return ef_verdict(EF_V_DROP_ENCAP_FAIL, XDP_DROP);
		ef_outer4_fill(outer, nh, inner->tos, tot_len,
			       inner->frag_off & bpf_htons(EF_IP_DF));
	}
	return ef_xmit(ctx, be->vip_id, id, frame_len, 0, nh);
}

#endif /* EF_FASTPATH_H */
