/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * select.h: which backend a packet goes to.
 *
 * A flow already in the connection table keeps its backend while that
 * backend is up or draining and is still the one the entry was made for
 * (same gen, same VIP). Otherwise (new flow, TCP SYN, backend down or
 * removed, UDP flow idle too long) the VIP's Maglev table decides and the
 * entry is (re)written. The connection table is consulted first: a packet of
 * an established flow finds its VIP through its backend (lb.bpf.c).
 */
#ifndef EF_SELECT_H
#define EF_SELECT_H

#include "maps.h"
#include "gen.h"
#include "ct_entry.h"
#include "parse.h"
#include "time.h"

/* UDP flows idle longer than this take a fresh table choice (set at load). */
const volatile __u32 ef_udp_idle_s = 30;
/* Buckets of evenflow_conntrack minus one (a power of two; set at load). */
const volatile __u32 ef_ct_mask = EF_CONNTRACK_DEFAULT / EF_CT_WAYS - 1;

/* The chosen backend of a packet. */
struct ef_choice {
	struct ef_backend *backend;
	__u32 backend_id;
	__u32 hash;   /* the flow hash (also IPv6 outer flow label entropy) */
	int new_flow; /* took a fresh table choice */
};

/* The backend the VIP's table gives to this flow, or NULL (no table, or a
 * slot pointing at a backend that is not up: the CLI orders its writes so
 * that does not happen, but the data plane never trusts it). */
static __always_inline struct ef_backend *ef_table_pick(const struct ef_vip *vip, __u32 gen,
							__u32 hash, __u32 *id_out)
{
	__u32 slot, *id, key = ef_gen_vip(gen, vip->id);
	struct ef_backend *backend;
	void *table;

	/* the VIP's entry holds its table's size, in the same generation */
	if (!vip->table_slots)
		return NULL;
	table = bpf_map_lookup_elem(&evenflow_maglev, &key);
	if (!table)
		return NULL;
	slot = 1 + hash % vip->table_slots;
	id = bpf_map_lookup_elem(table, &slot);
	if (!id || *id >= EF_MAX_BACKENDS)
		return NULL;
	key = ef_gen_backend(gen, *id);
	backend = bpf_map_lookup_elem(&evenflow_backends, &key);
	if (!backend || backend->state != EF_BE_UP || backend->vip_id != vip->id)
		return NULL;
	*id_out = *id;
	return backend;
}

/* Where a flow lives in the connection table. */
struct ef_ct_slot {
	struct ef_ct_bucket *bucket;
	__u32 fp;
	int way;     /* the flow's way, or -1 */
	__u64 entry; /* what the way held when found */
};

static __always_inline struct ef_ct_bucket *ef_ct_bucket_of(__u32 hash)
{
	__u32 index = hash & ef_ct_mask;

	return bpf_map_lookup_elem(&evenflow_conntrack, &index);
}

/* Find the flow's entry (s->way, s->entry). Returns the backend it names if
 * that backend may still carry the flow (same gen, up or draining), else
 * NULL. */
static __always_inline struct ef_backend *ef_ct_find(__u32 gen, struct ef_ct_slot *s, __u32 *id_out)
{
	struct ef_backend *backend;
	__u32 id, key;
	int way = -1;
	__u64 e = 0;

	if (!s->bucket)
		return NULL;
#pragma unroll
	for (int i = 0; i < EF_CT_WAYS; i++) {
		e = s->bucket->way[i];
		if (ef_ct_is(e, s->fp)) {
			way = i;
			break;
		}
	}
	if (way < 0)
		return NULL;
	s->way = way;
	s->entry = e;
	id = ef_ct_id(e);
	key = ef_gen_backend(gen, id);
	backend = bpf_map_lookup_elem(&evenflow_backends, &key);
	if (!backend || !ef_ct_gen_ok(e, backend->gen) ||
	    (backend->state != EF_BE_UP && backend->state != EF_BE_DRAIN))
		return NULL;
	*id_out = id;
	return backend;
}

/* Has entry e of a flow of this protocol idled out (UDP only)? */
static __always_inline int ef_ct_idle(__u64 e, __u8 proto)
{
	return proto == IPPROTO_UDP &&
	       ((ef_seen_now() - ef_ct_seen(e)) & EF_CT_SEEN_MASK) > ef_seen_units(ef_udp_idle_s);
}

