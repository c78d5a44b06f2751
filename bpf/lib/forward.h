/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * forward.h: route toward the chosen backend with the kernel's FIB and send.
 *
 * Next hop MAC and egress device come from bpf_fib_lookup(), so nobody
 * configures MACs. The packet leaves by XDP_TX when the egress device is the
 * ingress one and by devmap redirect otherwise.
 */
#ifndef EF_FORWARD_H
#define EF_FORWARD_H

#include <linux/socket.h>
#include "encap.h"
#include "icmp.h"
#include "reply.h"
#include "select.h"
#include "stats.h"
#include "time.h"

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

/* Ask the FIB for the route to `dst`; tot_len lets it check the MTU. */
static __always_inline int ef_fib(struct xdp_md *ctx, struct bpf_fib_lookup *fib, __u8 family,
				  const struct ef_addr *src, const struct ef_addr *dst,
				  __u16 tot_len)
{
	if (family == EF_FAMILY_V4) {
		fib->family = AF_INET;
		fib->ipv4_src = src->a32[0];
		fib->ipv4_dst = dst->a32[0];
	} else {
		fib->family = AF_INET6;
		__builtin_memcpy(fib->ipv6_src, src, sizeof(*src));
		__builtin_memcpy(fib->ipv6_dst, dst, sizeof(*dst));
	}
	fib->tot_len = tot_len;
	fib->ifindex = ctx->ingress_ifindex;
	return bpf_fib_lookup(ctx, fib, sizeof(*fib), 0);
}

/* Not a FIB code: the FIB routes an l2 backend through a gateway. */
#define EF_FIB_NOT_ONLINK 100

/* Ask the FIB about backend `be` for this CPU's next-hop cache entry `nh`
 * (twice: once with an impossible length to learn the route MTU, once for the
 * next hop) and rebuild the entry. Returns BPF_FIB_LKUP_RET_SUCCESS or why
 * not; only successes are cached, so a failing route is asked again every
 * packet. An l2 backend must be on-link (ipip = 0 checks it). The route is
 * asked from the outer source: the VIP's for the backend's family if it has
 * one, else the backend's (chosen by routing when it was added); in l2 mode,
 * from the client's address, as for the packet itself. */
static __always_inline int ef_nexthop_refresh(struct xdp_md *ctx, struct ef_nexthop *nh,
					      const struct ef_pkt *p, const struct ef_vip *vip,
					      const struct ef_backend *be, int ipip, __u64 now)
{
	const struct ef_addr *src = ipip ? &be->src : &p->key.src;
	struct bpf_fib_lookup fib = {};
	struct ef_addr src4 = {};
	__u32 mtu = 0xffff;
	int rc;

	if (ipip && be->family == EF_FAMILY_V4 && (vip->flags & EF_VIP_F_SRC4)) {
		src4.a32[0] = vip->src4;
		src = &src4;
	}
	if (ipip && be->family == EF_FAMILY_V6 && (vip->flags & EF_VIP_F_SRC6))
		src = &vip->src6;

	rc = ef_fib(ctx, &fib, be->family, src, &be->addr, 0xffff);
	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED)
		mtu = fib.mtu_result;
	else if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return rc;
	__builtin_memset(&fib, 0, sizeof(fib));
	rc = ef_fib(ctx, &fib, be->family, src, &be->addr, 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return rc;
	/* The FIB replaces the destination with the gateway, if there is one
	 * (ipv4_dst shares its first word with ipv6_dst; the rest stays zero). */
	if (!ipip && (fib.ipv6_dst[0] != be->addr.a32[0] || fib.ipv6_dst[1] != be->addr.a32[1] ||
		      fib.ipv6_dst[2] != be->addr.a32[2] || fib.ipv6_dst[3] != be->addr.a32[3]))
		return EF_FIB_NOT_ONLINK;
	ef_head_build(nh, fib.dmac, fib.smac, be, src, p->key.family, ipip);
	nh->ifindex = fib.ifindex;
	nh->mtu = mtu;
	nh->backend_gen = be->gen;
	nh->rx_ifindex = ctx->ingress_ifindex;
	nh->expires = now + ef_hz();
	return BPF_FIB_LKUP_RET_SUCCESS;
}

