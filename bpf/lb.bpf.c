// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * lb.bpf.c: the evenflow XDP load balancer.
 *
 * parse -> is it for a VIP? -> choose a backend (connection table, else the
 * VIP's Maglev table) -> encapsulate or rewrite MACs -> send. Every packet
 * ends under exactly one verdict reason (enum ef_verdict) and its counter.
 * The fast path (lib/fastpath.h) takes the common cases first, with the
 * outcome this general path would give them.
 */
#include "lib/maps.h"
#include "lib/parse.h"
#include "lib/select.h"
#include "lib/forward.h"
#include "lib/stats.h"
#include "lib/vip_lookup.h"
#include "lib/fastpath.h"
#include "lib/frag.h"
#include "lib/echo.h"
#include "lib/icmp_error.h"
#include "lib/ours.h"

/* Every packet the fast path (lib/fastpath.h) does not take. */
static __always_inline int ef_general_path(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	struct ef_cursor c = {.pos = data, .end = (void *)(long)ctx->data_end};
	struct ef_pkt p = {};
	struct ef_ct_slot ct = {.way = -1};
	struct ef_backend *found;
	struct ef_choice choice;
	struct ef_vip *vip;
	__u32 found_id = 0;
	__u16 vid;
	int proto;
	__u32 gen;

	proto = ef_parse_eth(&c, &vid);
	if (proto < 0)
		return ef_verdict(EF_V_DROP_MALFORMED, XDP_DROP);
	if (!ef_frame_ours(data, ctx->ingress_ifindex, vid))
		return ef_verdict(EF_V_PASS_NOT_OURS, XDP_PASS);
	p.l3_off = c.pos - data;
	p.frame_len = c.end - data;
	if (proto == bpf_htons(ETH_P_IP))
		proto = ef_parse_ipv4(&c, &p);
	else if (proto == bpf_htons(ETH_P_IPV6))
		proto = ef_parse_ipv6(&c, &p);
	else
		return ef_verdict(EF_V_PASS_NOT_IP, XDP_PASS);
	if (proto == EF_PARSE_UNSUPPORTED)
		return ef_is_vip_addr(&p) ? ef_verdict(EF_V_DROP_MALFORMED, XDP_DROP)
					  : ef_verdict(EF_V_PASS_NOT_VIP, XDP_PASS);
	if (proto < 0)
		return ef_verdict(EF_V_DROP_MALFORMED, XDP_DROP);

	if (!ef_maybe_vip_addr(&p))
		return ef_verdict(EF_V_PASS_NOT_VIP, XDP_PASS);
	if (p.fragment) {
		if (!ef_is_vip_addr(&p))
			return ef_verdict(EF_V_PASS_NOT_VIP, XDP_PASS);
		if (p.fragment == EF_FRAG_LATER)
			return ef_frag_later(ctx, &p);
		if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
			return ef_verdict(EF_V_DROP_FRAGMENT, XDP_DROP);
	}
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		if (!ef_icmp_of(&p, proto) && ef_is_echo(&c, &p))
			return ef_echo_reply(data, &c, &p);
		if (ef_icmp_of(&p, proto) || ef_parse_icmp_error(&c, &p))
			return ef_verdict(EF_V_PASS_NOT_VIP, XDP_PASS);
	} else if (proto != IPPROTO_TCP && proto != IPPROTO_UDP) {
		return ef_verdict(EF_V_PASS_NOT_VIP, XDP_PASS);
	} else if (ef_parse_l4(&c, &p) < 0) {
		return ef_is_vip_addr(&p) ? ef_verdict(EF_V_DROP_MALFORMED, XDP_DROP)
					  : ef_verdict(EF_V_PASS_NOT_VIP, XDP_PASS);
	}

	gen = ef_active_gen();
	ef_flow_hash2(&p.key, &choice.hash, &ct.fp);
	ct.bucket = ef_ct_bucket_of(choice.hash);
	found = ef_ct_find(gen, &ct, &found_id);
	vip = found ? ef_vip_of_flow(gen, found, p.key.family, p.key.dst.a32, p.key.proto,
				     p.key.dport)
		    : NULL;
	if (!vip)
		vip = ef_find_vip(&p, gen);
	if (!vip)
		return ef_verdict(EF_V_PASS_NOT_VIP, XDP_PASS);
	if (ef_select(vip, gen, &p, &ct, found, found_id, &choice) < 0)
		return ef_verdict(EF_V_DROP_NO_BACKEND, XDP_DROP);
	if (p.fragment)
		ef_frag_record(&p, &choice);

	if (vip->forward == EF_FWD_L2)
		return ef_forward_l2(ctx, &p, vip, &choice);
	return ef_forward_ipip(ctx, &p, vip, &choice);
}

SEC("xdp")
int evenflow_lb(struct xdp_md *ctx)
{
	int action = ef_fast_path_on ? ef_fast_path(ctx) : EF_FAST_MISS;

	return action != EF_FAST_MISS ? action : ef_general_path(ctx);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
