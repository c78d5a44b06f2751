/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * watch.h: what the commands that watch the counters over time share
 * (stats --interval, check, top, metrics): the detector's options and the
 * per-VIP report (text or JSON through output.h).
 */
#ifndef EF_WATCH_H
#define EF_WATCH_H

#include <stddef.h>
#include <stdbool.h>

#include "cli/cli.h"
#include "core/imbalance.h"
#include "core/snapshot.h"

/* What the watching commands take, each the rows of its own table. */
struct ef_watch_args {
	struct ef_imb_cfg imb; /* --window --factor --margin --min-flows */
	double interval_s;     /* --interval */
	unsigned count;	       /* --count */
	const char *listen;    /* --listen */
};

/* The detector's knobs, rows of every watching command's table. */
#define EF_IMB_ROWS                                                                                \
	{"window",                                                                                 \
	 "S",                                                                                      \
	 EF_OPT_NUM,                                                                               \
	 offsetof(struct ef_watch_args, imb.window_s),                                             \
	 0.1,                                                                                      \
	 86400,                                                                                    \
	 .help = "seconds of counter readings the shares are judged over"},                        \
	    {"factor",                                                                             \
	     "F",                                                                                  \
	     EF_OPT_NUM,                                                                           \
	     offsetof(struct ef_watch_args, imb.factor),                                           \
	     1,                                                                                    \
	     1000,                                                                                 \
	     .help = "flag a backend taking more than F times its expected share"},                \
	    {"margin",                                                                             \
	     "M",                                                                                  \
	     EF_OPT_NUM,                                                                           \
	     offsetof(struct ef_watch_args, imb.margin),                                           \
	     0,                                                                                    \
	     1,                                                                                    \
	     .help = "... or more than M (0..1) above it"},                                        \
	{                                                                                          \
		"min-flows", "N", EF_OPT_U64, offsetof(struct ef_watch_args, imb.min_flows), 0,    \
		    1e12, .help = "new flows a VIP needs in the window to be judged"               \
	}
#define EF_INTERVAL_ROW(help_line)                                                                 \
	{                                                                                          \
		"interval", "S", EF_OPT_NUM, offsetof(struct ef_watch_args, interval_s), 0.1,      \
		    86400, .help = (help_line)                                                     \
	}

/* The detector's defaults (core/imbalance.h). */
#define EF_IMB_CFG_DEFAULT                                                                         \
	{                                                                                          \
		.window_s = EF_IMB_WINDOW_DEFAULT, .factor = EF_IMB_FACTOR_DEFAULT,                \
		.margin = EF_IMB_MARGIN_DEFAULT, .min_flows = EF_IMB_MIN_FLOWS_DEFAULT             \
	}

/* Sets the flag it returns on SIGINT or SIGTERM (for ef_watch_sleep_until
 * and the caller's loop). */
volatile int *ef_watch_stop_on_signals(void);

/* ef_snap_sample (core/snapshot.h) for a command that cannot do without the
 * data plane: -ENOENT is recorded as "no data plane at D (evenflow attach DEV
 * first)" for the first reading, "the data plane at D is gone" for a later
 * one. */
int ef_watch_sample_needed(const char *pin_dir, struct ef_snap *s, struct ef_imb *imb, bool first);

/* Sleeps until the monotonic time t (returns early, false, on a signal
 * that set *stop). */
bool ef_watch_sleep_until(double t, volatile int *stop);

/*
 * Per VIP: rates, new flows in the window and, per backend, its share next
 * to the expected one, "!" on flagged backends. Opens array "vips".
 * rates: include packets/s, bits/s, new flows/s (of the last step).
 * Returns the number of flagged backends; *first names the first one
 * ("vip V: backend B takes ...") when not NULL.
 */
int ef_watch_report(const struct ef_snap *s, const struct ef_imb *imb, bool rates, char *first,
		    size_t first_len);

/* "1.23M": val with an SI suffix, 3 significant digits. */
const char *ef_si(double val, char *buf, size_t len);

#endif /* EF_WATCH_H */
