/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fetch.h: HTTP GETs driven from an epoll loop, through libcurl's multi
 * interface in its socket mode: libcurl tells which sockets to watch and
 * when it wants a timeout, the owner's loop waits and calls back. Nothing
 * blocks: the daemon polls its siblings' /metrics from its one loop, and
 * `evenflow check --peer` runs the same from a loop of its own.
 *
 * A transfer's body is handed over line by line as it arrives (a metrics
 * page with thousands of backends is megabytes; the reader keeps only the
 * lines it wants), then the owner is told how the transfer ended. Plain
 * http only (no redirect, no other protocol), one fresh connection per
 * transfer, a body of at most EF_FETCH_MAX_BYTES.
 *
 * Sockets are registered in the owner's epoll set with data.ptr = a
 * struct ef_ev (daemon/health.h) whose callback is this module's; what
 * libcurl closes is freed at the next ef_fetch_run_timers, so an event
 * already returned by epoll_wait never points at freed memory.
 */
#ifndef EF_FETCH_H
#define EF_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#define EF_FETCH_MAX_BYTES (64L << 20)
#define EF_FETCH_LINE_MAX  4096 /* a longer line is skipped */

struct ef_fetch_ops {
	/* One line of transfer id's body, without its newline; non-zero
	 * (a negative errno, with *why) stops the transfer, which then ends
	 * with that error. */
	int (*line)(void *ctx, size_t id, const char *line, size_t len, const char **why);
	/* Transfer id ended: err 0 and the HTTP status, or a negative errno
	 * and why (libcurl's message, or the line callback's). */
	void (*done)(void *ctx, size_t id, int err, long status, const char *why);
};

struct ef_fetch;

/* A set of transfers whose sockets join epfd. 0, or -ENOMEM / -EIO
 * (nothing recorded). curl_global_init must have been called. */
int ef_fetch_new(int epfd, const struct ef_fetch_ops *ops, void *ctx, struct ef_fetch **out);
/* Stops every transfer (no callback) and frees. NULL is fine. */
void ef_fetch_free(struct ef_fetch *f);

/* Starts GET url as transfer id, given timeout_ms in all: 0, -EBUSY when
 * id still runs, -ENOMEM or -EIO. */
int ef_fetch_start(struct ef_fetch *f, size_t id, const char *url, long timeout_ms);
/* Whether transfer id runs; how many run. */
bool ef_fetch_busy(const struct ef_fetch *f, size_t id);
size_t ef_fetch_running(const struct ef_fetch *f);

/* Milliseconds until libcurl's timer (-1: none), for epoll_wait. */
int ef_fetch_next_ms(const struct ef_fetch *f);
/* Runs libcurl's timer if due, and frees what libcurl closed. */
void ef_fetch_run_timers(struct ef_fetch *f);

#endif /* EF_FETCH_H */
