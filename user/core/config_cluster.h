/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * config_cluster.h: the configuration file's keys for running beside other
 * load balancers: `announce` (the VIP addresses offered to the routing
 * daemon), a VIP's own `min-up`, and `siblings` (the other load balancers
 * whose fingerprints the daemon compares with its own). Their rows are in
 * config_cluster.c; the top-level table (config_file.c) and the VIP table
 * (config_vips.c) name them.
 */
#ifndef EF_CONFIG_CLUSTER_H
#define EF_CONFIG_CLUSTER_H

#include "core/config_schema.h"

#define EF_ANNOUNCE_MIN_UP_DEFAULT   1
#define EF_ANNOUNCE_DRAIN_DEFAULT    10000 /* ms */
#define EF_SIBLINGS_INTERVAL_DEFAULT 2000  /* ms */
#define EF_SIBLINGS_GRACE_DEFAULT    10000 /* ms */

/* announce: a mapping of the announce keys (the section turns it on). */
/* The keys of announce: and siblings:. */
extern const struct ef_cfg_key ef_cfg_announce_keys[];
extern const struct ef_cfg_key ef_cfg_siblings_keys[];

int ef_cfg_parse_announce(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			  const char *where, void *obj);
/* siblings: a mapping of the siblings keys. */
int ef_cfg_parse_siblings(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			  const char *where, void *obj);
/* A VIP's min-up (obj: the VIP being read, struct ef_vip_in). */
int ef_cfg_parse_vip_min_up(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			    const char *where, void *obj);

/* After the whole file is read: every VIP's min-up (its own, else
 * announce.min-up), and a VIP's own min-up larger than its number of
 * backends refused at its position. 0 or -EINVAL (errors recorded). */
int ef_cfg_cluster_finish(struct ef_cfg_parse *p);

/*
 * A sibling's metrics URL: http://ADDR:PORT/PATH with ADDR an IPv4 address
 * or a bracketed IPv6 one (no name to resolve: the daemon never blocks on
 * DNS), PORT 1..65535, PATH from '/' on, printable without spaces, all of
 * it shorter than EF_PEER_URL_MAX. 0, or -EINVAL with *why.
 */
int ef_peer_url_check(const char *url, const char **why);

#endif /* EF_CONFIG_CLUSTER_H */
