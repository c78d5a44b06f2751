/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * select.h: which backend a packet goes to.
 *
 * A flow already in the connection table keeps its backend while that
 * backend is up or draining and is still the one the entry was made for
 * (same gen). Otherwise (new flow, TCP SYN, backend down or removed, UDP flow
 * idle too long) the VIP's Maglev table decides and the entry is (re)written.
 */
#ifndef EF_SELECT_H
#define EF_SELECT_H

#include "maps.h"
#include "hash.h"
#include "parse.h"

/* UDP flows idle longer than this take a fresh table choice (set at load). */
const volatile __u64 ef_udp_idle_ns = 30ULL * 1000 * 1000 * 1000;

/* Refresh a UDP entry's last_seen at most this often (fewer shared writes). */
#define EF_LAST_SEEN_GRANULE_NS (1000ULL * 1000 * 1000)

/* The chosen backend of a packet. */
struct ef_choice {
	struct ef_backend *backend;
	__u32 backend_id;
	int new_flow; /* took a fresh table choice */
};

/* The backend the VIP's table gives to this flow, or NULL (no table, or a
 * slot pointing at a backend that is not up: the CLI orders its writes so
 * that does not happen, but the data plane never trusts it). */
static __always_inline struct ef_backend *ef_table_pick(const struct ef_vip *vip,
						       const struct ef_flow_key *key, __u32 *id_out)
{
	struct ef_backend *backend;
	__u32 zero = 0, slot, *size, *id;
	void *table;

	table = bpf_map_lookup_elem(&evenflow_maglev, &vip->id);
	if (!table)
		return NULL;
	size = bpf_map_lookup_elem(table, &zero);
	if (!size || *size == 0)
		return NULL;
	slot = 1 + ef_flow_hash(key) % *size;
	id = bpf_map_lookup_elem(table, &slot);
	if (!id)
		return NULL;
	backend = bpf_map_lookup_elem(&evenflow_backends, id);
	if (!backend || backend->state != EF_BE_UP || backend->vip_id != vip->id)
		return NULL;
	*id_out = *id;
	return backend;
}

/* The connection entry's backend if the flow may stay on it, else NULL. */
static __always_inline struct ef_backend *ef_conntrack_pick(const struct ef_pkt *p, __u32 *id_out)
{
	struct ef_backend *backend;
	struct ef_flow *flow;
	__u64 now;

	flow = bpf_map_lookup_elem(&evenflow_conntrack, &p->key);
	if (!flow)
		return NULL;
	backend = bpf_map_lookup_elem(&evenflow_backends, &flow->backend_id);
	if (!backend || backend->gen != flow->backend_gen ||
	    (backend->state != EF_BE_UP && backend->state != EF_BE_DRAIN))
		return NULL;
	if (p->key.proto == IPPROTO_UDP) {
		now = bpf_ktime_get_ns();
		if (now - flow->last_seen > ef_udp_idle_ns)
			return NULL;
		if (now - flow->last_seen > EF_LAST_SEEN_GRANULE_NS)
			flow->last_seen = now;
	}
	*id_out = flow->backend_id;
	return backend;
}

/* Choose the backend for a packet of `vip`. Returns 0, or -1 if none. */
static __always_inline int ef_select(const struct ef_vip *vip, const struct ef_pkt *p,
				     struct ef_choice *c)
{
	int syn = p->key.proto == IPPROTO_TCP &&
		  (p->tcp_flags & (EF_TCP_SYN | EF_TCP_ACK)) == EF_TCP_SYN;
	struct ef_flow flow = {};

	/* A SYN starts a new connection: it always takes the current table. */
	if (!syn) {
		c->backend = ef_conntrack_pick(p, &c->backend_id);
		if (c->backend) {
			c->new_flow = 0;
			return 0;
		}
	}
	c->backend = ef_table_pick(vip, &p->key, &c->backend_id);
	if (!c->backend)
		return -1;
	/* A RST ends the flow: nothing to remember, and no new flow to count. */
	if (p->tcp_flags & EF_TCP_RST) {
		c->new_flow = 0;
		return 0;
	}
	c->new_flow = 1;
	flow.backend_id = c->backend_id;
	flow.backend_gen = c->backend->gen;
	flow.last_seen = p->key.proto == IPPROTO_UDP ? bpf_ktime_get_ns() : 0;
	bpf_map_update_elem(&evenflow_conntrack, &p->key, &flow, BPF_ANY);
	return 0;
}

/* After forwarding a RST, forget the flow. */
static __always_inline void ef_conntrack_close(const struct ef_pkt *p)
{
	if (p->key.proto == IPPROTO_TCP && (p->tcp_flags & EF_TCP_RST))
		bpf_map_delete_elem(&evenflow_conntrack, &p->key);
}

#endif /* EF_SELECT_H */
