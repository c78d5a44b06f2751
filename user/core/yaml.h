/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * yaml.h: a YAML text read as a stream of events (libfyaml's parser), for
 * the configuration file. No document tree is built: memory stays a small
 * multiple of the text, however it is shaped (a tree took 160 bytes per
 * input byte), and the reader never holds more than one value.
 *
 * Every error becomes one line "NAME:LINE:COL: what" in the caller's
 * ef_config_errors (core/config.h), in the order they are found.
 */
#ifndef EF_YAML_H
#define EF_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include <libfyaml.h>

#include "core/config.h"

/* Longest scalar a configuration has a use for (a health-check path is
 * the longest value: 127 bytes). */
#define EF_YAML_SCALAR_MAX 256

struct ef_yaml {
	const char *name; /* the file, for messages */
	struct fy_parser *fyp;
	struct fy_diag *diag;
	struct ef_config_errors *errs;
	bool broken; /* the text is not YAML: its error is recorded, no event follows */
	bool nomem;
};

/* A parser over buf[0..len-1] (which must outlive it): 0 or -ENOMEM. */
int ef_yaml_open(struct ef_yaml *y, const char *name, const char *buf, size_t len,
		 struct ef_config_errors *errs);
void ef_yaml_close(struct ef_yaml *y);

/* The next event, NULL at the end of the stream or when the text is not
 * YAML (y->broken, the parser's error recorded). Free with ef_yaml_free. */
struct fy_event *ef_yaml_next(struct ef_yaml *y);
void ef_yaml_free(struct ef_yaml *y, struct fy_event *ev);
/* Consumes the rest of the value ev starts (a whole mapping or sequence)
 * and frees ev. */
void ef_yaml_skip(struct ef_yaml *y, struct fy_event *ev);

/* Where ev starts (1-based; 0:0 if it has no position). */
struct ef_pos ef_yaml_pos(struct fy_event *ev);
/* The text of a scalar event into buf (NUL-terminated): 0, or -E2BIG if
 * it is longer than len - 1 or holds a NUL byte (nothing recorded). */
int ef_yaml_scalar(struct fy_event *ev, char *buf, size_t len);

/* Records "NAME:LINE:COL: fmt..." (without the position when pos.line is
 * 0); returns -EINVAL. */
__attribute__((format(printf, 3, 4))) int ef_yaml_err(struct ef_yaml *y, struct ef_pos pos,
						      const char *fmt, ...);

/* Records one line "fmt..." as it is (no position added). */
__attribute__((format(printf, 2, 3))) void ef_config_add_error(struct ef_config_errors *errs,
							       const char *fmt, ...);

#endif /* EF_YAML_H */
