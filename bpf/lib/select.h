/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * select.h: which backend a packet goes to.
 *
 * A flow already in the connection table keeps its backend while that
 * backend is up or draining and is still the one the entry was made for
 * (same gen, same VIP), until the entry idles out (ef_ct_expired).
 * Otherwise (new flow, backend down or removed, entry idled out, TCP SYN
 * toward a draining backend) the VIP's Maglev table decides and the entry is
 * (re)written. The connection table is consulted first: a packet of
 * an established flow finds its VIP through its backend (lb.bpf.c).
 */
#ifndef EF_SELECT_H
#define EF_SELECT_H

#include "maps.h"
#include "gen.h"
#include "ct_entry.h"
#include "parse.h"
#include "stats.h"
#include "time.h"

/* UDP flows idle longer than this take a fresh table choice (set at load). */
const volatile __u32 ef_udp_idle_s = 30;
/* The same for open established TCP flows (set at load). */
const volatile __u32 ef_tcp_idle_s = 14400;
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

/* Has entry e idled out at jiffies `now`: a UDP flow past the UDP timeout,
 * an open established TCP flow past the TCP timeout, a TCP flow that saw a
 * FIN or RST, or only one packet, past the grace? */
static __always_inline int ef_ct_expired(__u64 e, __u64 now)
{
	__u32 shift, secs = ef_ct_timeout_of(e, ef_udp_idle_s, ef_tcp_idle_s, &shift);

	return ef_ct_idled(e, now, secs, shift, ef_hz());
}

/* Entry e with the state bits `set` set and `clear` cleared, seen at `now`
 * (in the units of its new state). */
static __always_inline __u64 ef_ct_restate(__u64 e, __u64 set, __u64 clear, __u64 now)
{
	__u64 n = ((e | set) & ~clear) & ~EF_CT_SEEN_MASK;

	return n | ef_seen_at(now, ef_ct_long(n) ? EF_CT_SEEN_SHIFT_LONG : EF_CT_SEEN_SHIFT);
}

/* The flow stays on its entry (found by ef_ct_find, not expired): a packet
 * after the first marks it established, with `set` and `clear` state bits;
 * its last-seen time is refreshed. Written only when it changes (every 256
 * jiffies for a UDP flow, 65536 for an open TCP one). */
static __always_inline void ef_ct_touch(struct ef_ct_slot *s, __u64 set, __u64 clear, __u64 now)
{
	__u64 e = s->entry, n = ef_ct_restate(e, set, clear, now);

	if (n != e && s->way >= 0 && s->way < EF_CT_WAYS)
		s->bucket->way[s->way] = n;
}

/*
 * Pin the flow to `id` with the state bits `flags`: its own way if it has
 * one (stale), else the first way that is empty or idled out, else a way of
 * a live one-packet flow (counted EF_CTS_EVICT_LIVE), else none (counted
 * EF_CTS_NO_ENTRY: the packet still goes by the table's choice). An
 * established flow is never evicted before it idles out: that is the flood
 * guard. Ways are looked at from one the fingerprint names, so a flood
 * evicts one-packet flows at random, not always the same way. Taken with one
 * compare-and-swap, so two CPUs inserting at once never leave one entry made
 * of two; a lost race is a flow without an entry.
 */
static __always_inline void ef_ct_insert(struct ef_ct_slot *s, __u32 id, __u32 gen, __u64 flags,
					 __u64 now)
{
	__u64 e = ef_ct_restate(ef_ct_entry(s->fp, id, gen, flags, 0), 0, 0, now), old = 0;
	struct ef_ct_bucket *b = s->bucket;
	__u32 rot = s->fp >> 29;
	int way = -1, weak = -1;

	if (!b)
		return;
	if (s->way >= 0 && s->way < EF_CT_WAYS) {
		b->way[s->way] = e;
		ef_ct_count(EF_CTS_INSERT);
		return;
	}
#pragma unroll
	for (int i = 0; i < EF_CT_WAYS; i++) {
		__u32 w = (i + rot) & (EF_CT_WAYS - 1);
		__u64 o = b->way[w];

		if (!(o & EF_CT_VALID) || ef_ct_expired(o, now)) {
			way = w;
			old = o;
			break;
		}
		if (weak < 0 && !(o & EF_CT_ESTAB)) {
			weak = w;
			old = o;
		}
	}
	if (way < 0)
		way = weak;
	if (way < 0 || way >= EF_CT_WAYS ||
	    __sync_val_compare_and_swap(&b->way[way], old, e) != old) {
		ef_ct_count(EF_CTS_NO_ENTRY);
		return;
	}
	ef_ct_count(way == weak ? EF_CTS_EVICT_LIVE : EF_CTS_INSERT);
}

/* The backend that owns the flow an ICMP error is about: its entry's while
 * live (its backend up or draining), else the table's choice. The error
 * neither starts nor refreshes the entry. Returns 0, or -1 if no backend. */
static __always_inline int ef_select_owner(const struct ef_vip *vip, __u32 gen,
					   const struct ef_ct_slot *s, struct ef_backend *found,
					   __u32 found_id, struct ef_choice *c, __u64 now)
{
	c->new_flow = 0;
	if (found && found->vip_id == vip->id && !ef_ct_expired(s->entry, now)) {
		c->backend = found;
		c->backend_id = found_id;
		return 0;
	}
	c->backend = ef_table_pick(vip, gen, c->hash, &c->backend_id);
	return c->backend ? 0 : -1;
}

/*
 * Choose the backend for a packet of `vip` (of configuration generation
 * `gen`), given what ef_ct_find found for it (`found`: its entry's backend,
 * or NULL). A flow with a live entry stays on its backend; a SYN too, while
 * the backend is up (a SYN toward a draining backend is a new connection),
 * and it reopens a closing entry; a FIN or RST starts the entry's grace. A
 * flow without one takes the table's choice and an entry, except a RST
 * (nothing to remember). Returns 0, or -1 if no backend.
 */
static __always_inline int ef_select(const struct ef_vip *vip, __u32 gen, const struct ef_pkt *p,
				     struct ef_ct_slot *s, struct ef_backend *found, __u32 found_id,
				     struct ef_choice *c)
{
	__u8 flags = p->key.proto == IPPROTO_TCP ? p->tcp_flags : 0;
	int syn = (flags & (EF_TCP_SYN | EF_TCP_ACK)) == EF_TCP_SYN;
	__u64 end = flags & (EF_TCP_FIN | EF_TCP_RST) ? EF_CT_CLOSING : 0;
	__u64 now = bpf_jiffies64();

	if (p->icmp_error)
		return ef_select_owner(vip, gen, s, found, found_id, c, now);
	if (found && found->vip_id == vip->id && !ef_ct_expired(s->entry, now) &&
	    (!syn || found->state == EF_BE_UP)) {
		c->backend = found;
		c->backend_id = found_id;
		c->new_flow = 0;
		if (syn)
			ef_ct_touch(s, 0, EF_CT_CLOSING, now);
		else
			ef_ct_touch(s, EF_CT_ESTAB | end, 0, now);
		return 0;
	}
	c->backend = ef_table_pick(vip, gen, c->hash, &c->backend_id);
	if (!c->backend)
		return -1;
	/* A RST ends the flow: nothing to remember, and no new flow to count. */
	c->new_flow = !(flags & EF_TCP_RST);
	if (c->new_flow)
		ef_ct_insert(s, c->backend_id, c->backend->gen,
			     end | (p->key.proto == IPPROTO_UDP ? EF_CT_UDP : 0), now);
	return 0;
}

#endif /* EF_SELECT_H */
