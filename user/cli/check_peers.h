/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * check_peers.h: `evenflow check --peer URL...`: the running configuration's
 * fingerprints compared once, VIP by VIP, with those of sibling load
 * balancers read from their /metrics (what the daemon does every
 * siblings.interval, core/sibling.h), for scripts and by hand.
 */
#ifndef EF_CHECK_PEERS_H
#define EF_CHECK_PEERS_H

#include <stddef.h>

#include "core/config.h"

#define EF_CHECK_PEER_TIMEOUT_MS 5000 /* per sibling, all fetched at once */

/* The --peer options given (URLs checked by ef_peer_url_check). */
struct ef_check_peers {
	const char *url[EF_PEERS_MAX];
	size_t n;
};

/* Compares the data plane under pin_dir with every sibling: 0 when all
 * agree; -ERANGE naming the first VIP that differs and its sibling, or
 * -EHOSTUNREACH naming a sibling that cannot be read (recorded). */
int ef_check_peers(const char *pin_dir, const struct ef_check_peers *p);

#endif /* EF_CHECK_PEERS_H */
