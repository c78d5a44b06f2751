/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * health.h: non-blocking health checks of many backends from one epoll
 * loop (the daemon's).
 *
 * Every target is checked every interval (measured from the start of one
 * check to the start of the next; the first checks are spread over one
 * interval so that thousands of backends do not connect at once). A check
 * is a non-blocking connect() (tcp) followed, for http, by an HTTP/1.0 GET
 * whose status line must carry the expected code; it fails on any error or
 * when it is not done within the timeout. After `fall` failures in a row a
 * healthy target turns unhealthy, after `rise` successes in a row an
 * unhealthy one turns healthy, and the owner's callback is told.
 *
 * A check that cannot even be tried, for a reason of this host (no socket:
 * too many open files, no memory; the connect refused locally: EPERM,
 * EACCES, EADDRNOTAVAIL), says nothing of the backend: it counts neither
 * way, the target keeps its verdict and is marked `local` until a check
 * completes (the checker is failing, not the backend).
 *
 * Timers: one binary min-heap of deadlines (next start or check timeout)
 * over all targets; ef_health_next_ms() is the epoll_wait timeout. Sockets
 * are registered in the owner's epoll set with data.ptr = the target's
 * struct ef_ev, whose callback is ef_health's.
 */
#ifndef EF_HEALTH_H
#define EF_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "evenflow.h"

/* What an epoll registration points at: the callback of its owner. */
struct ef_ev {
	int fd;
	void (*cb)(struct ef_ev *ev, uint32_t events);
};

struct ef_health;

struct ef_hc_target {
	struct ef_ev ev; /* the check's socket (fd -1 between checks) */
	struct ef_health *h;
	struct ef_vip_key vip;
	struct ef_addr addr;
	__u8 family;
	__u16 port; /* host order */
	struct ef_hc hc;
	bool healthy;
	bool local; /* the last check failed for a reason of this host */
	__u32 ok_run, fail_run;
	__u64 checks, failures, local_failures;
	char last_error[96]; /* why the last check failed */
	/* the check in flight */
	int phase; /* 0 idle, 1 connecting, 2 waiting for the reply */
	__u64 started_ms, due_ms;
	size_t heap_idx;
	char buf[256];
	size_t blen;
};

/* Told when a target turns healthy or unhealthy, or its checks start or
 * stop failing for a reason of this host (t->local). */
typedef void (*ef_health_cb)(void *ctx, struct ef_hc_target *t);

struct ef_health *ef_health_new(int epfd, ef_health_cb cb, void *ctx);
/* Stops every check (closes the sockets) and frees. */
void ef_health_free(struct ef_health *h);

/* Adds a target (copied); it starts healthy or not, as told. The first check
 * is due within the first interval. Returns the target (owned by h) or NULL
 * (out of memory). */
struct ef_hc_target *ef_health_add(struct ef_health *h, const struct ef_vip_key *vip,
				   const struct ef_addr *addr, __u8 family, __u16 port,
				   const struct ef_hc *hc, bool healthy);
size_t ef_health_count(const struct ef_health *h);
/* Targets whose last check failed for a reason of this host. */
size_t ef_health_local_failing(const struct ef_health *h);
struct ef_hc_target *ef_health_get(struct ef_health *h, size_t i);
/* The target of (vip, addr), or NULL. */
struct ef_hc_target *ef_health_find(struct ef_health *h, const struct ef_vip_key *vip,
				    const struct ef_addr *addr, __u8 family);

/* Starts the checks that are due and fails the ones past their timeout. */
void ef_health_run_timers(struct ef_health *h);
/* Milliseconds until the next timer (-1: none). */
int ef_health_next_ms(const struct ef_health *h);

/* CLOCK_MONOTONIC in ms. */
__u64 ef_now_ms(void);

#endif /* EF_HEALTH_H */