/* The flow stays on its entry (found by ef_ct_find): mark it used and
 * refresh a UDP entry's last-seen time. */
static __always_inline void ef_ct_touch(struct ef_ct_slot *s, __u8 proto)
{
	__u64 e = s->entry;

	if (s->way < 0 || s->way >= EF_CT_WAYS)
		return;
	if (proto == IPPROTO_UDP) {
		__u32 now = ef_seen_now();

		if (ef_ct_seen(e) != now || !(e & EF_CT_REF))
			s->bucket->way[s->way] = (e & ~EF_CT_SEEN_MASK) | EF_CT_REF | now;
	} else if (!(e & EF_CT_REF)) {
		s->bucket->way[s->way] = e | EF_CT_REF;
	}
}

/* The flow stays on its entry's backend unless a UDP flow idled out (then
 * returns 0). */
static __always_inline int ef_ct_keep(const struct ef_pkt *p, struct ef_ct_slot *s)
{
	if (s->way < 0 || ef_ct_idle(s->entry, p->key.proto))
		return 0;
	ef_ct_touch(s, p->key.proto);
	return 1;
}

/*
 * Pin the flow to `id`: its own way if it has one, else an empty way, else
 * the first way the clock hand finds unused since it last passed (clearing
 * the used marks it passes; if all were used, the way the fingerprint
 * names). Empty and evicted ways are taken with compare-and-swap, so two
 * CPUs inserting at once never leave one entry made of two.
 */
static __always_inline void ef_ct_insert(struct ef_ct_slot *s, __u32 id, __u32 gen)
{
	__u64 e = ef_ct_entry(s->fp, id, gen, ef_seen_now()), old;
	struct ef_ct_bucket *b = s->bucket;

	if (!b)
		return;
	if (s->way >= 0 && s->way < EF_CT_WAYS) {
		b->way[s->way] = e;
		return;
	}
#pragma unroll
	for (int i = 0; i < EF_CT_WAYS; i++) {
		old = b->way[i];
		if (!(old & EF_CT_VALID) && __sync_val_compare_and_swap(&b->way[i], old, e) == old)
			return;
	}
#pragma unroll
	for (int i = 0; i < EF_CT_WAYS; i++) {
		old = b->way[i];
		if (!(old & EF_CT_REF)) {
			if (__sync_val_compare_and_swap(&b->way[i], old, e) == old)
				return;
		} else {
			__sync_val_compare_and_swap(&b->way[i], old, old & ~EF_CT_REF);
		}
	}
	b->way[s->fp & (EF_CT_WAYS - 1)] = e;
}

/* Choose the backend for a packet of `vip` (of configuration generation
 * `gen`), given what ef_ct_find found for it (`found`: its entry's backend,
 * or NULL). Returns 0, or -1 if none. */
static __always_inline int ef_select(const struct ef_vip *vip, __u32 gen, const struct ef_pkt *p,
				     struct ef_ct_slot *s, struct ef_backend *found, __u32 found_id,
				     struct ef_choice *c)
{
	int syn =
	    p->key.proto == IPPROTO_TCP && (p->tcp_flags & (EF_TCP_SYN | EF_TCP_ACK)) == EF_TCP_SYN;

	/* A SYN starts a new connection: it always takes the current table. */
	if (found && found->vip_id == vip->id && !syn && ef_ct_keep(p, s)) {
		c->backend = found;
		c->backend_id = found_id;
		c->new_flow = 0;
		goto rst;
	}
	c->backend = ef_table_pick(vip, gen, c->hash, &c->backend_id);
	if (!c->backend)
		return -1;
	/* A RST ends the flow: nothing to remember, and no new flow to count. */
	c->new_flow = !(p->tcp_flags & EF_TCP_RST);
	if (c->new_flow)
		ef_ct_insert(s, c->backend_id, c->backend->gen);
rst:
	/* A RST ends the flow: forget it (the packet still goes through). */
	if ((p->tcp_flags & EF_TCP_RST) && s->way >= 0 && s->way < EF_CT_WAYS && s->bucket) {
		__u64 e = s->bucket->way[s->way];

		if (ef_ct_is(e, s->fp))
			__sync_val_compare_and_swap(&s->bucket->way[s->way], e, 0);
	}
	return 0;
}

#endif /* EF_SELECT_H */
