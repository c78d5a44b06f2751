/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * backends.h: backends of VIPs (library API). Reads look at the active
 * configuration generation; changes go through ef_conf_commit (conf.h).
 *
 * Ids index evenflow_backends. A backend keeps its id and gen while it
 * stays; a new one takes a free id that no connection entry names, with a
 * gen above any that id had, so a stale entry never follows an id to another
 * backend (the data plane compares gens).
 */
#ifndef EF_BACKENDS_H
#define EF_BACKENDS_H

#include <stdbool.h>
#include <stddef.h>

#include "dp/dataplane.h"
#include "evenflow.h"

#define EF_WEIGHT_DEFAULT 1

/* The whole evenflow_backends array (EF_MAX_BACKENDS entries, malloc'd). */
int ef_backends_read(struct ef_dp *dp, struct ef_backend **all);

/* Backends of vip_id. */
size_t ef_backend_count(const struct ef_backend *all, __u32 vip_id);

/* Whether a backend of family fits a VIP (forwarding rules); else *why. */
bool ef_backend_family_ok(const struct ef_vip_key *key, const struct ef_vip *vip, __u8 family,
			  const char **why);

/* The kernel's choice of source address toward addr (UDP connect()); with
 * poke, also sends one byte to its discard port so that its neighbour
 * entry (ARP/ND) is resolved before the first packet. */
int ef_route_src(const struct ef_addr *addr, __u8 family, bool poke, struct ef_addr *src);

int ef_backend_add(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
		   __u8 family, __u16 weight);
/* weight 0 / state EF_BE_FREE: keep. */
int ef_backend_set(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
		   __u8 family, __u16 weight, __u8 state);
int ef_backend_del(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
		   __u8 family);

const char *ef_state_str(__u8 state);
/* "up"/"down"/"drain" -> EF_BE_*, else -1. */
int ef_state_parse(const char *s);

#endif /* EF_BACKENDS_H */
