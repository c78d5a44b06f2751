// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* health.c: non-blocking TCP and HTTP health checks; see health.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon/health.h"
#include "util/addr.h"

struct ef_health {
	int epfd;
	ef_health_cb cb;
	void *ctx;
	struct ef_hc_target **t; /* every target */
	size_t n, cap;
	struct ef_hc_target **heap; /* by due_ms; every target is in it */
	size_t hn;
	size_t n_local; /* targets with t->local */
};

__u64 ef_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + (__u64)ts.tv_nsec / 1000000;
}

/* ---- The timer heap ---- */

static void heap_swap(struct ef_health *h, size_t a, size_t b)
{
	struct ef_hc_target *x = h->heap[a];

	h->heap[a] = h->heap[b];
	h->heap[b] = x;
	h->heap[a]->heap_idx = a;
	h->heap[b]->heap_idx = b;
}

static void heap_up(struct ef_health *h, size_t i)
{
	while (i && h->heap[(i - 1) / 2]->due_ms > h->heap[i]->due_ms) {
		heap_swap(h, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct ef_health *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < h->hn && h->heap[l]->due_ms < h->heap[m]->due_ms)
			m = l;
		if (r < h->hn && h->heap[r]->due_ms < h->heap[m]->due_ms)
			m = r;
		if (m == i)
			return;
		heap_swap(h, i, m);
		i = m;
	}
}

/* Moves target t to a new due time. */
static void reschedule(struct ef_hc_target *t, __u64 due)
{
	struct ef_health *h = t->h;
	__u64 old = t->due_ms;

	t->due_ms = due;
	if (due < old)
		heap_up(h, t->heap_idx);
	else
		heap_down(h, t->heap_idx);
}

/* ---- Checks ---- */

static void target_io(struct ef_ev *ev, uint32_t events);

static void close_check(struct ef_hc_target *t)
{
	if (t->ev.fd >= 0) {
		epoll_ctl(t->h->epfd, EPOLL_CTL_DEL, t->ev.fd, NULL);
		close(t->ev.fd);
	}
	t->ev.fd = -1;
	t->phase = 0;
	t->blen = 0;
}

/* Ends the check in flight with a result; the next one starts one interval
 * after this one started. */
static void finish(struct ef_hc_target *t, bool ok, const char *why)
{
	bool was = t->healthy, was_local = t->local;

	close_check(t);
	t->checks++;
	if (t->local) {
		t->local = false;
		t->h->n_local--;
	}
	if (ok) {
		t->ok_run++;
		t->fail_run = 0;
		if (!t->healthy && t->ok_run >= t->hc.rise)
			t->healthy = true;
	} else {
		t->failures++;
		t->fail_run++;
		t->ok_run = 0;
		snprintf(t->last_error, sizeof(t->last_error), "%s", why);
		if (t->healthy && t->fail_run >= t->hc.fall)
			t->healthy = false;
	}
	reschedule(t, t->started_ms + t->hc.interval_ms);
	if (was != t->healthy || was_local)
		t->h->cb(t->h->ctx, t);
}

/* The check could not be tried for a reason of this host: no verdict. */
static void finish_local(struct ef_hc_target *t, const char *why)
{
	bool was_local = t->local;

	close_check(t);
	t->local_failures++;
	snprintf(t->last_error, sizeof(t->last_error), "%s", why);
	if (!t->local) {
		t->local = true;
		t->h->n_local++;
	}
	reschedule(t, t->started_ms + t->hc.interval_ms);
	if (!was_local)
		t->h->cb(t->h->ctx, t);
}

/* Errors that come from this host, not from the backend. */
static bool local_errno(const char *what, int err)
{
	if (!strcmp(what, "socket") || !strcmp(what, "epoll"))
		return true;
	return err == EPERM || err == EACCES || err == EADDRNOTAVAIL || err == ENOBUFS ||
	       err == ENOMEM || err == EMFILE || err == ENFILE;
}

static void fail_errno(struct ef_hc_target *t, const char *what, int err)
{
	char why[96];

	snprintf(why, sizeof(why), "%s: %s", what, strerror(err));
	if (local_errno(what, err))
		finish_local(t, why);
	else
		finish(t, false, why);
}

static void start_check(struct ef_hc_target *t, __u64 now)
{
	struct sockaddr_storage ss = {};
	struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = &t->ev};
	socklen_t len;
	int fd;

	t->started_ms = now;
	t->phase = 1;
	t->blen = 0;
	reschedule(t, now + t->hc.timeout_ms);
	if (t->family == EF_FAMILY_V6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(t->port);
		memcpy(&s6->sin6_addr, t->addr.a8, 16);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(t->port);
		s4->sin_addr.s_addr = t->addr.a32[0];
		len = sizeof(*s4);
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail_errno(t, "socket", errno);
	t->ev.fd = fd;
	if (connect(fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS)
		return fail_errno(t, "connect", errno);
	if (epoll_ctl(t->h->epfd, EPOLL_CTL_ADD, fd, &ev))
		return fail_errno(t, "epoll", errno);
}

static void on_connected(struct ef_hc_target *t)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = &t->ev};
	char req[EF_HC_PATH_MAX + 160], host[EF_ADDR_STRLEN];
	int soerr = 0, n;
	socklen_t sl = sizeof(soerr);

	if (getsockopt(t->ev.fd, SOL_SOCKET, SO_ERROR, &soerr, &sl))
		soerr = errno;
	if (soerr)
		return fail_errno(t, "connect", soerr);
	if (t->hc.type == EF_HC_TCP) {
		/* Reset, not FIN: no TIME_WAIT per check on either side. */
		struct linger lg = {.l_onoff = 1, .l_linger = 0};

		setsockopt(t->ev.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		return finish(t, true, NULL);
	}
	ef_addr_str(&t->addr, t->family, host, sizeof(host));
	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.0\r\nHost: %s%s%s\r\nUser-Agent: evenflow-health\r\n"
		     "Connection: close\r\n\r\n",
		     t->hc.path, t->family == EF_FAMILY_V6 ? "[" : "", host,
		     t->family == EF_FAMILY_V6 ? "]" : "");
	/* A fresh socket's send buffer takes a request this small at once. */
	if (send(t->ev.fd, req, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) != n)
		return fail_errno(t, "send", errno ? errno : EAGAIN);
	t->phase = 2;
	if (epoll_ctl(t->h->epfd, EPOLL_CTL_MOD, t->ev.fd, &ev))
		return fail_errno(t, "epoll", errno);
}

