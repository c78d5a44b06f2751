/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * lookup.h: the backend the data plane picks for a flow, computed the way
 * it computes it (bpf/lib/select.h), from the active configuration
 * generation: the flow's hash and slot in the VIP's table, its connection
 * entry if any (its state, how long it idled, by the kernel's jiffies) and
 * whether that entry still holds, and the decision for the flow's next
 * packet and for a SYN.
 */
#ifndef EF_LOOKUP_H
#define EF_LOOKUP_H

#include <stdbool.h>

#include "dp/lb.h"
#include "evenflow.h"

enum ef_lookup_by {
	EF_BY_NONE = 0,	 /* no live entry and no table: the packet is dropped */
	EF_BY_CONNTRACK, /* the flow's live connection entry */
	EF_BY_TABLE,	 /* the Maglev table's slot */
};

struct ef_lookup {
	__u32 hash, fp;	      /* the flow's hash and fingerprint (lib/hash.h) */
	__u32 table_size;     /* 0: the VIP has no table (no backend up) */
	__u32 slot;	      /* hash % table_size */
	__u32 table_backend;  /* the slot's backend id */
	bool ct_exists;	      /* a connection entry names the flow */
	bool ct_live;	      /* and its backend may still carry it, and it has not idled out */
	bool ct_backend_up;   /* the entry's backend is up (not draining) */
	bool ct_expired;      /* it idled out (by the kernel's clock) */
	__u32 ct_backend;     /* the entry's backend id */
	const char *ct_state; /* "new" (one packet seen), "established", "closing" or "udp" */
	int ct_idle_s;	      /* seconds since its last packet; -1: no clock to tell */
	__u32 ct_timeout_s;   /* the idle timeout that applies to it */
	const char *stale;    /* why an entry that exists is not used */
	enum ef_lookup_by by;
	__u32 chosen;	  /* the backend id the flow's next packet takes (by != NONE) */
	__u32 syn_chosen; /* the one a TCP SYN (a new connection) takes; EF_NO_BACKEND: none */
};

/* The decision for flow fk of VIP vip (its key and entry, as ef_vip_get
 * reads them). 0 or a negative errno (recorded). */
int ef_lookup(struct ef_dp *dp, const struct ef_vip *vip, const struct ef_flow_key *fk,
	      struct ef_lookup *out);

#endif /* EF_LOOKUP_H */
