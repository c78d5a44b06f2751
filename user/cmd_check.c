// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cmd_check.c: evenflow check: is any VIP imbalanced? For cron jobs and
 * monitoring scripts: samples the counters over a window, prints the shares
 * and exits 1 naming the VIP and backend when a backend takes more new flows
 * than its weight says (imbalance.h), 0 otherwise.
 */
#include <errno.h>
#include <stdio.h>

#include "cli.h"
#include "log.h"
#include "output.h"
#include "snapshot.h"
#include "watch.h"

#define EF_CHECK_WINDOW_DEFAULT 5.0 /* seconds */

int cmd_check(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv)
{
	const char *pin_dir = ef_pin_dir(ctx->pin_dir);
	struct ef_imb_cfg cfg;
	struct ef_imb *imb = NULL;
	struct ef_snap s = {};
	char first[256] = "";
	double start, step;
	int c, err, flagged;

	ef_imb_cfg_default(&cfg);
	cfg.window_s = EF_CHECK_WINDOW_DEFAULT;
	ef_getopt_reset();
	while ((c = ef_getopt(cmd, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			ef_cmd_usage(cmd, NULL);
			return 0;
		case 'w':
			if (ef_watch_seconds("--window", optarg, &cfg.window_s))
				return -EINVAL;
			break;
		default:
			if (ef_watch_opt(c, optarg, &cfg) != 1)
				return -EINVAL;
		}
	}
	if (ef_nargs(cmd, argc, argv, 0, 0))
		return -EINVAL;
	imb = ef_imb_new(&cfg);
	if (!imb)
		return ef_err(-ENOMEM, "out of memory");

	/* A reading every second (or faster for a short window): a VIP whose
	 * configuration changes meanwhile is judged from the change on. */
	step = cfg.window_s < 1.0 ? cfg.window_s : 1.0;
	err = ef_snap_read_dir(pin_dir, &s);
	if (err == -ENOENT)
		err = ef_err(err, "pin dir %s: no data plane loaded", pin_dir);
	start = s.t;
	for (int i = 1; !err; i++) {
		double next = start + i * step;

		err = ef_snap_imb_add(&s, imb);
		if (err || s.t >= start + cfg.window_s - 1e-3)
			break;
		ef_snap_free(&s);
		ef_watch_sleep_until(next < start + cfg.window_s ? next : start + cfg.window_s,
				     NULL);
		err = ef_snap_read_dir(pin_dir, &s);
		if (err == -ENOENT)
			err = ef_err(err, "pin dir %s: the data plane is gone", pin_dir);
	}
	if (err)
		goto out;

	out_keep_on_error();
	out_double("window_s", NULL, cfg.window_s);
	out_double("factor", NULL, cfg.factor);
	out_double("margin", NULL, cfg.margin);
	out_u64("min_flows", NULL, cfg.min_flows);
	flagged = ef_watch_report(&s, imb, false, first, sizeof(first));
	out_bool("imbalanced", NULL, flagged > 0);
	if (flagged) {
		err = ef_err(-ERANGE, "%s", first);
		if (flagged > 1)
			out_text("%d backends are imbalanced\n", flagged);
	} else {
		out_text("no VIP is imbalanced (%zu VIPs, window %.1f s, tolerance: %.2gx or "
			 "+%.0f points of the expected share, %llu new flows at least)\n",
			 s.n_vips, cfg.window_s, cfg.factor, 100.0 * cfg.margin,
			 (unsigned long long)cfg.min_flows);
	}
out:
	ef_snap_free(&s);
	ef_imb_free(imb);
	return err;
}

const struct option ef_check_opts[] = {
    {"window", required_argument, NULL, 'w'},
    EF_IMB_OPTS,
    {NULL, 0, NULL, 0},
};
