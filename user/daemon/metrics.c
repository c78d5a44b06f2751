// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* metrics.c: the daemon's /metrics (libmicrohttpd, driven from the
 * daemon's epoll loop); see state.h. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <stdio.h>
#include <sys/epoll.h>

#include "core/snapshot.h"
#include "daemon/dlog.h"
#include "daemon/state.h"
#include "util/log.h"

/* GET /metrics: a fresh reading with the verdicts of the sampled window. */
static unsigned scrape(void *arg, FILE *f)
{
	struct daemon *d = arg;
	struct ef_snap s = {};
	unsigned status;

	status = ef_http_exposition(f, ef_snap_read_dir(d->pin_dir, &s), &s, d->imb,
				    d->cfg.imbalance.window_s);
	fprintf(
	    f,
	    "# HELP evenflow_health_checked backends the daemon health-checks\n"
	    "# TYPE evenflow_health_checked gauge\nevenflow_health_checked %zu\n"
	    "# HELP evenflow_health_checker_failing backends this host cannot check (its own "
	    "errors: no socket, connect refused locally); they keep their last verdict\n"
	    "# TYPE evenflow_health_checker_failing gauge\nevenflow_health_checker_failing %zu\n",
	    ef_health_count(d->health), ef_health_local_failing(d->health));
	daemon_routing_metrics(d, f);
	daemon_siblings_metrics(d, f);
	daemon_devices_metrics(d, f);
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

int daemon_metrics_start(struct daemon *d)
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
