/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * watch.h: what the commands that watch the counters over time share
 * (stats --interval, check, top, metrics): the detector's options and the
 * per-VIP report (text or JSON through output.h).
 */
#ifndef EF_WATCH_H
#define EF_WATCH_H

#include <getopt.h>
#include <stdbool.h>

#include "cli/cli.h"
#include "core/imbalance.h"
#include "core/snapshot.h"

/* getopt_long entries for the detector's knobs (ef_watch_args parses them);
 * a command's table adds the ones of its own: EF_WATCH_OPT_INTERVAL etc. */
#define EF_IMB_OPT_WINDOW    0x100
#define EF_IMB_OPT_FACTOR    0x101
#define EF_IMB_OPT_MARGIN    0x102
#define EF_IMB_OPT_MIN_FLOWS 0x103
#define EF_IMB_OPTS                                                                                \
	{"window", required_argument, NULL, EF_IMB_OPT_WINDOW},                                    \
	    {"factor", required_argument, NULL, EF_IMB_OPT_FACTOR},                                \
	    {"margin", required_argument, NULL, EF_IMB_OPT_MARGIN},                                \
	{                                                                                          \
		"min-flows", required_argument, NULL, EF_IMB_OPT_MIN_FLOWS                         \
	}
#define EF_WATCH_OPT_INTERVAL                                                                      \
	{                                                                                          \
		"interval", required_argument, NULL, 'i'                                           \
	}
#define EF_WATCH_OPT_COUNT                                                                         \
	{                                                                                          \
		"count", required_argument, NULL, 'n'                                              \
	}
#define EF_WATCH_OPT_LISTEN                                                                        \
	{                                                                                          \
		"listen", required_argument, NULL, 'l'                                             \
	}

/* What the watching commands take, each the options of its own table; the
 * caller sets the defaults. */
struct ef_watch_args {
	struct ef_imb_cfg imb; /* --window --factor --margin --min-flows */
	double interval_s;     /* --interval */
	unsigned count;	       /* --count */
	const char *listen;    /* --listen */
};

/* Parses cmd's options into a and checks that no positional follows: 0, 1
 * after printing the usage (the caller returns 0), or -EINVAL (usage error
 * recorded). */
int ef_watch_args(const struct ef_cmd *cmd, int argc, char **argv, struct ef_watch_args *a);

/* Sets the flag it returns on SIGINT or SIGTERM (for ef_watch_sleep_until
 * and the caller's loop). */
volatile int *ef_watch_stop_on_signals(void);

/* ef_snap_sample (core/snapshot.h) for a command that cannot do without the data plane: -ENOENT is
 * recorded as "pin dir D: no data plane loaded" for the first reading,
 * "pin dir D: the data plane is gone" for a later one. */
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
