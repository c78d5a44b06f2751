// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* apply.c: the daemon's configuration applied, at start and on SIGHUP;
 * see state.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/commit.h"
#include "core/config_file.h"
#include "core/live.h"
#include "core/model.h"
#include "core/plan.h"
#include "core/safety.h"
#include "daemon/dlog.h"
#include "daemon/state.h"
#include "dp/devtable.h"
#include "dp/lb.h"
#include "dp/xdp.h"
#include "util/addr.h"
#include "util/log.h"

/* The file's configuration (the operator's states) with the checker's
 * verdict on every checked backend. */
static int with_health(const struct ef_config *cfg, struct ef_health *h, struct ef_conf *want)
{
	int err = ef_conf_copy(&cfg->conf, want);

	if (!err)
		daemon_health_verdicts(h, want);
	return err;
}

void daemon_health_verdicts(struct ef_health *h, struct ef_conf *c)
{
	for (size_t i = 0; i < c->n_vips; i++)
		for (size_t j = 0; j < c->vips[i].n_backends; j++) {
			struct ef_conf_backend *b = &c->vips[i].backends[j];
			struct ef_hc_target *t =
			    ef_health_find(h, &c->vips[i].key, &b->addr, b->family);

			b->health = !t		 ? EF_HEALTH_UNCHECKED
				    : t->healthy ? EF_HEALTH_HEALTHY
						 : EF_HEALTH_UNHEALTHY;
		}
}

static void on_health(void *ctx, struct ef_hc_target *t)
{
	struct daemon *d = ctx;
	char vs[EF_VIP_STRLEN], a[EF_ADDR_STRLEN];

	ef_vip_str(&t->vip, vs, sizeof(vs));
	ef_addr_str(&t->addr, t->family, a, sizeof(a));
	if (t->local) {
		ef_dlog(
		    EF_DLOG_WARNING,
		    "backend %s of %s cannot be checked from here (%s): it stays %s; the checker, "
		    "not the backend, is failing",
		    a, vs, t->last_error, t->healthy ? "healthy" : "unhealthy");
		return;
	}
	if (t->healthy)
		ef_dlog(EF_DLOG_INFO, "backend %s of %s is healthy: %u %s checks passed in a row",
			a, vs, t->ok_run, ef_hc_type_str(t->hc.type));
	else
		ef_dlog(EF_DLOG_WARNING,
			"backend %s of %s is unhealthy: %u %s checks failed in a row (%s)", a, vs,
			t->fail_run, ef_hc_type_str(t->hc.type), t->last_error);
	d->dirty = true;
}

/* Health targets for cfg; a target that was already checked keeps its
 * verdict, a new one starts from the verdict the running configuration
 * records (healthy if none): restarting the daemon changes nothing. */
static struct ef_health *make_health(struct daemon *d, const struct ef_config *cfg,
				     const struct ef_conf *running)
{
	struct ef_health *h = ef_health_new(d->epfd, on_health, d);
	size_t i, j;

	if (!h)
		return NULL;
	for (i = 0; i < cfg->conf.n_vips; i++) {
		const struct ef_conf_vip *v = &cfg->conf.vips[i];

		for (j = 0; j < v->n_backends; j++) {
			const struct ef_conf_backend *b = &v->backends[j];
			const struct ef_hc *hc = &cfg->vx[i].hc[j];
			struct ef_hc_target *old, *t;
			const struct ef_conf_backend *r;
			bool healthy = true;

			if (hc->type == EF_HC_NONE || b->admin == EF_BE_DOWN)
				continue;
			old = ef_health_find(d->health, &v->key, &b->addr, b->family);
			r = ef_conf_find_backend(ef_conf_find_vip(running, &v->key), &b->addr,
						 b->family);
			if (old)
				healthy = old->healthy;
			else if (r && r->health == EF_HEALTH_UNHEALTHY)
				healthy = false;
			t = ef_health_add(h, &v->key, &b->addr, b->family,
					  hc->port ? hc->port : ntohs(v->key.port), hc, healthy);
			if (!t) {
				ef_health_free(h);
				return NULL;
			}
			if (old && !memcmp(&old->hc, hc, sizeof(*hc))) {
				t->ok_run = old->ok_run;
				t->fail_run = old->fail_run;
			}
		}
	}
	return h;
}

static void log_plan(const struct ef_plan *p)
{
	char vs[EF_VIP_STRLEN];
	size_t i;

	for (i = 0; i < p->n_vips; i++) {
		const struct ef_plan_vip *v = &p->vips[i];

		ef_dlog(EF_DLOG_INFO, "vip %s %s: backends up %zu -> %zu, %.1f%% of slots move",
			ef_vip_str(&v->key, vs, sizeof(vs)), ef_plan_change_str(v->change),
			v->up_before, v->up_after, 100.0 * v->moved);
	}
}

