// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * loader.c: the configuration file read and parsed off the daemon's loop;
 * see state.h. A 16 MiB file takes about a second to parse: in the loop,
 * that second would stop health checks, /metrics and the announcement.
 * The thread touches nothing of the daemon's but its own job; the loop
 * hears of the end through an eventfd and applies the result itself.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core/config_file.h"
#include "daemon/dlog.h"
#include "daemon/state.h"

/* One reading of the file: the thread fills cfg, errs, err and took_s. */
struct daemon_loader {
	struct ef_ev ev; /* first: the eventfd the thread writes when done */
	struct daemon *d;
	pthread_t thread;
	bool running; /* a thread is reading */
	bool again;   /* a SIGHUP came meanwhile: read again after it */
	const char *file;
	struct ef_config cfg;
	struct ef_config_errors errs;
	int err;
	double took_s;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *read_file(void *arg)
{
	struct daemon_loader *l = arg;
	double start = now_s();
	__u64 one = 1;

	l->err = ef_config_load(l->file, &l->cfg, &l->errs);
	l->took_s = now_s() - start;
	if (write(l->ev.fd, &one, sizeof(one)) != sizeof(one))
		abort(); /* an eventfd write of 1 cannot fail short of a bug */
	return NULL;
}

static void start(struct daemon *d)
{
	struct daemon_loader *l = d->loader;
	int err;

	l->again = false;
	ef_dlog(EF_DLOG_INFO, "SIGHUP: reading %s", d->file);
	err = pthread_create(&l->thread, NULL, read_file, l);
	if (err) {
		ef_dlog(EF_DLOG_ERR, "cannot start reading %s: %s; the running configuration stays",
			d->file, strerror(err));
		return;
	}
	l->running = true;
}

/* The thread is done: join it and apply what it read. */
static void done(struct ef_ev *ev, uint32_t events)
{
	struct daemon_loader *l = (struct daemon_loader *)ev;
	struct daemon *d = l->d;
	__u64 n;

	(void)events;
	if (read(ev->fd, &n, sizeof(n)) != sizeof(n) || !l->running)
		return;
	pthread_join(l->thread, NULL);
	l->running = false;
	ef_dlog(EF_DLOG_INFO, "%s read in %.2f s", d->file, l->took_s);
	if (l->err)
		daemon_config_refused(d, &l->errs, l->err);
	else
		daemon_apply_config(d, &l->cfg, false);
	if (l->again)
		start(d);
}

int daemon_loader_init(struct daemon *d)
{
	struct epoll_event ev = {.events = EPOLLIN};
	struct daemon_loader *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->file = d->file;
	l->ev.cb = done;
	l->d = d;
	l->ev.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ev.data.ptr = &l->ev;
	if (l->ev.fd < 0 || epoll_ctl(d->epfd, EPOLL_CTL_ADD, l->ev.fd, &ev)) {
		int err = -errno;

		if (l->ev.fd >= 0)
			close(l->ev.fd);
		free(l);
		return err;
	}
	d->loader = l;
	return 0;
}

void daemon_loader_start(struct daemon *d)
{
	if (d->loader->running)
		d->loader->again = true;
	else
		start(d);
}

void daemon_loader_free(struct daemon *d)
{
	struct daemon_loader *l = d->loader;

	if (!l)
		return;
	if (l->running) {
		pthread_join(l->thread, NULL);
		if (!l->err)
			ef_config_free(&l->cfg);
	}
	close(l->ev.fd);
	free(l);
	d->loader = NULL;
}
