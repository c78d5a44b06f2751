/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * vips.h: VIPs and their Maglev tables as the data plane runs them (the
 * library the CLI and the daemon are built on). Reads look at the active
 * configuration generation; changes go through ef_conf_commit (conf.h), so
 * each is all or nothing for the data plane.
 */
#ifndef EF_VIPS_H
#define EF_VIPS_H

#include <stddef.h>

#include "dp/dataplane.h"
#include "evenflow.h"

struct ef_vip_entry {
	struct ef_vip_key key;
	struct ef_vip vip;
};

/* Adds key with settings in vip (forward, flags, src, table_size), with no
 * backend yet. */
int ef_vip_add(struct ef_dp *dp, const struct ef_vip_key *key, struct ef_vip *vip);
int ef_vip_del(struct ef_dp *dp, const struct ef_vip_key *key);
/* -ENOENT with "vip X: no such VIP" recorded. */
int ef_vip_get(struct ef_dp *dp, const struct ef_vip_key *key, struct ef_vip *vip);
/* Every VIP, sorted by family, address, protocol, port (malloc'd). */
int ef_vip_list(struct ef_dp *dp, struct ef_vip_entry **out, size_t *n);

/* What the listing commands show: the data plane open, its VIPs (every one,
 * or the one asked for) and its backend array (by id). */
struct ef_listing {
	struct ef_dp dp;
	struct ef_vip_entry *vips;
	size_t n_vips;
	struct ef_backend *backends; /* EF_MAX_BACKENDS entries */
};

/* Opens the data plane under pin_dir and reads the VIPs (only: that one,
 * else all) and the backends; on failure nothing is left open. */
int ef_listing_open(const char *pin_dir, const struct ef_vip_key *only, struct ef_listing *l);
void ef_listing_close(struct ef_listing *l);

/* Table size for a VIP with n backends (not removed): its own, else the default. */
__u32 ef_vip_table_size(const struct ef_vip *vip, size_t n_backends);

/* The live table of a VIP: *table[0..*m-1] = backend ids (malloc'd);
 * -ENOENT if it has none. */
int ef_table_read(struct ef_dp *dp, __u32 vip_id, __u32 **table, __u32 *m);

#endif /* EF_VIPS_H */
