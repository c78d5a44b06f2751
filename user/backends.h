/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * backends.h: backends of VIPs in evenflow_backends (library API).
 *
 * Ids are indexes of the global array evenflow_backends. A new backend takes
 * the lowest FREE id; when none is left, the lowest REMOVED one. Reusing a
 * REMOVED id is safe because every hand-out bumps the entry's gen and the data
 * plane drops a connection entry whose gen differs: a flow pinned to the old
 * backend is hashed again instead of following the id to the new one.
 * Re-adding an address that is REMOVED on the same VIP takes its old id back
 * (with a new gen, too).
 */
#ifndef EF_BACKENDS_H
#define EF_BACKENDS_H

#include <stdbool.h>
#include <stddef.h>

#include "dataplane.h"
#include "evenflow.h"

#define EF_WEIGHT_DEFAULT 1

/* The whole evenflow_backends array (EF_MAX_BACKENDS entries, malloc'd). */
int ef_backends_read(struct ef_dp *dp, struct ef_backend **all);

/* Id of the backend addr of vip_id (REMOVED ones too if with_removed), or -1. */
int ef_backend_find(const struct ef_backend *all, __u32 vip_id, const struct ef_addr *addr,
		    __u8 family, bool with_removed);
/* Backends of vip_id that are not REMOVED (nor FREE). */
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
