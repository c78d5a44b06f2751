/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * output.h: one printing path for text and JSON (after iproute2's json_print).
 *
 * A command prints each value once, with a key (for JSON) and a printf format
 * (for text; NULL prints nothing in text mode). Under -j the values build a
 * JSON document (jansson) that out_finish() writes to stdout; otherwise they
 * are printed as they come.
 */
#ifndef EF_OUTPUT_H
#define EF_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

void out_init(bool json);
bool out_is_json(void);

/* Containers. key is NULL inside an array (and for the top-level object). */
void out_obj_open(const char *key);
void out_obj_close(void);
void out_arr_open(const char *key);
void out_arr_close(void);

void out_str(const char *key, const char *fmt, const char *val);
void out_u64(const char *key, const char *fmt, uint64_t val);
void out_double(const char *key, const char *fmt, double val);
/* A share: a fraction 0..1 in JSON (rounded to 6 decimals), a percentage
 * (100 * fraction) through fmt in text. */
void out_share(const char *key, const char *fmt, double fraction);
void out_bool(const char *key, const char *fmt, bool val);
/* Text mode only (headings, newlines). */
__attribute__((format(printf, 1, 2))) void out_text(const char *fmt, ...);

/* Periodic output (stats --interval): under -j, writes the document so far
 * as one line and starts a new one; in text mode, flushes stdout. */
void out_line(void);

/* For a command whose document still means something when it fails
 * (check): out_error adds "error" to it and writes it, instead of writing
 * {"error": msg} alone. */
void out_keep_on_error(void);

/* Writes the JSON document (JSON mode); frees everything. */
void out_finish(void);
/* Under -j, writes {"error": msg} instead of the document. */
void out_error(const char *msg);

#endif /* EF_OUTPUT_H */