/* Is this CPU's cached answer for backend `be` still good: less than a
 * second old, for this backend's gen and this ingress device, and of the
 * VIP's mode (ipip or l2, which a commit may change)? */
static __always_inline int ef_nexthop_fresh(const struct xdp_md *ctx, const struct ef_nexthop *nh,
					    const struct ef_backend *be, int ipip, __u64 now)
{
	return nh->backend_gen == be->gen && nh->rx_ifindex == ctx->ingress_ifindex &&
	       now < nh->expires && nh->ifindex && !nh->outer_len == !ipip;
}

/*
 * The next hop toward the chosen backend, and the head of the frames toward it:
 * this CPU's cached FIB answer while it is less than a second old, for this
 * backend's gen and this ingress device, else a fresh one. Returns
 * BPF_FIB_LKUP_RET_SUCCESS with *out set, or why not. A VIP's outer source
 * set anew reaches the cached heads within that second.
 */
static __always_inline int ef_nexthop(struct xdp_md *ctx, const struct ef_pkt *p,
				      const struct ef_vip *vip, const struct ef_choice *c, int ipip,
				      struct ef_nexthop **out)
{
	const struct ef_backend *be = c->backend;
	struct ef_nexthop *nh = bpf_map_lookup_elem(&evenflow_nexthop, &c->backend_id);
	__u64 now = bpf_jiffies64();
	int rc;

	if (!nh)
		return BPF_FIB_LKUP_RET_NOT_FWDED;
	if (!ef_nexthop_fresh(ctx, nh, be, ipip, now)) {
		rc = ef_nexthop_refresh(ctx, nh, p, vip, be, ipip, now);
		if (rc != BPF_FIB_LKUP_RET_SUCCESS)
			return rc;
	}
	*out = nh;
	return BPF_FIB_LKUP_RET_SUCCESS;
}

/* Map a failed FIB lookup to its verdict reason. */
static __always_inline enum ef_verdict ef_fib_reason(int rc)
{
	switch (rc) {
	case BPF_FIB_LKUP_RET_FWD_DISABLED:
		return EF_V_DROP_FWD_DISABLED;
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		return EF_V_DROP_NO_NEIGH;
	case EF_FIB_NOT_ONLINK:
		return EF_V_DROP_NOT_ONLINK;
	default:
		return EF_V_DROP_FIB_MISS;
	}
}

/* Account the packet (frame_len bytes as received) to its VIP and backend,
 * and send the finished frame out of nh->ifindex (nh: fresh for the packet's
 * ingress device, so a frame leaving by the device it came in by is
 * XDP_TX). An ICMP error about a flow counts under its own verdict. */
static __always_inline int ef_xmit(struct xdp_md *ctx, __u32 vip_id, __u32 backend_id,
				   __u32 frame_len, int new_flow, int icmp_error,
				   const struct ef_nexthop *nh)
{
	int action;

	ef_count_traffic(vip_id, backend_id, frame_len, new_flow);
	if (nh->ifindex == nh->rx_ifindex)
		return ef_verdict(icmp_error ? EF_V_FWD_ICMP_ERROR : EF_V_FWD_TX, XDP_TX);
	action = bpf_redirect_map(&evenflow_tx_ports, nh->ifindex, 0);
	if (action != XDP_REDIRECT)
		action = bpf_redirect(nh->ifindex, 0);
	return ef_verdict(icmp_error ? EF_V_FWD_ICMP_ERROR : EF_V_FWD_REDIRECT, action);
}

/* A packet too big for the tunnel: tell the client the largest that fits
 * (IPv4 with DF, or IPv6, which routers never fragment), within the reply
 * budget (reply.h); drop the others. */
