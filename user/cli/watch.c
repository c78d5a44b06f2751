// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* watch.c: shared by stats --interval, check, top and metrics; see watch.h. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "cli/watch.h"
#include "core/model.h"
#include "util/log.h"

static volatile int stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

volatile int *ef_watch_stop_on_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	return &stop_flag;
}

int ef_watch_sample_needed(const char *pin_dir, struct ef_snap *s, struct ef_imb *imb, bool first)
{
	int err = ef_snap_sample(pin_dir, s, imb);

	if (err == -ENOENT)
		return first
			   ? ef_err(err, "no data plane at %s (evenflow attach DEV first)", pin_dir)
			   : ef_err(err, "the data plane at %s is gone", pin_dir);
	return err;
}

bool ef_watch_sleep_until(double t, volatile int *stop)
{
	while (!(stop && *stop)) {
		double left = t - ef_snap_now();
		struct timespec ts;

		if (left <= 0)
			return true;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
	return false;
}

const char *ef_si(double val, char *buf, size_t len)
{
	static const char *const sfx[] = {"", "k", "M", "G", "T"};
	size_t i = 0;

	while (val >= 999.5 && i + 1 < sizeof(sfx) / sizeof(sfx[0])) {
		val /= 1000;
		i++;
	}
	snprintf(buf, len,
		 val < 9.995 && i   ? "%.2f%s"
		 : val < 99.95 && i ? "%.1f%s"
				    : "%.0f%s",
		 val, sfx[i]);
	return buf;
}

int ef_watch_report(const struct ef_snap *s, const struct ef_imb *imb, bool rates, char *first,
		    size_t first_len)
{
	int flagged = 0;
	size_t i, j;

	out_arr_open("vips");
	for (i = 0; i < s->n_vips; i++) {
		const struct ef_snap_vip *v = &s->vips[i];
		const struct ef_imb_result *r0 = NULL;
		double pps = 0, bps = 0, fps = 0;
		char b1[16], b2[16], b3[16];

		for (j = 0; j < s->n_backends; j++) {
			const struct ef_imb_result *r;

			if (s->backends[j].vip != i)
				continue;
			r = ef_imb_find(imb, s->backends[j].id);
			if (!r)
				continue;
			r0 = r0 ? r0 : r;
			pps += r->pps;
			bps += r->bps;
			fps += r->fps;
		}
		out_obj_open(NULL);
		out_str("vip", "vip %s", v->name);
		out_u64("id", NULL, v->vip.id);
		if (rates) {
			out_text(": %s pkt/s %sbit/s %s new/s", ef_si(pps, b1, sizeof(b1)),
				 ef_si(bps, b2, sizeof(b2)), ef_si(fps, b3, sizeof(b3)));
			out_double("pps", NULL, pps);
			out_double("bps", NULL, bps);
			out_double("new_flows_ps", NULL, fps);
		}
		out_u64("window_new_flows", ", %llu new flows", r0 ? r0->vip_flows : 0);
		out_double("window_s", " in %.1f s", r0 ? r0->span_s : 0.0);
		out_bool("judged", NULL, r0 && r0->judged);
		out_bool("imbalanced", NULL, ef_imb_vip_flagged(imb, v->vip.id));
		if (r0 && !r0->judged)
			out_text(" (too few to judge)");
		out_text("\n");
		if (rates)
			out_text("  %-24s %-6s %-10s %6s %8s %8s %8s %7s %7s\n", "backend", "state",
				 "health", "weight", "pkt/s", "bit/s", "new/s", "share", "expect");
		else
			out_text("  %-24s %-6s %-10s %6s %8s %7s %7s\n", "backend", "state",
				 "health", "weight", "flows", "share", "expect");
		out_arr_open("backends");
		for (j = 0; j < s->n_backends; j++) {
			const struct ef_snap_backend *b = &s->backends[j];
			const struct ef_imb_result *r;

			if (b->vip != i || !(r = ef_imb_find(imb, b->id)))
				continue;
			out_obj_open(NULL);
			out_str("addr", "  %-24s", b->addr);
			out_u64("id", NULL, b->id);
			out_str("state", " %-6s", ef_state_str(b->be.state));
			out_str("admin", NULL, ef_state_str(b->be.admin));
			out_str("health", " %-10s", ef_health_str(b->be.health));
			out_u64("weight", " %6llu", b->be.weight);
			if (rates) {
				out_text(" %8s", ef_si(r->pps, b1, sizeof(b1)));
				out_text(" %8s", ef_si(r->bps, b2, sizeof(b2)));
				out_text(" %8s", ef_si(r->fps, b3, sizeof(b3)));
				out_double("pps", NULL, r->pps);
				out_double("bps", NULL, r->bps);
				out_double("new_flows_ps", NULL, r->fps);
			} else {
				out_text(" %8llu", (unsigned long long)r->flows);
			}
			out_u64("window_new_flows", NULL, r->flows);
			out_share("share", " %6.1f%%", r->actual);
			out_share("expected_share", " %6.1f%%", r->expected);
			out_bool("imbalanced", NULL, r->flagged);
			if (r->flagged) {
				out_text("  ! imbalanced");
				if (!flagged && first) {
					char d[128];

					snprintf(first, first_len, "vip %s: %s", v->name,
						 ef_imb_describe(b, r, d, sizeof(d)));
				}
				flagged++;
			}
			out_obj_close();
			out_text("\n");
		}
		out_arr_close();
		out_obj_close();
	}
	out_arr_close();
	return flagged;
}
