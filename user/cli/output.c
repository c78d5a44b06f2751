// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* output.c: text or JSON from the same calls; see output.h. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "cli/output.h"
#include "util/text.h"

#define OUT_DEPTH 16
/* Reals with 12 significant digits: 0.2, not 0.20000000000000001. */
#define REAL_DIGITS JSON_REAL_PRECISION(12)

static bool json_mode;
static bool keep_on_error;
static json_t *stack[OUT_DEPTH];
static int depth = -1;

void out_init(bool json)
{
	json_mode = json;
	if (json_mode && depth < 0) {
		stack[0] = json_object();
		depth = 0;
	}
}

bool out_is_json(void)
{
	return json_mode;
}

/* Adds val (a new reference) to the current container under key. */
/* A JSON string of text that may not be UTF-8 (a file name, an argument):
 * escaped where it is not. */
static json_t *json_text(const char *text)
{
	char buf[4096];

	if (!ef_text_needs_escape(text))
		return json_string(text);
	return json_string(ef_text_escape(text, SIZE_MAX, buf, sizeof(buf)));
}

static void add(const char *key, json_t *val)
{
	json_t *cur;

	if (json_mode && depth < 0 && val) /* the next document, after out_line() */
		out_init(true);
	if (depth < 0 || !val) {
		json_decref(val);
		return;
	}
	cur = stack[depth];
	if (json_is_array(cur))
		json_array_append_new(cur, val);
	else
		json_object_set_new(cur, key ? key : "value", val);
}

static void push(const char *key, json_t *val)
{
	if (depth < 0)
		out_init(true);
	if (depth + 1 >= OUT_DEPTH) {
		json_decref(val);
		return;
	}
	json_incref(val);
	add(key, val);
	stack[++depth] = val;
	json_decref(val);
}

void out_obj_open(const char *key)
{
	if (json_mode)
		push(key, json_object());
}

void out_obj_close(void)
{
	if (json_mode && depth > 0)
		depth--;
}

void out_arr_open(const char *key)
{
	if (json_mode)
		push(key, json_array());
}

void out_arr_close(void)
{
	if (json_mode && depth > 0)
		depth--;
}

void out_str(const char *key, const char *fmt, const char *val)
{
	if (json_mode)
		add(key, json_text(val));
	else if (fmt)
		printf(fmt, val);
}

void out_u64(const char *key, const char *fmt, uint64_t val)
{
	if (json_mode)
		add(key, json_integer((json_int_t)val));
	else if (fmt)
		printf(fmt, (unsigned long long)val);
}

void out_double(const char *key, const char *fmt, double val)
{
	if (json_mode)
		add(key, json_real(val));
	else if (fmt)
		printf(fmt, val);
}

void out_share(const char *key, const char *fmt, double fraction)
{
	if (json_mode)
		add(key, json_real(round(fraction * 1e6) / 1e6));
	else if (fmt)
		printf(fmt, 100.0 * fraction);
}

void out_bool(const char *key, const char *fmt, bool val)
{
	if (json_mode)
		add(key, json_boolean(val));
	else if (fmt)
		printf(fmt, val ? "yes" : "no");
}

void out_text(const char *fmt, ...)
{
	va_list ap;

	if (json_mode)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

static void reset(void)
{
	if (depth >= 0)
		json_decref(stack[0]);
	depth = -1;
}

void out_finish(void)
{
	if (json_mode && depth >= 0) {
		json_dumpf(stack[0], stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | REAL_DIGITS);
		fputc('\n', stdout);
	}
	reset();
	fflush(stdout);
}

void out_line(void)
{
	if (json_mode && depth >= 0) {
		json_dumpf(stack[0], stdout, JSON_COMPACT | JSON_PRESERVE_ORDER | REAL_DIGITS);
		fputc('\n', stdout);
		reset();
	}
	fflush(stdout);
}

void out_keep_on_error(void)
{
	keep_on_error = true;
}

void out_error(const char *msg)
{
	json_t *err;

	if (json_mode && keep_on_error && depth >= 0) {
		json_object_set_new(stack[0], "error", json_text(msg));
		out_finish();
		return;
	}
	reset();
	if (!json_mode)
		return;
	err = json_object();
	if (err && !json_object_set_new(err, "error", json_text(msg))) {
		json_dumpf(err, stdout, JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
	}
	json_decref(err);
	fflush(stdout);
}
