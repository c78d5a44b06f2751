// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cmd_check.c: evenflow check: is any VIP imbalanced? For cron jobs and
 * monitoring scripts: samples the counters over a window, prints the shares
 * and exits 1 naming the VIP and backend when a backend takes more new flows
 * than its weight says (imbalance.h), 0 otherwise. With --peer URL (any
 * number): do sibling load balancers agree? (check_peers.h): exits 1
 * naming the VIP and the sibling that differ, or a sibling that cannot be
 * read, 0 when every VIP agrees.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/check_peers.h"
#include "cli/cli.h"
#include "cli/output.h"
#include "cli/watch.h"
#include "core/config_cluster.h"
#include "core/snapshot.h"
#include "dp/pindir.h"
#include "util/log.h"

#define EF_CHECK_WINDOW_DEFAULT 5.0 /* seconds */

/* check's arguments: the watching commands' first (EF_IMB_ROWS' offsets
 * hold), then the siblings. */
struct check_args {
	struct ef_watch_args w;
	struct ef_check_peers peers;
};

/* --peer URL, any number of times. */
static int parse_peer(const struct ef_opt *o, const char *arg, void *field)
{
	struct ef_check_peers *p = field;
	char shown[EF_ARG_SHOWN * 4 + 8];
	const char *why;

	ef_arg_show(arg, shown, sizeof(shown));
	if (ef_peer_url_check(arg, &why))
		return ef_usage("check: --%s %s: %s", o->name, shown, why);
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->url[i], arg))
			return ef_usage("check: --%s %s: given twice", o->name, shown);
	if (p->n == EF_PEERS_MAX)
		return ef_usage("check: --%s: more than %d siblings", o->name, EF_PEERS_MAX);
	p->url[p->n++] = arg;
	return 0;
}

static const struct ef_opt check_opts[] = {
    EF_IMB_ROWS,
    {"peer", "URL", EF_OPT_CUSTOM, offsetof(struct check_args, peers), .parse = parse_peer,
     .help = "a sibling's http://ADDR:PORT/metrics (repeat for each): compare fingerprints "
	     "with it instead of watching shares"},
    EF_OPT_END,
};

static const struct check_args check_defaults = {
    .w.imb = {.window_s = EF_CHECK_WINDOW_DEFAULT,
	      .factor = EF_IMB_FACTOR_DEFAULT,
	      .margin = EF_IMB_MARGIN_DEFAULT,
	      .min_flows = EF_IMB_MIN_FLOWS_DEFAULT},
};
const struct ef_opt_set ef_check_args = EF_OPT_SET(check_opts, check_defaults);

int cmd_check(const struct ef_ctx *ctx, const void *args)
{
	const char *pin_dir = ef_pin_dir(ctx->pin_dir);
	const struct check_args *ca = args;
	const struct ef_watch_args *a = &ca->w;
	const struct ef_imb_cfg *cfg = &a->imb;
	struct ef_imb *imb = NULL;
	struct ef_snap s = {};
	char first[256] = "";
	double start, step;
	int err, flagged;

	if (ca->peers.n)
		return ef_check_peers(pin_dir, &ca->peers);
	imb = ef_imb_new(cfg);
	if (!imb)
		return ef_err(-ENOMEM, "out of memory");

	/* A reading every second (or faster for a short window): a VIP whose
	 * configuration changes meanwhile is judged from the change on. */
	step = cfg->window_s < 1.0 ? cfg->window_s : 1.0;
	err = ef_watch_sample_needed(pin_dir, &s, imb, true);
	start = s.t;
	for (int i = 1; !err && s.t < start + cfg->window_s - 1e-3; i++) {
		double next = start + i * step;

		ef_snap_free(&s);
		ef_watch_sleep_until(next < start + cfg->window_s ? next : start + cfg->window_s,
				     NULL);
		err = ef_watch_sample_needed(pin_dir, &s, imb, false);
	}
	if (err)
		goto out;

	out_keep_on_error();
	out_double("window_s", NULL, cfg->window_s);
	out_double("factor", NULL, cfg->factor);
	out_double("margin", NULL, cfg->margin);
	out_u64("min_flows", NULL, cfg->min_flows);
	flagged = ef_watch_report(&s, imb, false, first, sizeof(first));
	out_bool("imbalanced", NULL, flagged > 0);
	if (flagged) {
		err = ef_err(EF_ERR_FOUND, "%s", first);
		if (flagged > 1)
			out_text("%d backends are imbalanced\n", flagged);
	} else {
		out_text("no VIP is imbalanced (%zu VIPs, window %.1f s, tolerance: %.2gx or "
			 "+%.0f points of the expected share, %llu new flows at least)\n",
			 s.n_vips, cfg->window_s, cfg->factor, 100.0 * cfg->margin,
			 (unsigned long long)cfg->min_flows);
	}
out:
	ef_snap_free(&s);
	ef_imb_free(imb);
	return err;
}
