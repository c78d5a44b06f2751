// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* dlog.c: the daemon's one-line-per-event log; see dlog.h. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "daemon/dlog.h"

static bool journal;
static int verbose;

void ef_dlog_init(int verbosity)
{
	journal = getenv("JOURNAL_STREAM") != NULL;
	verbose = verbosity;
}

static const char *level_name(enum ef_dlog_level level)
{
	switch (level) {
	case EF_DLOG_ERR:
		return "error";
	case EF_DLOG_WARNING:
		return "warning";
	case EF_DLOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

void ef_dlog(enum ef_dlog_level level, const char *fmt, ...)
{
	char msg[1024], out[2200], *o = out;
	const char *m;
	va_list ap;

	if (level == EF_DLOG_DEBUG && verbose < 1)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* msg is quoted: escape quotes and backslashes, drop line breaks */
	for (m = msg; *m && o < out + sizeof(out) - 3; m++) {
		if (*m == '"' || *m == '\\')
			*o++ = '\\';
		*o++ = (*m == '\n' || *m == '\r') ? ' ' : *m;
	}
	*o = '\0';
	if (journal)
		fprintf(stderr, "<%d>", (int)level);
	fprintf(stderr, "level=%s msg=\"%s\"\n", level_name(level), out);
	fflush(stderr);
}
