/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * config_devices.h: the configuration file's `decap` section (a backend's
 * daemon attaches the decap program to its devices and keeps this host's
 * addresses in its map) and `dataplane` section (the LB's daemon loads the
 * data plane with its load-time settings and keeps it on its devices). Its rows are in
 * config_devices.c; the top-level table (config_file.c) names it.
 */
#ifndef EF_CONFIG_DEVICES_H
#define EF_CONFIG_DEVICES_H

#include "core/config_schema.h"

/* The keys of decap: and dataplane:. */
extern const struct ef_cfg_key ef_cfg_decap_keys[];
extern const struct ef_cfg_key ef_cfg_dataplane_keys[];

/* decap: a mapping with `devices` (the section turns it on). */
int ef_cfg_parse_decap(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
		       const char *where, void *obj);
/* dataplane: a mapping with `devices`, `conntrack-size`, `udp-timeout`. */
int ef_cfg_parse_dataplane(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
			   const char *where, void *obj);

#endif /* EF_CONFIG_DEVICES_H */
