/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * conf.h: a whole configuration of VIPs and backends, read from the data
 * plane and committed to it all or nothing.
 *
 * The data plane holds two generations of its configuration maps and reads
 * the one a single word names; a commit writes the whole new configuration
 * into the other generation, then flips that word. A packet therefore sees
 * the old configuration or the new one, never a mix, and a commit killed at
 * any moment leaves the old one running (the half-written generation is
 * rewritten by the next commit). See bpf/lib/gen.h.
 *
 * Backend ids and gens are kept for backends that stay (same VIP, same
 * address), so connection entries keep pointing at the right backend.
 */
#ifndef EF_CONF_H
#define EF_CONF_H

#include <stddef.h>

#include "dp/dataplane.h"
#include "evenflow.h"

/* A backend of a VIP. */
struct ef_conf_backend {
	struct ef_addr addr;
	__u8 family;  /* enum ef_family */
	__u8 state;   /* EF_BE_UP, EF_BE_DRAIN or EF_BE_DOWN */
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

/* The running configuration (VIPs sorted by family, address, protocol,
 * port; backends by family and address). Free with ef_conf_free. */
int ef_conf_read(struct ef_dp *dp, struct ef_conf *out);

void ef_conf_free(struct ef_conf *c);

/*
 * Makes `want` the running configuration, all or nothing: validates it
 * (families, weights, table sizes, duplicates: -EINVAL with one recorded
 * error line naming the input), builds every table, writes the inactive
 * generation, flips. Returns 0 or a negative errno (nothing changed then).
 */
int ef_conf_commit(struct ef_dp *dp, const struct ef_conf *want);

#endif /* EF_CONF_H */
