// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * routing.c: the VIP addresses the daemon offers to the routing daemon
 * (announce_rule.h decides, announce.h writes the kernel table), the drain
 * on SIGTERM and maintenance; see state.h.
 *
 * Decided every second, right after every commit (start, reload, health
 * change) and on every signal that changes it: the running configuration
 * (effective states and verdicts as committed) and whether the program runs
 * on a device, read from the data plane each time. What cannot be read is
 * withdrawn: an LB that cannot see its own data plane does not invite
 * traffic.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/live.h"
#include "core/metrics.h"
#include "daemon/announce.h"
#include "daemon/announce_rule.h"
#include "daemon/dlog.h"
#include "daemon/state.h"
#include "dp/lb.h"
#include "dp/xdp.h"
#include "util/addr.h"
#include "util/log.h"

#define TICK_MS 1000

struct daemon_routing {
	struct ef_announce *ann;
	__u32 table, protocol;
	bool maintenance, stopping;
	__u64 next_ms, drain_end;
	struct ef_ann_verdict *last; /* as last applied, for logs and metrics */
	size_t n_last;
	char error[256]; /* the last failure logged (once until it changes) */
};

/* ---- Setup ---- */

static void withdraw_all(struct daemon_routing *r, const char *why)
{
	struct ef_announce_change chg = {};
	int err = ef_announce_withdraw_all(r->ann, &chg);

	if (err)
		daemon_log_error("cannot withdraw the announced addresses", err);
	else if (chg.removed)
		ef_dlog(EF_DLOG_WARNING, "withdrew %zu address(es) from table %u: %s", chg.removed,
			r->table, why);
	free(r->last);
	r->last = NULL;
	r->n_last = 0;
}

static void routing_close(struct daemon *d, const char *why)
{
	struct daemon_routing *r = d->routing;

	if (!r)
		return;
	withdraw_all(r, why);
	ef_announce_close(r->ann);
	free(r);
	d->routing = NULL;
	d->report_due = true;
}

void daemon_routing_configure(struct daemon *d, const struct ef_config *cfg)
{
	const struct ef_config_announce *a = &cfg->announce;
	struct daemon_routing *r = d->routing;
	int err;

	d->routing_due = true;
	if (r && a->on && r->table == a->table && r->protocol == a->protocol)
		return;
	routing_close(d, a->on ? "the announcement table changed" : "announce: was removed");
	if (!a->on)
		return;
	r = calloc(1, sizeof(*r));
	if (!r) {
		ef_dlog(EF_DLOG_ERR, "announce: out of memory: nothing is announced");
		return;
	}
	err = ef_announce_open(a->table, (__u8)a->protocol, &r->ann);
	if (err) {
		daemon_log_error("announce: cannot open the announcement table", err);
		free(r);
		return;
	}
	r->table = a->table;
	r->protocol = a->protocol;
	d->routing = r;
	d->report_due = true;
	ef_dlog(EF_DLOG_INFO,
		"announce: VIP addresses in routing table %u (protocol %u), min-up %u, drain %ums",
		a->table, a->protocol, a->min_up, a->drain_ms);
}

void daemon_routing_free(struct daemon *d)
{
	struct daemon_routing *r = d->routing;

	if (!r)
		return;
	/* routes stay: only SIGTERM's drain withdraws (a crash leaves them,
	 * and the next start converges) */
	ef_announce_close(r->ann);
	free(r->last);
	free(r);
	d->routing = NULL;
}

/* ---- The decision ---- */

static const struct ef_ann_verdict *find(const struct ef_ann_verdict *v, size_t n,
					 const struct ef_announce_addr *a);

/* An address that qualifies but is not announced yet waits for the
 * siblings (announce_rule.h): since when it qualifies, and whether one agrees. */
static void gate(struct daemon *d, const struct ef_conf *c, struct ef_ann_verdict *v, size_t n)
{
	const struct daemon_routing *r = d->routing;
	__u64 now = ef_now_ms();

	for (size_t i = 0; i < n; i++) {
		const struct ef_ann_verdict *o = find(r->last, r->n_last, &v[i].addr);

		if (v[i].why != EF_ANN_YES || (o && o->why == EF_ANN_YES))
			continue;
		v[i].since = o && o->why == EF_ANN_SIBLINGS ? o->since : now;
		v[i].why = daemon_siblings_gate(d, c, &v[i].addr, v[i].since);
	}
}

