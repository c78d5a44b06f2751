// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* daemon.c: the daemon's setup, signals and loop; see daemon.h. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "core/config_file.h"
#include "daemon/daemon.h"
#include "daemon/dlog.h"
#include "daemon/runfile.h"
#include "dp/pindir.h"
#include "daemon/state.h"
#include "util/log.h"

/* The recorded library error as a log line, then forgotten. */
void daemon_log_error(const char *what, int err)
{
	ef_dlog(EF_DLOG_ERR, "%s: %s", what, ef_err_msg() ? ef_err_msg() : strerror(-err));
	ef_err_clear();
}

static void sig_io(struct ef_ev *ev, uint32_t events)
{
	struct daemon *d = (struct daemon *)((char *)ev - offsetof(struct daemon, sig_ev));
	struct signalfd_siginfo si;

	(void)events;
	while (read(ev->fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			d->reload = true;
		else if (!daemon_routing_signal(d, (int)si.ssi_signo))
			d->stop = true; /* nothing announced, or a second stop signal */
	}
}

/* The health checker's alarm (targets this host cannot check), logged and
 * reported to `evenflow status` when it changes, with the announcement and
 * the siblings' alarms. */
static void report(struct daemon *d)
{
	size_t failing = ef_health_local_failing(d->health), n = ef_health_count(d->health);
	char announce[128];
	struct ef_daemon_report r = {.config = d->file,
				     .checked = n,
				     .checker_failing = failing,
				     .checker_error = "",
				     .announce =
					 daemon_routing_summary(d, announce, sizeof(announce)),
				     .sibling_alarms = daemon_siblings_alarms(d)};

	if (failing == d->report_failing && !d->report_due)
		return;
	d->report_due = false;
	for (size_t i = 0; i < n && failing; i++)
		if (ef_health_get(d->health, i)->local)
			r.checker_error = ef_health_get(d->health, i)->last_error;
	if (failing && failing != d->report_failing)
		ef_dlog(EF_DLOG_WARNING,
			"the health checker is failing: %zu of %zu backends cannot be checked from "
			"here (%s); they keep their last verdict",
			failing, n, r.checker_error);
	else if (!failing && d->report_failing != (size_t)-1 && d->report_failing)
		ef_dlog(EF_DLOG_INFO, "the health checker works again");
	d->report_failing = failing;
	ef_daemon_report_write(d->pin_dir, &r);
}

/* Descriptors for checks and clients: the hard limit, so that nothing but
 * the connection limits of the endpoint (daemon/http.h) bounds them. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			ef_dlog(EF_DLOG_WARNING, "cannot raise the open files limit: %s",
				strerror(errno));
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
		timeout = min_timeout(timeout, daemon_routing_next_ms(d));
		timeout = min_timeout(timeout, daemon_siblings_next_ms(d));
		timeout = min_timeout(timeout, daemon_devices_next_ms(d));
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
			daemon_loader_start(d);
		}
		now = ef_now_ms();
		if (d->dirty && now >= d->retry_at)
			daemon_reconcile(d);
		daemon_routing_run(d);
		daemon_siblings_run(d);
		daemon_devices_run(d);
		if (now >= d->next_sample) {
			d->next_sample = now + SAMPLE_MS;
			daemon_imbalance_sample(d);
			report(d);
		} else if (d->report_due) {
			report(d);
		}
		if (d->mhd)
			MHD_run(d->mhd);
	}
}

/* The file read in the loop's thread (nothing else runs yet), then
 * applied; the loader set up for SIGHUP. */
static int start_config(struct daemon *d, bool force)
{
	struct ef_config_errors errs;
	struct ef_config cfg;
	int err;

	err = daemon_loader_init(d);
	if (!err)
		err = daemon_devices_init(d);
	if (err)
		return ef_err(err, "daemon: %s", strerror(-err));
	err = ef_config_load(d->file, &cfg, &errs);
	if (err) {
		daemon_config_refused(d, &errs, err);
		return err;
	}
	return daemon_apply_config(d, &cfg, force);
}

int ef_daemon_run(const struct ef_daemon_opts *o)
{
	struct daemon d = {.epfd = -1,
			   .sig_ev.fd = -1,
			   .mhd_ev.fd = -1,
			   .lock_fd = -1,
			   .report_failing = (size_t)-1};
	struct epoll_event ev = {.events = EPOLLIN};
	sigset_t mask;
	int err;

	d.file = o->file;
	d.pin_dir = o->pin_dir;
	ef_dlog_init(o->verbose);

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1); /* maintenance (routing.c) */
	sigaddset(&mask, SIGUSR2);
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

	raise_fd_limit();
	err = ef_pin_dir_prepare(d.pin_dir);
	if (!err)
		err = d.lock_fd = ef_daemon_lock(d.pin_dir);
	if (err < 0)
		goto out;
	ef_dlog(EF_DLOG_INFO, "starting: config %s, pin dir %s", d.file, d.pin_dir);
	err = start_config(&d, o->force);
	if (err) {
		err =
		    ef_err(err, "daemon: configuration %s not applied (see the log above)", d.file);
		goto out;
	}
	err = daemon_metrics_start(&d);
	if (err)
		goto out;
	ef_dlog(EF_DLOG_INFO, "running: %zu VIPs, %zu backends health-checked", d.cfg.conf.n_vips,
		ef_health_count(d.health));
	report(&d);
	loop(&d);
	ef_dlog(EF_DLOG_INFO, "stopping; the data plane keeps running with its configuration");
	ef_daemon_report_remove(d.pin_dir);
out:
	daemon_loader_free(&d);
	daemon_devices_free(&d);
	daemon_siblings_free(&d);
	daemon_routing_free(&d);
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
	if (d.lock_fd >= 0)
		close(d.lock_fd);
	return err;
}
