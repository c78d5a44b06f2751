/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * daemon.h: `evenflow daemon`: the configuration file applied, then kept
 * applied, with health checks laid over it.
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
#ifndef EF_DAEMON_H
#define EF_DAEMON_H

#include <stdbool.h>

/* What `evenflow daemon` is given. */
struct ef_daemon_opts {
	const char *pin_dir;
	const char *file; /* the configuration file */
	bool force;	  /* the first apply may do what apply --force may */
	int verbose;
};

/* Runs until SIGTERM or SIGINT: 0, or a negative errno with the error
 * recorded (the first apply failed, the metrics address is unusable). */
int ef_daemon_run(const struct ef_daemon_opts *o);

#endif /* EF_DAEMON_H */