/* The verdict on every address of the running configuration. */
static int decide(struct daemon *d, struct ef_ann_verdict **v, size_t *n)
{
	struct daemon_routing *r = d->routing;
	struct ef_attached *devs = NULL;
	struct ef_conf c = {};
	size_t ndevs = 0;
	struct ef_dp dp;
	__u32 *m = NULL;
	int err;

	err = ef_dp_open_existing(d->pin_dir, &dp);
	if (err == -ENOENT) {
		*v = NULL;
		*n = 0;
		return 0; /* nothing loaded: nothing to announce */
	}
	if (err)
		return err;
	err = ef_conf_read(&dp, &c);
	if (!err)
		err = ef_prog_devices(dp.prog_id, &devs, &ndevs);
	ef_dp_close(&dp);
	if (!err && !(m = ef_ann_min_ups(&d->cfg, &c)))
		err = -ENOMEM;
	if (!err)
		err = ef_ann_decide(&c, m,
				    r->stopping	     ? EF_ANN_STOPPING
				    : r->maintenance ? EF_ANN_MAINTENANCE
				    : ndevs	     ? EF_ANN_YES
						     : EF_ANN_DETACHED,
				    v, n);
	if (!err)
		gate(d, &c, *v, *n);
	free(m);
	free(devs);
	ef_conf_free(&c);
	return err;
}

static const struct ef_ann_verdict *find(const struct ef_ann_verdict *v, size_t n,
					 const struct ef_announce_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].addr.family == a->family && !memcmp(&v[i].addr.addr, &a->addr, 16))
			return &v[i];
	return NULL;
}

/* One line per address that starts or stops being announced (and, the first
 * time an address is seen, why it is not); whether anything changed. */
static bool log_changes(const struct daemon_routing *r, const struct ef_ann_verdict *v, size_t n)
{
	char a[EF_ADDR_STRLEN], vs[EF_VIP_STRLEN];
	bool changed = n != r->n_last;

	for (size_t i = 0; i < n; i++) {
		const struct ef_ann_verdict *o = find(r->last, r->n_last, &v[i].addr);
		bool now = v[i].why == EF_ANN_YES;

		ef_addr_str(&v[i].addr.addr, v[i].addr.family, a, sizeof(a));
		if (v[i].why == EF_ANN_SIBLINGS && (!o || o->why != EF_ANN_SIBLINGS)) {
			ef_dlog(EF_DLOG_INFO,
				"%s qualifies: announcing it once a sibling agrees on its VIPs, or "
				"none announces it",
				a);
			changed = true;
			continue;
		}
		if (o && (o->why == EF_ANN_YES) == now)
			continue;
		changed = true;
		if (now)
			ef_dlog(EF_DLOG_INFO, "announcing %s (%zu VIP(s)): %s", a, v[i].n_vips,
				ef_ann_why_str(v[i].why));
		else if (v[i].why == EF_ANN_TOO_FEW)
			ef_dlog(EF_DLOG_WARNING,
				"%s %s: vip %s has %zu backend(s) up and healthy here, min-up %u",
				o ? "withdrawing" : "not announcing", a,
				ef_vip_str(&v[i].vip, vs, sizeof(vs)), v[i].healthy, v[i].min_up);
		else
			ef_dlog(EF_DLOG_WARNING, "%s %s: %s", o ? "withdrawing" : "not announcing",
				a, ef_ann_why_str(v[i].why));
	}
	for (size_t i = 0; i < r->n_last; i++)
		if (r->last[i].why == EF_ANN_YES && !find(v, n, &r->last[i].addr))
			ef_dlog(EF_DLOG_INFO, "withdrawing %s: no VIP on it any more",
				ef_addr_str(&r->last[i].addr.addr, r->last[i].addr.family, a,
					    sizeof(a)));
	return changed;
}

/* A failure, logged once until another one (or success) comes. */
static void failed(struct daemon_routing *r, const char *what, int err)
{
	char line[sizeof(r->error)];

	snprintf(line, sizeof(line), "%s: %s", what, ef_err_msg() ? ef_err_msg() : strerror(-err));
	ef_err_clear();
	if (strcmp(line, r->error))
		ef_dlog(EF_DLOG_ERR, "announce: %s (retrying every second)", line);
	snprintf(r->error, sizeof(r->error), "%s", line);
}

/* Makes the table hold exactly the addresses that qualify now. */
static void update(struct daemon *d)
{
	struct daemon_routing *r = d->routing;
	struct ef_announce_addr *want = NULL;
	struct ef_ann_verdict *v = NULL;
	size_t n = 0, k = 0;
	int err;

	err = decide(d, &v, &n);
	if (err) {
		failed(r, "cannot read the data plane; every address withdrawn", err);
		withdraw_all(r, "the data plane cannot be read");
		return;
	}
	want = calloc(n ? n : 1, sizeof(*want));
	for (size_t i = 0; want && i < n; i++)
		if (v[i].why == EF_ANN_YES)
			want[k++] = v[i].addr;
	err = want ? ef_announce_set(r->ann, want, k, NULL) : -ENOMEM;
	free(want);
	if (err) {
		failed(r, "cannot write the announcement table", err);
		free(v);
		return;
	}
	r->error[0] = '\0';
	d->report_due |= log_changes(r, v, n);
	free(r->last);
	r->last = v;
	r->n_last = n;
}

