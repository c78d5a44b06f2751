/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* stats.h: per-CPU counters of the LB program (maps in maps.h). */
#ifndef EF_STATS_H
#define EF_STATS_H

#include "maps.h"

/* Count one packet under its verdict reason and return the XDP action. */
static __always_inline int ef_verdict(enum ef_verdict reason, int action)
{
	__u32 key = reason;
	__u64 *count = bpf_map_lookup_elem(&evenflow_verdicts, &key);

	if (count)
		*count += 1;
	return action;
}

/* Count one connection-table event. */
static __always_inline void ef_ct_count(enum ef_ct_stat what)
{
	__u32 key = what;
	__u64 *count = bpf_map_lookup_elem(&evenflow_ct_stats, &key);

	if (count)
		*count += 1;
}

/* Account a packet sent to a backend to its VIP and that backend. */
static __always_inline void ef_count_traffic(__u32 vip_id, __u32 backend_id, __u64 bytes,
					     int new_flow)
{
	struct ef_traffic *t;

	t = bpf_map_lookup_elem(&evenflow_vip_stats, &vip_id);
	if (t) {
		t->packets++;
		t->bytes += bytes;
		t->new_flows += new_flow;
	}
	t = bpf_map_lookup_elem(&evenflow_backend_stats, &backend_id);
	if (t) {
		t->packets++;
		t->bytes += bytes;
		t->new_flows += new_flow;
	}
}

#endif /* EF_STATS_H */
