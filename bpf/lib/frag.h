/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * frag.h: IP fragments of a datagram to a VIP.
 *
 * Only the first fragment carries the ports. It takes the flow's decision
 * like any packet of the flow (connection table, else the VIP's table), and
 * where it went is recorded under the datagram's (source, destination, IP
 * identification, protocol) in an LRU (evenflow_frags). A later fragment
 * follows that record to the same backend, if that backend may still carry
 * the flow; a later fragment that arrives before its first (or whose record
 * is forgotten) cannot be placed and is dropped (drop_frag_no_first): its
 * datagram is lost, as it would be with any lost fragment, and the sender
 * retransmits (holding it until its first arrives would mean buffering
 * packets in the data plane). Fragments are encapsulated whole; the "too big"
 * rules apply to each (an IPv4 fragment never has DF: too big, dropped).
 */
#ifndef EF_FRAG_H
#define EF_FRAG_H

#include "forward.h"
#include "gen.h"
#include "maps.h"
#include "stats.h"

static __always_inline void ef_frag_key_of(const struct ef_pkt *p, struct ef_frag_key *k)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->src = p->key.src;
	k->dst = p->key.dst;
	k->id = p->frag_id;
	k->proto = p->key.proto;
	k->family = p->key.family;
}

/* The first fragment of a datagram went where c says: remember it. */
static __always_inline void ef_frag_record(const struct ef_pkt *p, const struct ef_choice *c)
{
	struct ef_frag f = {
	    .backend_id = c->backend_id, .backend_gen = c->backend->gen, .hash = c->hash};
	struct ef_frag_key k;

	ef_frag_key_of(p, &k);
	bpf_map_update_elem(&evenflow_frags, &k, &f, BPF_ANY);
}

/* A later fragment of a datagram to a VIP address: to its first fragment's
 * backend, forwarded as its VIP forwards. A function of its own (a global
 * one, verified once on its own): inlined, its forwarding paths multiplied
 * the states of the general path past the verifier's limit. */
__noinline int ef_frag_later(struct xdp_md *ctx, const struct ef_pkt *p)
{
	struct ef_choice c = {};
	struct ef_vip_info *info;
	struct ef_frag_key k;
	struct ef_frag *f;
	__u32 gen, key;

	if (!p)
		return ef_verdict(EF_V_DROP_MALFORMED, XDP_DROP);
	ef_frag_key_of(p, &k);
	f = bpf_map_lookup_elem(&evenflow_frags, &k);
	if (!f)
		return ef_verdict(EF_V_DROP_FRAG_NO_FIRST, XDP_DROP);
	gen = ef_active_gen();
	key = ef_gen_backend(gen, f->backend_id);
	c.backend = bpf_map_lookup_elem(&evenflow_backends, &key);
	if (!c.backend || c.backend->gen != f->backend_gen ||
	    (c.backend->state != EF_BE_UP && c.backend->state != EF_BE_DRAIN))
		return ef_verdict(EF_V_DROP_FRAG_NO_FIRST, XDP_DROP);
	key = ef_gen_vip(gen, c.backend->vip_id);
	info = bpf_map_lookup_elem(&evenflow_vip_info, &key);
	if (!info)
		return ef_verdict(EF_V_DROP_FRAG_NO_FIRST, XDP_DROP);
	c.backend_id = f->backend_id;
	c.hash = f->hash;
	if (info->vip.forward == EF_FWD_L2)
		return ef_forward_l2(ctx, p, &info->vip, &c);
	return ef_forward_ipip(ctx, p, &info->vip, &c);
}

#endif /* EF_FRAG_H */
