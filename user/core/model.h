/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * model.h: a whole configuration of VIPs and backends in memory, the form
 * every path (the CLI, apply, the daemon) reads, changes and commits
 * (core/commit.h), and the rules a configuration must follow.
 *
 * Pure: no BPF, no I/O.
 */
#ifndef EF_MODEL_H
#define EF_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "evenflow.h"

#define EF_WEIGHT_DEFAULT 1

/* A backend of a VIP. */
struct ef_conf_backend {
	struct ef_addr addr;
	__u8 family; /* enum ef_family */
	__u8 admin;  /* the operator's: EF_BE_UP, EF_BE_DRAIN or EF_BE_DOWN */
	__u8 health; /* the checker's: enum ef_backend_health */
	/* what the data plane does with it: EF_BE_UP, EF_BE_DRAIN or
	 * EF_BE_DOWN, set by ef_conf_effective from admin and health */
	__u8 state;
	__u16 weight; /* 1..65535 */
};

/* A VIP and its backends. */
struct ef_conf_vip {
	struct ef_vip_key key;
	/* forward, flags, src4, src6, table_size (0: default); id is ignored on
	 * commit (ids are kept for VIPs that stay) and filled by ef_conf_read */
	struct ef_vip vip;
	struct ef_conf_backend *backends;
	size_t n_backends;
};

/* Every VIP. */
struct ef_conf {
	struct ef_conf_vip *vips;
	size_t n_vips;
};

void ef_conf_free(struct ef_conf *c);
/* A deep copy (dst is overwritten): 0 or -ENOMEM (nothing recorded). */
int ef_conf_copy(const struct ef_conf *src, struct ef_conf *dst);

/* The VIP of key / the backend (addr, family) of a VIP, or NULL. */
struct ef_conf_vip *ef_conf_find_vip(const struct ef_conf *c, const struct ef_vip_key *key);
struct ef_conf_backend *ef_conf_find_backend(const struct ef_conf_vip *v,
					     const struct ef_addr *addr, __u8 family);

/* Total orders: VIPs by family, address, protocol, port; backends by family
 * and address (the order of the Maglev fill). */
int ef_conf_vip_cmp(const void *a, const void *b);
int ef_conf_backend_cmp(const void *a, const void *b);
/* Sorts the VIPs and each VIP's backends. */
void ef_conf_sort(struct ef_conf *c);

/* Whether a backend of family fits a VIP (forwarding rules); else *why. */
bool ef_backend_family_ok(const struct ef_vip_key *key, const struct ef_vip *vip, __u8 family,
			  const char **why);

/* Table size for a VIP with n backends (up, drain and down alike): its own,
 * else the default (0: too many backends for any table). */
__u32 ef_vip_table_size(const struct ef_vip *vip, size_t n_backends);

/* The health of every backend of want that runs: its verdict in running
 * (a file or a CLI change says nothing of health). */
void ef_conf_keep_health(struct ef_conf *want, const struct ef_conf *running);

/*
 * The effective state of every backend of want, from its admin state and
 * its health: admin drain or down wins; admin up is up unless unhealthy.
 * A VIP whose admin-up backends would all be down for their health fails
 * open (EF_VIP_F_FAIL_OPEN): the ones up in running stay up (the last
 * known good set), or, if none of them was, every admin-up backend.
 * running may be NULL (nothing runs).
 */
void ef_conf_effective(struct ef_conf *want, const struct ef_conf *running);

/* Checks the rules a configuration must follow to be committed (families,
 * weights, states, table sizes, duplicates, limits): 0, or a negative errno
 * with one error line recorded naming the VIP and backend. */
int ef_conf_validate(const struct ef_conf *c);

/* "unchecked", "healthy", "unhealthy". */
const char *ef_health_str(__u8 health);
/* "up"/"drain"/"down" ("free" for an unused slot) and back (-1: unknown). */
const char *ef_state_str(__u8 state);
int ef_state_parse(const char *s);
/* "ipip"/"l2" and back (-1: unknown). */
const char *ef_forward_str(__u8 forward);
int ef_forward_parse(const char *s);

#endif /* EF_MODEL_H */
