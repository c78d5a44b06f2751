// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cmd_daemon.c: evenflow daemon --config FILE [--force]
 *
 * One thread, one epoll set: health-check sockets (health.h), a signalfd
 * (SIGHUP reloads, SIGTERM/SIGINT stop), the metrics HTTP server
 * (libmicrohttpd in its "external epoll" mode, so it needs no thread of its
 * own) and timers taken from the health checks' heap and a 1 s tick for the
 * imbalance detector. Plain epoll rather than libev: the daemon waits on
 * three kinds of descriptors and one timer heap, which is less code than an
 * event library's adapters, and nothing is hidden from the reader.
 *
 * The configuration the daemon commits is the file with the health checks
 * laid over it: a backend whose checks failed is down, whatever the file
 * says. Every change, the first apply, a reload or a backend turning
 * healthy or unhealthy, goes through ef_conf_commit (all or nothing), the
 * path `evenflow apply` and the CLI take. The data plane is opened for each
 * change and closed right after, so the CLI is never locked out.
 *
 * On start, a backend that is down in the running data plane while the file
 * says up starts unhealthy (it needs `rise` good checks) and every other
 * one healthy: restarting the daemon over its own configuration commits
 * nothing and so disturbs no flow.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "util/addr.h"
#include "core/backends.h"
#include "cli/cli.h"
#include "core/conf.h"
#include "core/config.h"
#include "dp/dataplane.h"
#include "daemon/dlog.h"
#include "daemon/health.h"
#include "daemon/http.h"
#include "core/imbalance.h"
#include "util/log.h"
#include "core/plan.h"
#include "core/snapshot.h"
#include "cli/watch.h"

#define SAMPLE_MS 1000 /* imbalance detector's sampling period */
#define RETRY_MS  1000 /* a failed commit of health changes is retried */

struct vip_flag {
	struct ef_vip_key key;
	bool flagged;
};

struct daemon {
	const char *pin_dir;
	const char *file;
	int epfd;
	struct ef_ev sig_ev, mhd_ev;
	struct ef_config cfg;
	struct ef_health *health;
	struct ef_http http;
	struct MHD_Daemon *mhd;
	struct ef_imb *imb;
	struct vip_flag *flags;
	size_t n_flags;
	__u64 next_sample, retry_at;
	bool dirty, stop, reload;
};

/* The recorded library error as a log line, then forgotten. */
static void log_lib_error(const char *what, int err)
{
	ef_dlog(EF_DLOG_ERR, "%s: %s", what, ef_err_msg() ? ef_err_msg() : strerror(-err));
	ef_err_clear();
}

static int conf_copy(const struct ef_conf *src, struct ef_conf *dst)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	dst->vips = calloc(src->n_vips ? src->n_vips : 1, sizeof(*dst->vips));
	if (!dst->vips)
		return -ENOMEM;
	dst->n_vips = src->n_vips;
	for (i = 0; i < src->n_vips; i++) {
		const struct ef_conf_vip *s = &src->vips[i];

		dst->vips[i] = *s;
		dst->vips[i].backends = NULL;
		if (!s->n_backends)
			continue;
		dst->vips[i].backends = malloc(s->n_backends * sizeof(*s->backends));
		if (!dst->vips[i].backends) {
			ef_conf_free(dst);
			return -ENOMEM;
		}
		memcpy(dst->vips[i].backends, s->backends, s->n_backends * sizeof(*s->backends));
	}
	return 0;
}

static struct ef_conf_backend *conf_find(const struct ef_conf *c, const struct ef_vip_key *key,
					 const struct ef_addr *addr, __u8 family)
{
	size_t i, j;

	for (i = 0; i < c->n_vips; i++) {
		if (memcmp(&c->vips[i].key, key, sizeof(*key)))
			continue;
		for (j = 0; j < c->vips[i].n_backends; j++)
			if (c->vips[i].backends[j].family == family &&
			    !memcmp(&c->vips[i].backends[j].addr, addr, sizeof(*addr)))
				return &c->vips[i].backends[j];
	}
	return NULL;
}