/* "HTTP/1.x NNN ..." once the status line is in. */
static void on_readable(struct ef_hc_target *t)
{
	char *eol, why[96];
	ssize_t r;
	unsigned status;

	r = recv(t->ev.fd, t->buf + t->blen, sizeof(t->buf) - 1 - t->blen, MSG_DONTWAIT);
	if (r < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		return fail_errno(t, "recv", errno);
	}
	t->blen += (size_t)r;
	t->buf[t->blen] = '\0';
	eol = strstr(t->buf, "\r\n");
	if (!eol && r > 0 && t->blen < sizeof(t->buf) - 1)
		return; /* more to come */
	if (sscanf(t->buf, "HTTP/1.%*1[01] %3u", &status) != 1)
		return finish(t, false,
			      r == 0 && !t->blen ? "http: connection closed without a reply"
						 : "http: not an HTTP status line");
	if (status != t->hc.expect) {
		snprintf(why, sizeof(why), "http: status %u, expected %u", status, t->hc.expect);
		return finish(t, false, why);
	}
	finish(t, true, NULL);
}

static void target_io(struct ef_ev *ev, uint32_t events)
{
	struct ef_hc_target *t = (struct ef_hc_target *)ev;

	if (t->phase == 1 && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
		on_connected(t);
	else if (t->phase == 2 && (events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)))
		on_readable(t);
}

void ef_health_run_timers(struct ef_health *h)
{
	__u64 now = ef_now_ms();
	size_t budget = h->hn; /* each target at most once per call */

	while (h->hn && h->heap[0]->due_ms <= now && budget--) {
		struct ef_hc_target *t = h->heap[0];

		if (t->phase)
			finish(t, false, "timeout");
		else
			start_check(t, now);
	}
}

int ef_health_next_ms(const struct ef_health *h)
{
	__u64 now = ef_now_ms();

	if (!h || !h->hn)
		return -1;
	if (h->heap[0]->due_ms <= now)
		return 0;
	return (int)(h->heap[0]->due_ms - now);
}

/* ---- Targets ---- */

struct ef_health *ef_health_new(int epfd, ef_health_cb cb, void *ctx)
{
	struct ef_health *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->epfd = epfd;
	h->cb = cb;
	h->ctx = ctx;
	return h;
}

void ef_health_free(struct ef_health *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->n; i++) {
		close_check(h->t[i]);
		free(h->t[i]);
	}
	free(h->t);
	free(h->heap);
	free(h);
}

struct ef_hc_target *ef_health_add(struct ef_health *h, const struct ef_vip_key *vip,
				   const struct ef_addr *addr, __u8 family, __u16 port,
				   const struct ef_hc *hc, bool healthy)
{
	struct ef_hc_target *t;

	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 64;
		struct ef_hc_target **nt = realloc(h->t, cap * sizeof(*nt));
		struct ef_hc_target **nh;

		if (!nt)
			return NULL;
		h->t = nt;
		nh = realloc(h->heap, cap * sizeof(*nh));
		if (!nh)
			return NULL;
		h->heap = nh;
		h->cap = cap;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->ev.fd = -1;
	t->ev.cb = target_io;
	t->h = h;
	t->vip = *vip;
	t->addr = *addr;
	t->family = family;
	t->port = port;
	t->hc = *hc;
	t->healthy = healthy;
	/* spread the first checks over one interval (golden-ratio steps) */
	t->due_ms = ef_now_ms() + (__u64)((h->n * 0.6180339887) * t->hc.interval_ms) %
				      (t->hc.interval_ms ? t->hc.interval_ms : 1);
	h->t[h->n++] = t;
	t->heap_idx = h->hn;
	h->heap[h->hn++] = t;
	heap_up(h, t->heap_idx);
	return t;
}

size_t ef_health_count(const struct ef_health *h)
{
	return h ? h->n : 0;
}

size_t ef_health_local_failing(const struct ef_health *h)
{
	return h ? h->n_local : 0;
}

struct ef_hc_target *ef_health_get(struct ef_health *h, size_t i)
{
	return i < h->n ? h->t[i] : NULL;
}

struct ef_hc_target *ef_health_find(struct ef_health *h, const struct ef_vip_key *vip,
				    const struct ef_addr *addr, __u8 family)
{
	size_t i;

	for (i = 0; h && i < h->n; i++)
		if (h->t[i]->family == family && !memcmp(&h->t[i]->addr, addr, sizeof(*addr)) &&
		    !memcmp(&h->t[i]->vip, vip, sizeof(*vip)))
			return h->t[i];
	return NULL;
}
