/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * edit.h: one change to the running configuration (the CLI's vip and
 * backend commands): read it whole (core/live.h), change it in memory,
 * commit it whole (core/commit.h), so each is all or nothing.
 *
 * Backends keep their id and gen while they stay; a new one takes a free
 * id that no connection entry names, with a gen above any that id had, so
 * a stale entry never follows an id to another backend.
 */
#ifndef EF_EDIT_H
#define EF_EDIT_H

#include "dp/lb.h"
#include "evenflow.h"

/* Adds key with settings in vip (forward, flags, src, table_size), with no
 * backend yet. */
int ef_vip_add(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_vip *vip);
int ef_vip_del(struct ef_dp *dp, const struct ef_vip_key *key);

/* weight 1..65535; starts up. */
int ef_backend_add(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
		   __u8 family, __u16 weight);
/* weight 0 / state EF_BE_FREE: keep. */
int ef_backend_set(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
		   __u8 family, __u16 weight, __u8 state);
int ef_backend_del(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
		   __u8 family);

#endif /* EF_EDIT_H */
