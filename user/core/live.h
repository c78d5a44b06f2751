/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * live.h: the configuration the data plane runs, read from the active
 * generation (see evenflow.h, "Configuration generations"): as a whole
 * (ef_conf_read, what every change starts from) or piece by piece for the
 * listing commands. Every read here goes through lib/gen_key.h's keys.
 */
#ifndef EF_LIVE_H
#define EF_LIVE_H

#include <stddef.h>

#include "core/model.h"
#include "dp/lb.h"
#include "evenflow.h"

/* The running configuration (VIPs sorted by family, address, protocol,
 * port; backends by family and address; room for EF_MAX_VIPS VIPs). Free
 * with ef_conf_free. */
int ef_conf_read(struct ef_dp *dp, struct ef_conf *out);

struct ef_vip_entry {
	struct ef_vip_key key;
	struct ef_vip vip; /* id filled */
};

/* Every VIP, sorted by family, address, protocol, port (malloc'd). */
int ef_vip_list(struct ef_dp *dp, struct ef_vip_entry **out, size_t *n);
/* -ENOENT with "vip X: no such VIP" recorded. */
int ef_vip_get(struct ef_dp *dp, const struct ef_vip_key *key, struct ef_vip *vip);

/* The whole backend array of the active generation (EF_MAX_BACKENDS
 * entries, malloc'd). */
int ef_backends_read(struct ef_dp *dp, struct ef_backend **all);
/* Backend id of the active generation (EF_BE_FREE state if unused). */
int ef_backend_read(struct ef_dp *dp, __u32 id, struct ef_backend *b);
/* Backends of vip_id in an array read whole. */
size_t ef_backend_count(const struct ef_backend *all, __u32 vip_id);

/* The live table of a VIP: *table[0..*m-1] = backend ids (malloc'd);
 * -ENOENT (nothing recorded) if it has none. */
int ef_table_read(struct ef_dp *dp, __u32 vip_id, __u32 **table, __u32 *m);
/* The BPF map id of the VIP's live table (the inner map), 0 if none. */
__u32 ef_table_map_id(struct ef_dp *dp, __u32 vip_id);

/* What the listing commands show: the data plane open, its VIPs (every one,
 * or the one asked for) and its backend array (by id). */
struct ef_listing {
	struct ef_dp dp;
	struct ef_vip_entry *vips;
	size_t n_vips;
	struct ef_backend *backends; /* EF_MAX_BACKENDS entries */
};

/* Opens the data plane under pin_dir (never loading one: -ENOENT recorded
 * when there is none) and reads the VIPs (only: that one, else all) and the
 * backends; on failure nothing is left open. */
int ef_listing_open(const char *pin_dir, const struct ef_vip_key *only, struct ef_listing *l);
void ef_listing_close(struct ef_listing *l);

#endif /* EF_LIVE_H */
