/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * vips.h: VIPs and their Maglev tables in the pinned maps (the library the
 * CLI, and later the daemon, are built on).
 *
 * Every change validates all its inputs and prepares everything it can
 * (new tables included) before its first map write, and writes in the order
 * that never shows the data plane a half-made VIP:
 *   add:    table, then evenflow_vip_addrs + evenflow_vip_filter, then evenflow_vips;
 *   delete: evenflow_vips, then addresses + filter, then table and backends.
 */
#ifndef EF_VIPS_H
#define EF_VIPS_H

#include <stddef.h>

#include "dataplane.h"
#include "evenflow.h"

struct ef_vip_entry {
	struct ef_vip_key key;
	struct ef_vip vip;
};

/* A prepared Maglev table: fd of the new inner map, or -1 for "no backend up:
 * remove the table". */
struct ef_table {
	int fd;
	__u32 size;
	int nup;
};

/* Adds key with settings in vip (forward, flags, src, table_size; id is
 * chosen here and written back). */
int ef_vip_add(struct ef_dp *dp, const struct ef_vip_key *key, struct ef_vip *vip);
int ef_vip_del(struct ef_dp *dp, const struct ef_vip_key *key);
/* -ENOENT with "vip X: no such VIP" recorded. */
int ef_vip_get(struct ef_dp *dp, const struct ef_vip_key *key, struct ef_vip *vip);
/* Every VIP, sorted by family, address, protocol, port (malloc'd). */
int ef_vip_list(struct ef_dp *dp, struct ef_vip_entry **out, size_t *n);

/* Table size for a VIP with n backends (not removed): its own, else the default. */
__u32 ef_vip_table_size(const struct ef_vip *vip, size_t n_backends);

/* Builds the table of vip from all[EF_MAX_BACKENDS] into a new inner map, not
 * yet visible to the data plane. */
int ef_table_prepare(const struct ef_vip *vip, const struct ef_backend *all, struct ef_table *t);
/* Swaps it in with one write (or removes the table when t->fd < 0); closes
 * t->fd. */
int ef_table_commit(struct ef_dp *dp, __u32 vip_id, struct ef_table *t);
void ef_table_discard(struct ef_table *t);
/* The live table of a VIP: *table[0..*m-1] = backend ids (malloc'd);
 * -ENOENT if it has none. */
int ef_table_read(struct ef_dp *dp, __u32 vip_id, __u32 **table, __u32 *m);

#endif /* EF_VIPS_H */
