/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * lookup.h: the backend the data plane picks for a flow, computed the way
 * it computes it (bpf/lib/select.h), from the active configuration
 * generation: the flow's hash and slot in the VIP's table, its connection
 * entry if any and whether that entry still holds, and the decision.
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
	__u32 hash, fp;	     /* the flow's hash and fingerprint (lib/hash.h) */
	__u32 table_size;    /* 0: the VIP has no table (no backend up) */
	__u32 slot;	     /* hash % table_size */
	__u32 table_backend; /* the slot's backend id */
	bool ct_exists;	     /* a connection entry names the flow */
	bool ct_live;	     /* and its backend may still carry it */
	__u32 ct_backend;    /* the entry's backend id */
	/* the entry's state: "new" (one packet seen), "established" or
	 * "closing" (a FIN or RST seen); lib/ct_entry.h */
	const char *ct_state;
	const char *stale; /* why an entry that exists is not used */
	enum ef_lookup_by by;
	__u32 chosen; /* the backend id a packet of the flow takes (by != NONE) */
};

/* The decision for flow fk of VIP vip (its key and entry, as ef_vip_get
 * reads them). 0 or a negative errno (recorded). */
int ef_lookup(struct ef_dp *dp, const struct ef_vip *vip, const struct ef_flow_key *fk,
	      struct ef_lookup *out);

#endif /* EF_LOOKUP_H */