/* The file's configuration with the health of every checked backend laid
 * over it. */
static int effective(const struct ef_config *cfg, struct ef_health *h, struct ef_conf *want)
{
	size_t i;
	int err = conf_copy(&cfg->conf, want);

	for (i = 0; !err && i < ef_health_count(h); i++) {
		struct ef_hc_target *t = ef_health_get(h, i);
		struct ef_conf_backend *b = conf_find(want, &t->vip, &t->addr, t->family);

		if (b && !t->healthy)
			b->state = EF_BE_DOWN;
	}
	return err;
}

static void on_health(void *ctx, struct ef_hc_target *t)
{
	struct daemon *d = ctx;
	char vs[EF_VIP_STRLEN], a[EF_ADDR_STRLEN];

	ef_vip_str(&t->vip, vs, sizeof(vs));
	ef_addr_str(&t->addr, t->family, a, sizeof(a));
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
 * state, a new one starts from the running state (see the top comment). */
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

			if (hc->type == EF_HC_NONE || b->state == EF_BE_DOWN)
				continue;
			old = ef_health_find(d->health, &v->key, &b->addr, b->family);
			r = conf_find(running, &v->key, &b->addr, b->family);
			if (old)
				healthy = old->healthy;
			else if (r && r->state == EF_BE_DOWN)
				healthy = false;
			t = ef_health_add(h, &v->key, &b->addr, b->family,
					  hc->port ? hc->port : ntohs(v->key.port), hc, healthy);
			if (!t) {
				ef_health_free(h);
				return NULL;
			}
			t->admin_state = b->state;
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

static void imb_configure(struct daemon *d, const struct ef_config *cfg)
{
	struct ef_imb_cfg ic;
	struct ef_imb *imb;

	ef_imb_cfg_default(&ic);
	ic.window_s = cfg->imbalance.window_s;
	ic.factor = cfg->imbalance.factor;
	ic.margin = cfg->imbalance.tolerance;
	ic.min_flows = cfg->imbalance.min_flows;
	imb = ef_imb_new(&ic);
	if (!imb) {
		ef_dlog(EF_DLOG_ERR, "imbalance detector: invalid settings or out of memory");
		return;
	}
	ef_imb_free(d->imb);
	d->imb = imb;
	free(d->flags);
	d->flags = NULL;
	d->n_flags = 0;
}

/*
 * Reads the file and makes it the running configuration (health laid over
 * it), refusing an invalid or harmful one (unless force) and keeping what
 * runs then. On success d->cfg and d->health are replaced.
 */
static int apply_file(struct daemon *d, bool force)
{
	struct ef_conf running = {}, want = {};
	struct ef_health *h = NULL;
	struct ef_config_errors errs;
	struct ef_config cfg;
	struct ef_plan plan = {};
	struct ef_dp dp;
	bool opened = false;
	size_t i;
	int err;

	err = ef_config_load(d->file, &cfg, &errs);
	if (err) {
		for (i = 0; i < errs.shown; i++)
			ef_dlog(EF_DLOG_ERR, "%s", errs.line[i]);
		ef_dlog(EF_DLOG_ERR, "configuration %s refused (%zu errors); the running one stays",
			d->file, errs.n);
		return err;
	}
	err = ef_dp_open(d->pin_dir, NULL, &dp);
	if (err) {
		log_lib_error("cannot open the data plane", err);
		goto out;
	}
	opened = true;
	err = ef_conf_read(&dp, &running);
	if (err) {
		log_lib_error("cannot read the running configuration", err);
		goto out;
	}
	h = make_health(d, &cfg, &running);
	if (!h) {
		err = -ENOMEM;
		ef_dlog(EF_DLOG_ERR, "out of memory");
		goto out;
	}
	err = effective(&cfg, h, &want);
	if (!err)
		err = ef_plan_build(&running, &want, cfg.max_move, &plan);
	if (err) {
		log_lib_error("cannot compute the plan", err);
		goto out;
	}
	for (i = 0; i < plan.n_warnings; i++)
		ef_dlog(EF_DLOG_WARNING, "%s", plan.warnings[i]);
	if (plan.n_warnings && !force) {
		err = -EPERM;
		ef_dlog(EF_DLOG_ERR,
			"configuration %s refused: %s; the running one stays (evenflow apply "
			"--force, then reload, to apply it anyway)",
			d->file, plan.warnings[0]);
		goto out;
	}
	if (plan.n_vips) {
		err = ef_tx_ports_sync(&dp);
		if (!err)
			err = ef_conf_commit(&dp, &want);
		if (err) {
			log_lib_error("cannot apply the configuration", err);
			goto out;
		}
		log_plan(&plan);
		ef_dlog(EF_DLOG_INFO, "configuration %s applied: %zu VIP(s) changed, %zu unchanged",
			d->file, plan.n_vips, plan.n_same);
	} else {
		ef_dlog(EF_DLOG_INFO, "configuration %s: nothing to change (%zu VIPs)", d->file,
			plan.n_same);
	}
	if (d->cfg.file && strcmp(d->cfg.metrics_listen, cfg.metrics_listen))
		ef_dlog(EF_DLOG_WARNING, "metrics listen address changed: takes effect on restart");
	if (!d->cfg.file || memcmp(&d->cfg.imbalance, &cfg.imbalance, sizeof(cfg.imbalance)))
		imb_configure(d, &cfg);
	ef_health_free(d->health);
	d->health = h;
	h = NULL;
	ef_config_free(&d->cfg);
	d->cfg = cfg;
	memset(&cfg, 0, sizeof(cfg));
	d->dirty = false;
out:
	ef_plan_free(&plan);
	ef_conf_free(&want);
	ef_conf_free(&running);
	ef_health_free(h);
	if (opened)
		ef_dp_close(&dp);
	ef_config_free(&cfg);
	return err;
}

/* Commits the health states that differ from the running configuration:
 * read, modify, commit (all or nothing), like any other change. */
static void reconcile(struct daemon *d)
{
	struct ef_conf running = {};
	char vs[EF_VIP_STRLEN], a[EF_ADDR_STRLEN];
	size_t i, changes = 0;
	struct ef_dp dp;
	int err;

	err = ef_dp_open(d->pin_dir, NULL, &dp);
	if (err) {
		log_lib_error("cannot open the data plane", err);
		goto retry;
	}
	err = ef_conf_read(&dp, &running);
	for (i = 0; !err && i < ef_health_count(d->health); i++) {
		struct ef_hc_target *t = ef_health_get(d->health, i);
		struct ef_conf_backend *b = conf_find(&running, &t->vip, &t->addr, t->family);
		__u8 want = t->healthy ? t->admin_state : EF_BE_DOWN;

		if (!b || b->state == want)
			continue;
		ef_dlog(want == EF_BE_DOWN ? EF_DLOG_WARNING : EF_DLOG_INFO,
			"backend %s of %s marked %s (was %s)",
			ef_addr_str(&t->addr, t->family, a, sizeof(a)),
			ef_vip_str(&t->vip, vs, sizeof(vs)), ef_state_str(want),
			ef_state_str(b->state));
		b->state = want;
		changes++;
	}
	if (!err && changes)
		err = ef_conf_commit(&dp, &running);
	if (!err)
		for (i = 0; i < running.n_vips; i++) {
			size_t j, up = 0;

			for (j = 0; j < running.vips[i].n_backends; j++)
				up += running.vips[i].backends[j].state == EF_BE_UP;
			if (!up && changes)
				ef_dlog(EF_DLOG_WARNING, "vip %s has no backend up",
					ef_vip_str(&running.vips[i].key, vs, sizeof(vs)));
		}
	ef_conf_free(&running);
	ef_dp_close(&dp);
	if (err) {
		log_lib_error("cannot commit health changes (retrying)", err);
		goto retry;
	}
	d->dirty = false;
	return;
retry:
	d->retry_at = ef_now_ms() + RETRY_MS;
}

/* ---- Imbalance ---- */

static struct vip_flag *flag_of(struct daemon *d, const struct ef_vip_key *key)
{
	struct vip_flag *f;
	size_t i;

	for (i = 0; i < d->n_flags; i++)
		if (!memcmp(&d->flags[i].key, key, sizeof(*key)))
			return &d->flags[i];
	f = realloc(d->flags, (d->n_flags + 1) * sizeof(*f));
	if (!f)
		return NULL;
	d->flags = f;
	f = &d->flags[d->n_flags++];
	f->key = *key;
	f->flagged = false;
	return f;
}

static void sample(struct daemon *d)
{
	struct ef_snap s = {};
	size_t i, j;
	int err;

	if (!d->imb)
		return;
	err = ef_watch_sample(d->pin_dir, &s, d->imb);
	if (err) {
		if (err != -ENOENT)
			log_lib_error("imbalance sample", err);
		ef_err_clear();
		goto out;
	}
	for (i = 0; i < s.n_vips; i++) {
		struct vip_flag *f = flag_of(d, &s.vips[i].key);
		bool now = ef_imb_vip_flagged(d->imb, s.vips[i].vip.id);

		if (!f || f->flagged == now)
			continue;
		f->flagged = now;
		if (!now) {
			ef_dlog(EF_DLOG_INFO, "imbalance over: vip %s is back within tolerance",
				s.vips[i].name);
			continue;
		}
		for (j = 0; j < s.n_backends; j++) {
			const struct ef_imb_result *r = ef_imb_find(d->imb, s.backends[j].id);
			char why[160];

			if (s.backends[j].vip != i || !r || !r->flagged)
				continue;
			ef_dlog(EF_DLOG_WARNING, "imbalance: vip %s: %s", s.vips[i].name,
				ef_imb_describe(&s.backends[j], r, why, sizeof(why)));
		}
	}
out:
	ef_snap_free(&s);
}

/* ---- Metrics (libmicrohttpd, driven from our epoll loop) ---- */

/* GET /metrics: a fresh reading with the verdicts of the sampled window. */
static unsigned scrape(void *arg, FILE *f)
{
	struct daemon *d = arg;
	struct ef_snap s = {};
	unsigned status;

	status = ef_http_exposition(f, ef_snap_read_dir(d->pin_dir, &s), &s, d->imb,
				    d->cfg.imbalance.window_s);
	ef_err_clear();
	ef_snap_free(&s);
	return status;
}

static void mhd_io(struct ef_ev *ev, uint32_t events)
{
	struct daemon *d = (struct daemon *)((char *)ev - offsetof(struct daemon, mhd_ev));

	(void)events;
	MHD_run(d->mhd);
}

static int metrics_start(struct daemon *d)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &d->mhd_ev};
	const union MHD_DaemonInfo *info;
	const char *why;
	int err;

	if (!d->cfg.metrics_listen[0])
		return 0;
	d->http = (struct ef_http){.scrape = scrape, .arg = d};
	err = ef_http_start(d->cfg.metrics_listen, MHD_USE_EPOLL, &d->http, &d->mhd, &why);
	if (err == -EINVAL)
		return ef_err(err, "metrics listen %s: %s", d->cfg.metrics_listen, why);
	if (err)
		return ef_err(err, "metrics: cannot listen on %s", d->cfg.metrics_listen);
	info = MHD_get_daemon_info(d->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info)
		return ef_err(-EIO, "metrics: no epoll descriptor");
	d->mhd_ev.fd = info->epoll_fd;
	d->mhd_ev.cb = mhd_io;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->mhd_ev.fd, &ev))
		return ef_err(-errno, "metrics: epoll: %s", strerror(errno));
	ef_dlog(EF_DLOG_INFO, "metrics at http://%s/metrics", d->cfg.metrics_listen);
	return 0;
}