static __always_inline int ef_too_big(struct xdp_md *ctx, const struct ef_pkt *p, __u32 fits)
{
	int answer = (p->key.family == EF_FAMILY_V4 && p->df && fits >= 68) ||
		     (p->key.family == EF_FAMILY_V6 && fits >= EF_IPV6_MIN_MTU);

	if (answer && !ef_reply_allowed())
		return ef_verdict(EF_V_DROP_REPLY_LIMIT, XDP_DROP);
	if (p->key.family == EF_FAMILY_V4 && p->df && fits >= 68 && !ef_icmp4_too_big(ctx, p, fits))
		return ef_verdict(EF_V_ICMP_TOO_BIG, XDP_TX);
	if (p->key.family == EF_FAMILY_V6 && fits >= EF_IPV6_MIN_MTU &&
	    !ef_icmp6_too_big(ctx, p, fits))
		return ef_verdict(EF_V_ICMP_TOO_BIG, XDP_TX);
	return ef_verdict(EF_V_DROP_TOO_BIG, XDP_DROP);
}

/* l2 mode: same packet, new MACs. The backend must be on-link: if the FIB
 * answers with a gateway, sending the VIP packet there would misroute it. */
static __always_inline int ef_forward_l2(struct xdp_md *ctx, const struct ef_pkt *p,
					 const struct ef_vip *vip, const struct ef_choice *c)
{
	const struct ef_backend *be = c->backend;
	struct ef_nexthop *nh;
	int rc;

	if (be->family != p->key.family)
		return ef_verdict(EF_V_DROP_BAD_BACKEND, XDP_DROP);
	rc = ef_nexthop(ctx, p, vip, c, 0, &nh);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return ef_verdict(ef_fib_reason(rc), XDP_DROP);
	if (p->l3_len > nh->mtu)
		return ef_verdict(EF_V_DROP_TOO_BIG, XDP_DROP);
	if (ef_set_macs(ctx, nh->head))
		return ef_verdict(EF_V_DROP_MALFORMED, XDP_DROP);
	return ef_xmit(ctx, vip->id, c->backend_id, p->frame_len, c->new_flow, p->icmp_error, nh);
}

/* ipip mode: encapsulate toward the backend. An unresolved neighbour is a
 * counted drop, as in l2 mode: the control plane resolves its backends'
 * neighbours ahead of traffic. (Handing the encapsulated packet to the kernel
 * does not work for IPv4: its outer source is the LB's own address, a martian
 * to the LB's kernel.) */
static __always_inline int ef_forward_ipip(struct xdp_md *ctx, const struct ef_pkt *p,
					   const struct ef_vip *vip, const struct ef_choice *c)
{
	const struct ef_backend *be = c->backend;
	int outer_len = be->family == EF_FAMILY_V4 ? EF_IPV4_LEN : EF_IPV6_LEN;
	struct ef_nexthop *nh;
	int rc;

	if (be->family == EF_FAMILY_V4 && p->key.family == EF_FAMILY_V6)
		return ef_verdict(EF_V_DROP_BAD_BACKEND, XDP_DROP);
	rc = ef_nexthop(ctx, p, vip, c, 1, &nh);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return ef_verdict(ef_fib_reason(rc), XDP_DROP);
	/* never an ICMP error about an ICMP error */
	if ((__u32)(p->l3_len + outer_len) > nh->mtu)
		return p->icmp_error ? ef_verdict(EF_V_DROP_TOO_BIG, XDP_DROP)
				     : ef_too_big(ctx, p, nh->mtu - outer_len);
	if (ef_encap(ctx, nh, p->l3_off, p->l3_len, p->tos, p->df, c->hash))
		return ef_verdict(EF_V_DROP_ENCAP_FAIL, XDP_DROP);
	return ef_xmit(ctx, vip->id, c->backend_id, p->frame_len, c->new_flow, p->icmp_error, nh);
}

#endif /* EF_FORWARD_H */