/* ---- The loop ---- */

int daemon_routing_next_ms(const struct daemon *d)
{
	const struct daemon_routing *r = d->routing;
	__u64 now = ef_now_ms(), next;

	if (!r)
		return -1;
	if (d->routing_due)
		return 0;
	next = r->stopping && r->drain_end < r->next_ms ? r->drain_end : r->next_ms;
	return next > now ? (int)(next - now) : 0;
}

void daemon_routing_run(struct daemon *d)
{
	struct daemon_routing *r = d->routing;
	__u64 now = ef_now_ms();

	if (!r)
		return;
	if (d->routing_due || now >= r->next_ms) {
		d->routing_due = false;
		r->next_ms = now + TICK_MS;
		update(d);
	}
	if (r->stopping && now >= r->drain_end) {
		ef_dlog(EF_DLOG_INFO, "drained: stopping");
		d->stop = true;
	}
}

/* ---- Signals ---- */

static void maintenance(struct daemon *d, bool on)
{
	struct daemon_routing *r = d->routing;

	if (!r) {
		ef_dlog(EF_DLOG_WARNING,
			"SIGUSR%d: no announce: section, nothing is announced or withdrawn",
			1 + !on);
		return;
	}
	if (r->maintenance != on)
		ef_dlog(
		    EF_DLOG_WARNING,
		    on ? "SIGUSR1: maintenance: every address withdrawn until SIGUSR2; the data "
			 "plane keeps forwarding"
		       : "SIGUSR2: maintenance ends: addresses announced again as they qualify");
	r->maintenance = on;
	d->routing_due = true;
	d->report_due = true;
}

static const char *sig_name(int signo)
{
	return signo == SIGINT ? "SIGINT" : "SIGTERM";
}

bool daemon_routing_signal(struct daemon *d, int signo)
{
	struct daemon_routing *r = d->routing;

	if (signo == SIGUSR1 || signo == SIGUSR2) {
		maintenance(d, signo == SIGUSR1);
		return true;
	}
	if (!r)
		return false; /* nothing announced: stop at once */
	if (r->stopping) {
		ef_dlog(EF_DLOG_WARNING, "%s again while draining: stopping now", sig_name(signo));
		return false;
	}
	r->stopping = true;
	r->drain_end = ef_now_ms() + d->cfg.announce.drain_ms;
	d->routing_due = true;
	d->report_due = true;
	ef_dlog(EF_DLOG_INFO,
		"%s: withdrawing every address, then draining %ums (the data plane keeps "
		"forwarding); SIGTERM or SIGINT again stops at once",
		sig_name(signo), d->cfg.announce.drain_ms);
	return true;
}

/* ---- What it shows ---- */

void daemon_routing_metrics(const struct daemon *d, FILE *f)
{
	const struct daemon_routing *r = d->routing;
	char a[EF_ADDR_STRLEN];

	if (!r)
		return;
	ef_metrics_family(f, "evenflow_address_announced", "gauge",
			  "1 while this LB offers the VIP address to its routers (announce:), 0 "
			  "while it withdraws it");
	for (size_t i = 0; i < r->n_last; i++)
		fprintf(f, "evenflow_address_announced{address=\"%s\"} %d\n",
			ef_addr_str(&r->last[i].addr.addr, r->last[i].addr.family, a, sizeof(a)),
			r->last[i].why == EF_ANN_YES);
	ef_metrics_family(f, "evenflow_announce_maintenance", "gauge",
			  "1 in maintenance (SIGUSR1): nothing announced");
	fprintf(f, "evenflow_announce_maintenance %d\n", r->maintenance);
	ef_metrics_family(
	    f, "evenflow_announce_draining", "gauge",
	    "1 after SIGTERM: nothing announced, still forwarding until the drain ends");
	fprintf(f, "evenflow_announce_draining %d\n", r->stopping);
}

const char *daemon_routing_summary(const struct daemon *d, char *buf, size_t len)
{
	const struct daemon_routing *r = d->routing;
	size_t on = 0;

	if (!r) {
		snprintf(buf, len, "off (no announce: section)");
		return buf;
	}
	for (size_t i = 0; i < r->n_last; i++)
		on += r->last[i].why == EF_ANN_YES;
	snprintf(buf, len, "%zu of %zu address(es) announced in table %u%s", on, r->n_last,
		 r->table,
		 r->stopping	  ? ", draining (SIGTERM)"
		 : r->maintenance ? ", maintenance (SIGUSR1)"
				  : "");
	return buf;
}