/* ---- Signals and the loop ---- */

static void sig_io(struct ef_ev *ev, uint32_t events)
{
	struct daemon *d = (struct daemon *)((char *)ev - offsetof(struct daemon, sig_ev));
	struct signalfd_siginfo si;

	(void)events;
	while (read(ev->fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			d->reload = true;
		else
			d->stop = true;
	}
}

static int min_timeout(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

static void loop(struct daemon *d)
{
	struct epoll_event evs[64];

	while (!d->stop) {
		__u64 now = ef_now_ms();
		int timeout = ef_health_next_ms(d->health), n, i;
		MHD_UNSIGNED_LONG_LONG mt;

		timeout =
		    min_timeout(timeout, d->next_sample > now ? (int)(d->next_sample - now) : 0);
		if (d->dirty)
			timeout =
			    min_timeout(timeout, d->retry_at > now ? (int)(d->retry_at - now) : 0);
		if (d->mhd && MHD_get_timeout(d->mhd, &mt) == MHD_YES)
			timeout = min_timeout(timeout, mt > 1000 ? 1000 : (int)mt);
		n = epoll_wait(d->epfd, evs, 64, timeout);
		if (n < 0 && errno != EINTR) {
			ef_dlog(EF_DLOG_ERR, "epoll_wait: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			struct ef_ev *ev = evs[i].data.ptr;

			ev->cb(ev, evs[i].events);
		}
		if (d->stop)
			break;
		ef_health_run_timers(d->health);
		if (d->reload) {
			d->reload = false;
			ef_dlog(EF_DLOG_INFO, "SIGHUP: reloading %s", d->file);
			apply_file(d, false);
		}
		now = ef_now_ms();
		if (d->dirty && now >= d->retry_at)
			reconcile(d);
		if (now >= d->next_sample) {
			d->next_sample = now + SAMPLE_MS;
			sample(d);
		}
		if (d->mhd)
			MHD_run(d->mhd);
	}
}

int cmd_daemon(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv)
{
	struct daemon d = {.epfd = -1, .sig_ev.fd = -1, .mhd_ev.fd = -1};
	struct epoll_event ev = {.events = EPOLLIN};
	bool force = false;
	sigset_t mask;
	int c, err;

	ef_getopt_reset();
	while ((c = ef_getopt(cmd, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			ef_cmd_usage(cmd, NULL);
			return 0;
		case 'c':
			d.file = optarg;
			break;
		case 'f':
			force = true;
			break;
		default:
			return -EINVAL;
		}
	}
	if (ef_nargs(cmd, argc, argv, 0, 0))
		return -EINVAL;
	if (!d.file)
		return ef_usage("daemon: --config FILE is required");
	d.pin_dir = ef_pin_dir(ctx->pin_dir);
	ef_dlog_init(ctx->verbose);

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	d.sig_ev.fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d.epfd < 0 || d.sig_ev.fd < 0) {
		err = ef_err(-errno, "daemon: %s", strerror(errno));
		goto out;
	}
	d.sig_ev.cb = sig_io;
	ev.data.ptr = &d.sig_ev;
	if (epoll_ctl(d.epfd, EPOLL_CTL_ADD, d.sig_ev.fd, &ev)) {
		err = ef_err(-errno, "daemon: epoll: %s", strerror(errno));
		goto out;
	}

	ef_dlog(EF_DLOG_INFO, "starting: config %s, pin dir %s", d.file, d.pin_dir);
	err = apply_file(&d, force);
	if (err) {
		err =
		    ef_err(err, "daemon: configuration %s not applied (see the log above)", d.file);
		goto out;
	}
	err = metrics_start(&d);
	if (err)
		goto out;
	ef_dlog(EF_DLOG_INFO, "running: %zu VIPs, %zu backends health-checked", d.cfg.conf.n_vips,
		ef_health_count(d.health));
	loop(&d);
	ef_dlog(EF_DLOG_INFO, "stopping; the data plane keeps running with its configuration");
out:
	if (d.mhd)
		MHD_stop_daemon(d.mhd);
	ef_health_free(d.health);
	ef_imb_free(d.imb);
	free(d.flags);
	ef_config_free(&d.cfg);
	if (d.sig_ev.fd >= 0)
		close(d.sig_ev.fd);
	if (d.epfd >= 0)
		close(d.epfd);
	return err;
}

const struct option ef_daemon_opts[] = {
    {"config", required_argument, NULL, 'c'},
    {"force", no_argument, NULL, 'f'},
    {NULL, 0, NULL, 0},
};
