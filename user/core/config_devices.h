/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * config_devices.h: the configuration file's `decap` section (a backend's
 * daemon attaches the decap program to its devices and keeps this host's
 * addresses in its map). Its rows are in config_devices.c; the top-level
 * table (config_file.c) names it.
 */
#ifndef EF_CONFIG_DEVICES_H
#define EF_CONFIG_DEVICES_H

#include "core/config_schema.h"

/* decap: a mapping with `devices` (the section turns it on). */
/* The keys of decap:. */
extern const struct ef_cfg_key ef_cfg_decap_keys[];

int ef_cfg_parse_decap(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
		       const char *where, void *obj);

#endif /* EF_CONFIG_DEVICES_H */
