// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cmd_stats.c: evenflow stats|lookup. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "cli/watch.h"
#include "core/live.h"
#include "core/model.h"
#include "core/snapshot.h"
#include "dp/lb.h"
#include "dp/maps.h"
#include "dp/pindir.h"
#include "lib/ct_entry.h"
#include "lib/hash.h"
#include "util/addr.h"
#include "util/log.h"

#define EF_VERDICT_NAME(name, str, desc) str,
static const char *const verdict_names[EF_V_MAX] = {EF_VERDICT_LIST(EF_VERDICT_NAME)};
#undef EF_VERDICT_NAME

static void print_traffic(const __u64 t[3])
{
	out_u64("packets", " %14llu", t[0]);
	out_u64("bytes", " %16llu", t[1]);
	out_u64("new_flows", " %12llu", t[2]);
}

/*
 * stats --interval: a reading every interval (the data plane reopened each
 * time, so the pin dir's lock is held only while reading); per VIP and
 * backend the rates over the interval and the shares over the detector's
 * window. Under -j, one JSON object per line per interval.
 */
static int stats_watch(const struct ef_ctx *ctx, double interval, unsigned long count,
		       const struct ef_imb_cfg *cfg)
{
	const char *pin_dir = ef_pin_dir(ctx->pin_dir);
	struct ef_imb *imb = ef_imb_new(cfg);
	volatile int *stop;
	struct ef_snap s;
	unsigned long done = 0;
	double next;
	int err;

	if (!imb)
		return ef_err(-ENOMEM, "out of memory");
	stop = ef_watch_stop_on_signals();
	err = ef_watch_sample_needed(pin_dir, &s, imb, true);
	next = s.t;
	ef_snap_free(&s);
	while (!err && (!count || done < count)) {
		struct timespec now;

		next += interval;
		if (!ef_watch_sleep_until(next, stop))
			break;
		err = ef_watch_sample_needed(pin_dir, &s, imb, false);
		if (err) {
			ef_snap_free(&s);
			break;
		}
		clock_gettime(CLOCK_REALTIME, &now);
		out_double("time", NULL, now.tv_sec + now.tv_nsec / 1e9);
		out_double("interval_s", NULL, interval);
		ef_watch_report(&s, imb, true, NULL, 0);
		out_text("\n");
		out_line();
		ef_snap_free(&s);
		done++;
	}
	ef_imb_free(imb);
	return err;
}

static const struct ef_opt stats_opts[] = {
    EF_INTERVAL_ROW("print rates and shares every S seconds instead of the counters once"),
    {"count", "N", EF_OPT_U32, offsetof(struct ef_watch_args, count), 1, 1000000000,
     .help = "with --interval: stop after N readings"},
    EF_IMB_ROWS,
    EF_OPT_END,
};

static const struct ef_watch_args stats_defaults = {.imb = EF_IMB_CFG_DEFAULT};
const struct ef_opt_set ef_stats_args = EF_OPT_SET(stats_opts, stats_defaults);

/* The connection table's fill and events. */
static int print_conntrack(const struct ef_dp *dp)
{
	struct ef_ct_fill fill;
	int err = ef_conntrack_fill(dp->conntrack, &fill);

	if (err)
		return ef_err(err, "cannot read the connection table: %s", strerror(-err));
	out_text("conntrack:\n");
	out_obj_open("conntrack");
	out_u64("slots", "  slots                %14llu\n", fill.slots);
	out_u64("used", "  used                 %14llu", fill.used);
	out_text(" (%.1f%%)\n", fill.slots ? 100.0 * fill.used / fill.slots : 0.0);
	out_u64("established", "  established          %14llu\n", fill.established);
	for (__u32 k = 0; k < EF_CTS_MAX; k++) {
		__u64 cnt = 0;

		ef_percpu_sum(dp->ct_stats, k, dp->ncpus, 1, &cnt);
		out_text("  %-20s", ef_ct_stat_name(k));
		out_u64(ef_ct_stat_name(k), " %14llu\n", cnt);
	}
	out_obj_close();
	return 0;
}

/* The verdict counters, the connection table, then per VIP and per backend
 * the traffic. */
static int print_counters(const struct ef_listing *l)
{
	int err;

	__u64 t[3];
	size_t i;
	__u32 k;

	out_text("verdicts:\n");
	out_obj_open("verdicts");
	for (k = 0; k < EF_V_MAX; k++) {
		__u64 cnt = 0;

		ef_percpu_sum(l->dp.verdicts, k, l->dp.ncpus, 1, &cnt);
		out_text("  %-20s", verdict_names[k]);
		out_u64(verdict_names[k], " %14llu\n", cnt);
	}
	out_obj_close();
	err = print_conntrack(&l->dp);
	if (err)
		return err;

	out_text("%-30s %14s %16s %12s\n", "vip", "packets", "bytes", "new flows");
	out_arr_open("vips");
	for (i = 0; i < l->n_vips; i++) {
		char s[EF_VIP_STRLEN];

		if (ef_percpu_sum(l->dp.vip_stats, l->vips[i].vip.id, l->dp.ncpus, 3, t))
			continue;
		out_obj_open(NULL);
		out_str("vip", "%-30s", ef_vip_str(&l->vips[i].key, s, sizeof(s)));
		print_traffic(t);
		out_obj_close();
		out_text("\n");
	}
	out_arr_close();

	out_text("%-30s %-24s %-6s %-6s %-10s %14s %16s %12s\n", "vip", "backend", "state", "admin",
		 "health", "packets", "bytes", "new flows");
	out_arr_open("backends");
	for (i = 0; i < l->n_vips; i++) {
		char s[EF_VIP_STRLEN], a[EF_ADDR_STRLEN];

		ef_vip_str(&l->vips[i].key, s, sizeof(s));
		for (k = 0; k < EF_MAX_BACKENDS; k++) {
			const struct ef_backend *b = &l->backends[k];

			if (b->vip_id != l->vips[i].vip.id || b->state == EF_BE_FREE)
				continue;
			if (ef_percpu_sum(l->dp.backend_stats, k, l->dp.ncpus, 3, t))
				continue;
			out_obj_open(NULL);
			out_str("vip", "%-30s", s);
			out_str("addr", " %-24s", ef_addr_str(&b->addr, b->family, a, sizeof(a)));
			out_u64("id", NULL, k);
			out_str("state", " %-6s", ef_state_str(b->state));
			out_str("admin", " %-6s", ef_state_str(b->admin));
			out_str("health", " %-10s", ef_health_str(b->health));
			print_traffic(t);
			out_obj_close();
			out_text("\n");
		}
	}
	out_arr_close();
	return 0;
}

int cmd_stats(const struct ef_ctx *ctx, const void *args)
{
	const struct ef_watch_args *a = args;
	struct ef_listing l;
	int err;

	if (a->count && !a->interval_s)
		return ef_usage("stats: --count needs --interval");
	if (a->interval_s)
		return stats_watch(ctx, a->interval_s, a->count, &a->imb);
	err = ef_listing_open(ef_pin_dir(ctx->pin_dir), NULL, &l);
	if (err)
		return err;
	err = print_counters(&l);
	ef_listing_close(&l);
	return err;
}
