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

#include "imbalance.h"
#include "snapshot.h"

/* getopt_long entries for the detector's knobs; ef_watch_opt parses them. */
#define EF_IMB_OPT_FACTOR    0x101
#define EF_IMB_OPT_MARGIN    0x102
#define EF_IMB_OPT_MIN_FLOWS 0x103
#define EF_IMB_OPTS                                                                                \
	{"factor", required_argument, NULL, EF_IMB_OPT_FACTOR},                                    \
	    {"margin", required_argument, NULL, EF_IMB_OPT_MARGIN},                                \
	{                                                                                          \
		"min-flows", required_argument, NULL, EF_IMB_OPT_MIN_FLOWS                         \
	}
#define EF_IMB_OPTS_HELP "[--factor F] [--margin M] [--min-flows N]"

/* 1 if c was one of EF_IMB_OPTS (cfg updated), 0 if not, -EINVAL (usage
 * error recorded) for a bad value. */
int ef_watch_opt(int c, const char *arg, struct ef_imb_cfg *cfg);
/* A positive number of seconds (--interval, --window). */
int ef_watch_seconds(const char *opt, const char *arg, double *out);

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
