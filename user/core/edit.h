/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * edit.h: one change to the running configuration (the CLI's vip and
 * backend commands): read it whole (core/live.h), change it in memory,
 * judge it with the safety check (core/safety.h), commit it whole
 * (core/commit.h), so each is all or nothing and as safe as `apply`.
 *
 * limits NULL: the change is forced (--force). A refused change returns
 * -EPERM with "refused: <the first refusal>" recorded and changes nothing.
 *
 * Backends keep their id and gen while they stay; a new one takes a free
 * id that no connection entry names, with a gen above any that id had, so
 * a stale entry never follows an id to another backend.
 */
#ifndef EF_EDIT_H
#define EF_EDIT_H

#include "core/safety.h"
#include "dp/lb.h"
#include "evenflow.h"

/* Adds key with settings in vip (forward, flags, src, table_size), with no
 * backend yet. */
int ef_vip_add(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_vip *vip);
/* Removes a VIP and its backends (named: no removal is refused for it). */
int ef_vip_del(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_safety *limits);

/* weight 1..65535; admin state up. */
int ef_backend_add(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
		   __u8 family, __u16 weight, const struct ef_safety *limits);
/* weight 0 / admin state EF_BE_FREE: keep. */
int ef_backend_set(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
		   __u8 family, __u16 weight, __u8 admin, const struct ef_safety *limits);
int ef_backend_del(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
		   __u8 family, const struct ef_safety *limits);

#endif /* EF_EDIT_H */
