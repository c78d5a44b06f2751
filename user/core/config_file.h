/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * config_file.h: reading the configuration file (YAML) into a struct
 * ef_config (core/config.h).
 *
 * Pure: no BPF, no network. The whole file is validated before anything is
 * returned, and every problem found becomes one line
 *
 *     FILE:LINE:COL: what is wrong
 *
 * (LINE and COL 1-based, pointing at the offending key or value), in file
 * order, then the cross-checks (duplicates, families, table sizes).
 */
#ifndef EF_CONFIG_FILE_H
#define EF_CONFIG_FILE_H

#include <stddef.h>

#include "core/config.h"

/*
 * Parses and validates buf[0..len-1] (name: the file name for messages).
 * 0 and *cfg filled (free with ef_config_free), or -EINVAL with errs filled
 * and *cfg empty; -ENOMEM.
 */
int ef_config_parse(const char *name, const char *buf, size_t len, struct ef_config *cfg,
		    struct ef_config_errors *errs);

/* Reads the file at path, then ef_config_parse. A read error is one line
 * "FILE: cannot read: ..." in errs (-errno). */
int ef_config_load(const char *path, struct ef_config *cfg, struct ef_config_errors *errs);

void ef_config_free(struct ef_config *cfg);

/* "tcp", "http", "none". */
const char *ef_hc_type_str(int type);

#endif /* EF_CONFIG_FILE_H */
