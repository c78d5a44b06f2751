// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* yaml.c: a YAML text as a stream of events; see yaml.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/yaml.h"

void ef_config_add_error(struct ef_config_errors *errs, const char *fmt, ...)
{
	va_list ap;

	errs->n++;
	if (errs->shown >= EF_CONFIG_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(errs->line[errs->shown++], EF_CONFIG_ERR_LEN, fmt, ap);
	va_end(ap);
}

int ef_yaml_err(struct ef_yaml *y, struct ef_pos pos, const char *fmt, ...)
{
	char msg[EF_CONFIG_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (pos.line)
		ef_config_add_error(y->errs, "%s:%d:%d: %s", y->name, pos.line, pos.col, msg);
	else
		ef_config_add_error(y->errs, "%s: %s", y->name, msg);
	return -EINVAL;
}

int ef_yaml_open(struct ef_yaml *y, const char *name, const char *buf, size_t len,
		 struct ef_config_errors *errs)
{
	struct fy_parse_cfg pc = {.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2};
	struct fy_diag_cfg dc;

	memset(y, 0, sizeof(*y));
	y->name = name;
	y->errs = errs;
	fy_diag_cfg_default(&dc);
	dc.fp = NULL;
	dc.colorize = false;
	y->diag = fy_diag_create(&dc);
	if (!y->diag)
		return -ENOMEM;
	fy_diag_set_collect_errors(y->diag, true);
	pc.diag = y->diag;
	y->fyp = fy_parser_create(&pc);
	if (!y->fyp || fy_parser_set_string(y->fyp, buf, len)) {
		ef_yaml_close(y);
		return -ENOMEM;
	}
	return 0;
}

void ef_yaml_close(struct ef_yaml *y)
{
	if (y->fyp)
		fy_parser_destroy(y->fyp);
	if (y->diag)
		fy_diag_destroy(y->diag);
	y->fyp = NULL;
	y->diag = NULL;
}

struct fy_event *ef_yaml_next(struct ef_yaml *y)
{
	struct fy_diag_error *e;
	struct fy_event *ev;
	void *it = NULL;
	size_t n = 0;

	if (y->broken)
		return NULL;
	ev = fy_parser_parse(y->fyp);
	if (ev || !fy_parser_get_stream_error(y->fyp))
		return ev;
	y->broken = true;
	while ((e = fy_diag_errors_iterate(y->diag, &it)) && ++n)
		ef_config_add_error(y->errs, "%s:%d:%d: %s", y->name, e->line, e->column,
				    e->msg ? e->msg : "invalid YAML");
	if (!n)
		ef_config_add_error(y->errs, "%s: invalid YAML", y->name);
	return NULL;
}

void ef_yaml_free(struct ef_yaml *y, struct fy_event *ev)
{
	if (ev)
		fy_parser_event_free(y->fyp, ev);
}

void ef_yaml_skip(struct ef_yaml *y, struct fy_event *ev)
{
	int depth = 0;

	do {
		if (!ev)
			return;
		if (ev->type == FYET_MAPPING_START || ev->type == FYET_SEQUENCE_START)
			depth++;
		else if (ev->type == FYET_MAPPING_END || ev->type == FYET_SEQUENCE_END)
			depth--;
		ef_yaml_free(y, ev);
	} while (depth > 0 && (ev = ef_yaml_next(y)));
}

struct ef_pos ef_yaml_pos(struct fy_event *ev)
{
	const struct fy_mark *m = ev ? fy_event_start_mark(ev) : NULL;

	return m ? (struct ef_pos){m->line + 1, m->column + 1} : (struct ef_pos){0, 0};
}

int ef_yaml_scalar(struct fy_event *ev, char *buf, size_t len)
{
	size_t n = 0;
	const char *t = fy_token_get_text(fy_event_get_token(ev), &n);

	if (!t)
		n = 0;
	if (n >= len || (n && memchr(t, '\0', n)))
		return -E2BIG;
	memcpy(buf, t, n);
	buf[n] = '\0';
	return 0;
}
