// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lookup.c: a flow's backend, decided as the data plane decides; see
 * lookup.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "core/live.h"
#include "core/lookup.h"
#include "lib/ct_entry.h"
#include "lib/hash.h"
#include "util/kclock.h"
#include "util/log.h"

/* The connection entry of the flow with this hash and fingerprint: 0, or
 * -ENOENT. Same bucket and way rules as bpf/lib/select.h. */
static int conntrack_find(const struct ef_dp *dp, __u32 hash, __u32 fp, __u64 *entry)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), index;
	struct ef_ct_bucket b;

	if (bpf_obj_get_info_by_fd(dp->conntrack, &info, &len) || !info.max_entries)
		return -ENOENT;
	index = hash & (info.max_entries - 1);
	if (bpf_map_lookup_elem(dp->conntrack, &index, &b))
		return -ENOENT;
	for (int w = 0; w < EF_CT_WAYS; w++) {
		if (ef_ct_is(b.way[w], fp)) {
			*entry = b.way[w];
			return 0;
		}
	}
	return -ENOENT;
}

/* The entry's state, in words. */
static const char *state_of(__u64 e)
{
	if (e & EF_CT_UDP)
		return "udp";
	if (e & EF_CT_CLOSING)
		return "closing";
	return e & EF_CT_ESTAB ? "established" : "new";
}

/* How long the entry has idled and whether that is past its timeout, by
 * the kernel's clock as the data plane reads it (unknown without it). */
static void entry_age(struct ef_dp *dp, __u64 e, struct ef_lookup *l)
{
	__u32 shift, hz, units;
	struct ef_dp_cfg cfg;
	__u64 now;

	l->ct_idle_s = -1;
	if (ef_dp_get_cfg(dp, &cfg) || ef_jiffies(&now) || ef_kernel_hz(&hz)) {
		ef_err_clear();
		return;
	}
	l->ct_timeout_s = ef_ct_timeout_of(e, cfg.udp_idle_s, cfg.tcp_idle_s, &shift);
	units = (ef_seen_at(now, shift) - ef_ct_seen(e)) & EF_CT_SEEN_MASK;
	l->ct_idle_s = (int)(((__u64)units << shift) / hz);
	l->ct_expired = ef_ct_idled(e, now, l->ct_timeout_s, shift, hz);
}

/* The flow's connection entry and whether its backend still carries it. */
static int lookup_conntrack(struct ef_dp *dp, const struct ef_vip *vip, struct ef_lookup *l)
{
	struct ef_backend b;
	__u64 entry;
	int err;

	if (conntrack_find(dp, l->hash, l->fp, &entry))
		return 0;
	l->ct_exists = true;
	l->ct_backend = ef_ct_id(entry);
	l->ct_state = state_of(entry);
	entry_age(dp, entry, l);
	err = ef_backend_read(dp, l->ct_backend, &b);
	if (err)
		return err;
	l->ct_backend_up = b.state == EF_BE_UP;
	l->ct_live = ef_ct_gen_ok(entry, b.gen) && b.vip_id == vip->id &&
		     (b.state == EF_BE_UP || b.state == EF_BE_DRAIN) && !l->ct_expired;
	if (b.state == EF_BE_FREE)
		l->stale = "its backend was removed";
	else if (!ef_ct_gen_ok(entry, b.gen) || b.vip_id != vip->id)
		l->stale = "its backend id was given to another backend since";
	else if (b.state != EF_BE_UP && b.state != EF_BE_DRAIN)
		l->stale = "its backend is down";
	else if (l->ct_expired)
		l->stale = "it idled out";
	return 0;
}

int ef_lookup(struct ef_dp *dp, const struct ef_vip *vip, const struct ef_flow_key *fk,
	      struct ef_lookup *l)
{
	__u32 *table = NULL, m = 0;
	int err;

	memset(l, 0, sizeof(*l));
	l->table_backend = l->chosen = l->syn_chosen = EF_NO_BACKEND;
	ef_flow_hash2(fk, &l->hash, &l->fp);
	err = ef_table_read(dp, vip->id, &table, &m);
	if (err && err != -ENOENT)
		return err;
	if (m) {
		l->table_size = m;
		l->slot = l->hash % m;
		l->table_backend = table[l->slot];
	}
	free(table);
	err = lookup_conntrack(dp, vip, l);
	if (err)
		return err;
	if (l->ct_live) {
		l->by = EF_BY_CONNTRACK;
		l->chosen = l->ct_backend;
	} else if (m) {
		l->by = EF_BY_TABLE;
		l->chosen = l->table_backend;
	}
	/* a SYN stays on a live entry only while its backend is up */
	l->syn_chosen = l->ct_live && l->ct_backend_up ? l->ct_backend : l->table_backend;
	if (!l->ct_live && !m)
		l->syn_chosen = EF_NO_BACKEND;
	return 0;
}
