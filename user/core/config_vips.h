/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* config_vips.h: the configuration file's `vips` key: the VIP and backend
 * tables and the list reader (config_schema.h). */
#ifndef EF_CONFIG_VIPS_H
#define EF_CONFIG_VIPS_H

#include "core/config_schema.h"

extern const struct ef_cfg_key ef_cfg_vip_keys[];
extern const struct ef_cfg_key ef_cfg_backend_keys[];

/* vips: a list of VIP mappings, each appended to the configuration. */
int ef_cfg_parse_vips(struct ef_cfg_parse *p, struct fy_event *ev, const struct ef_cfg_key *k,
		      const char *where, void *obj);

#endif /* EF_CONFIG_VIPS_H */