/* Refuses a harmful plan (unless force), else commits want. */
static int commit_plan(struct daemon *d, struct ef_dp *dp, const struct ef_plan *plan,
		       const struct ef_conf *want, bool force)
{
	int err;

	for (size_t i = 0; i < plan->n_warnings; i++)
		ef_dlog(EF_DLOG_WARNING, "%s", plan->warnings[i]);
	if (plan->n_warnings && !force) {
		ef_dlog(EF_DLOG_ERR,
			"configuration %s refused: %s; the running one stays (evenflow apply "
			"--force, then reload, to apply it anyway)",
			d->file, plan->warnings[0]);
		return -EPERM;
	}
	if (!plan->n_vips) {
		ef_dlog(EF_DLOG_INFO, "configuration %s: nothing to change (%zu VIPs)", d->file,
			plan->n_same);
		return 0;
	}
	err = ef_devices_sync(dp);
	if (!err)
		err = ef_conf_commit(dp, want);
	if (err) {
		daemon_log_error("cannot apply the configuration", err);
		return err;
	}
	log_plan(plan);
	ef_dlog(EF_DLOG_INFO, "configuration %s applied: %zu VIP(s) changed, %zu unchanged",
		d->file, plan->n_vips, plan->n_same);
	return 0;
}

/* The new file's settings and health targets become the daemon's. */
static void adopt(struct daemon *d, struct ef_config *cfg, struct ef_health *h)
{
	if (d->cfg.file && strcmp(d->cfg.metrics_listen, cfg->metrics_listen))
		ef_dlog(EF_DLOG_WARNING, "metrics listen address changed: takes effect on restart");
	if (!d->cfg.file || memcmp(&d->cfg.imbalance, &cfg->imbalance, sizeof(cfg->imbalance)))
		daemon_imbalance_configure(d, cfg);
	daemon_routing_configure(d, cfg);
	daemon_siblings_configure(d, cfg);
	if (daemon_devices_configure(d, cfg))
		daemon_log_error("decap", -EIO);
	ef_health_free(d->health);
	d->health = h;
	ef_config_free(&d->cfg);
	d->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	d->dirty = false;
}

void daemon_config_refused(struct daemon *d, const struct ef_config_errors *errs, int err)
{
	for (size_t i = 0; i < errs->shown; i++)
		ef_dlog(EF_DLOG_ERR, "%s", errs->line[i]);
	if (!errs->shown)
		ef_dlog(EF_DLOG_ERR, "%s: cannot read: %s", d->file, strerror(-err));
	ef_dlog(EF_DLOG_ERR, "configuration %s refused (%zu errors); the running one stays",
		d->file, errs->n ? errs->n : 1);
}

int daemon_restore(struct daemon *d, struct ef_dp *dp)
{
	struct ef_conf running = {}, want = {};
	struct ef_plan plan = {};
	int err;

	err = ef_conf_read(dp, &running);
	if (!err)
		err = with_health(&d->cfg, d->health, &want);
	if (!err)
		err = ef_safety_plan(&running, &want, &d->cfg.limits, NULL, &plan);
	if (err)
		daemon_log_error("cannot compute the plan", err);
	else
		err = commit_plan(d, dp, &plan, &want, false);
	ef_plan_free(&plan);
	ef_conf_free(&want);
	ef_conf_free(&running);
	return err;
}

const struct ef_dp_cfg *daemon_dp_cfg(const struct ef_config *cfg, struct ef_dp_cfg *out)
{
	if (!cfg->dataplane.on)
		return NULL;
	*out = (struct ef_dp_cfg){.conntrack_size = cfg->dataplane.conntrack_size,
				  .udp_idle_s = cfg->dataplane.udp_timeout_s};
	return out;
}

/* The running configuration: the data plane opened (*opened; loaded with
 * the file's load-time settings when it has a `dataplane:`) and read;
 * none for a backend's file (decap: alone), which leaves the LB's data
 * plane alone. */
static int read_running(struct daemon *d, const struct ef_config *cfg, struct ef_dp *dp,
			bool *opened, struct ef_conf *running)
{
	struct ef_dp_cfg load;
	int err;

	if (!cfg->has_vips)
		return 0;
	err = ef_dp_open(d->pin_dir, daemon_dp_cfg(cfg, &load), dp);
	if (err) {
		daemon_log_error("cannot open the data plane", err);
		return err;
	}
	*opened = true;
	err = ef_conf_read(dp, running);
	if (err)
		daemon_log_error("cannot read the running configuration", err);
	return err;
}

int daemon_apply_config(struct daemon *d, struct ef_config *cfg, bool force)
{
	struct ef_conf running = {}, want = {};
	struct ef_health *h = NULL;
	struct ef_plan plan = {};
	struct ef_dp dp;
	bool opened = false;
	int err;

	err = read_running(d, cfg, &dp, &opened, &running);
	if (!err) {
		h = make_health(d, cfg, &running);
		err = h ? 0 : -ENOMEM;
	}
	if (!err && cfg->has_vips) {
		err = with_health(cfg, h, &want);
		if (!err)
			err = ef_safety_plan(&running, &want, &cfg->limits, NULL, &plan);
		if (err)
			daemon_log_error("cannot compute the plan", err);
		else
			err = commit_plan(d, &dp, &plan, &want, force);
		if (!err)
			daemon_devices_committed(d, &dp);
	}
	if (!err) {
		adopt(d, cfg, h);
		h = NULL;
	}
	ef_plan_free(&plan);
	ef_conf_free(&want);
	ef_conf_free(&running);
	ef_health_free(h);
	if (opened)
		ef_dp_close(&dp);
	ef_config_free(cfg);
	return err;
}
