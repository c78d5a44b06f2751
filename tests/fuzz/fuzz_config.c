// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_config: libFuzzer target for the configuration parser and validator
 * (user/config.c): any input must give either a configuration or error
 * lines, with no crash, leak or sanitizer report. `make fuzz` runs it for
 * FUZZ_TIME seconds over tests/fuzz/corpus.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/config_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ef_config_errors errs;
	struct ef_config cfg;
	size_t i;
	int err;

	err = ef_config_parse("fuzz.yaml", (const char *)data, size, &cfg, &errs);
	if (err) {
		/* failure: error lines and nothing else */
		if (!errs.shown || cfg.conf.vips || cfg.vx)
			__builtin_trap();
		for (i = 0; i < errs.shown; i++)
			if (strnlen(errs.line[i], EF_CONFIG_ERR_LEN) >= EF_CONFIG_ERR_LEN)
				__builtin_trap();
		return 0;
	}
	/* success: what validation promises holds */
	for (i = 0; i < cfg.conf.n_vips; i++) {
		const struct ef_conf_vip *v = &cfg.conf.vips[i];
		size_t j;

		if (v->key.family != EF_FAMILY_V4 && v->key.family != EF_FAMILY_V6)
			__builtin_trap();
		/* the file gives the operator's state (admin); the effective
		 * one is derived when it is committed */
		for (j = 0; j < v->n_backends; j++)
			if (!v->backends[j].weight || (v->backends[j].admin != EF_BE_UP &&
						       v->backends[j].admin != EF_BE_DOWN &&
						       v->backends[j].admin != EF_BE_DRAIN))
				__builtin_trap();
		if (cfg.vx[i].min_up > 65535)
			__builtin_trap();
	}
	ef_config_free(&cfg);
	return 0;
}
