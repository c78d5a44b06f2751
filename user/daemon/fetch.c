// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* fetch.c: HTTP GETs from an epoll loop through libcurl's multi socket
 * interface; see fetch.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <curl/curl.h>

#include "daemon/fetch.h"
#include "daemon/health.h"

/* A socket libcurl asked us to watch. */
struct sock {
	struct ef_ev ev; /* first: epoll's data.ptr */
	struct ef_fetch *f;
	bool dead; /* libcurl is done with it: freed at the next run_timers */
	struct sock *next_dead;
};

/* One transfer. */
struct xfer {
	struct ef_fetch *f;
	CURL *easy;
	size_t id;
	int err; /* the line callback's, which stopped it */
	const char *why;
	size_t llen;
	bool skip; /* inside a line longer than EF_FETCH_LINE_MAX */
	char line[EF_FETCH_LINE_MAX];
	char errbuf[CURL_ERROR_SIZE];
	struct xfer *next;
};

struct ef_fetch {
	int epfd;
	CURLM *multi;
	const struct ef_fetch_ops *ops;
	void *ctx;
	__u64 due_ms; /* libcurl's timer; 0: none */
	struct xfer *xfers;
	struct sock *dead;
};

/* ---- Lines ---- */

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;

	for (size_t i = 0; i < len; i++) {
		char c = data[i];

		if (c != '\n') {
			if (x->llen < sizeof(x->line))
				x->line[x->llen++] = c;
			else
				x->skip = true;
			continue;
		}
		if (!x->skip) {
			x->err = x->f->ops->line(x->f->ctx, x->id, x->line, x->llen, &x->why);
			if (x->err)
				return 0; /* libcurl ends the transfer (CURLE_WRITE_ERROR) */
		}
		x->llen = 0;
		x->skip = false;
	}
	return len;
}

/* ---- Transfers ---- */

static void xfer_free(struct xfer *x)
{
	struct xfer **p;

	for (p = &x->f->xfers; *p && *p != x; p = &(*p)->next)
		;
	if (*p)
		*p = x->next;
	curl_multi_remove_handle(x->f->multi, x->easy);
	curl_easy_cleanup(x->easy);
	free(x);
}

/* The transfers libcurl says are done: the last line, then the owner. */
static void check_done(struct ef_fetch *f)
{
	struct CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(f->multi, &left))) {
		struct xfer *x = NULL;
		long status = 0;
		int err = 0;
		const char *why = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (m->data.result == CURLE_OK) {
			curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
			if (x->llen && !x->skip)
				err = f->ops->line(f->ctx, x->id, x->line, x->llen, &why);
		} else if (x->err) {
			err = x->err;
			why = x->why;
		} else {
			err = m->data.result == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT : -EIO;
			why = x->errbuf[0] ? x->errbuf : curl_easy_strerror(m->data.result);
		}
		f->ops->done(f->ctx, x->id, err, status, why);
		xfer_free(x);
	}
}

static int set_opts(struct xfer *x, const char *url, long timeout_ms)
{
	CURL *e = x->easy;
	int bad = 0;

	bad |= curl_easy_setopt(e, CURLOPT_URL, url);
	bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http");
	bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
	bad |= curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	bad |= curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)EF_FETCH_MAX_BYTES);
	bad |= curl_easy_setopt(e, CURLOPT_USERAGENT, "evenflow/" EF_VERSION);
	bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	bad |= curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	return bad ? -EIO : 0;
}

int ef_fetch_start(struct ef_fetch *f, size_t id, const char *url, long timeout_ms)
{
	struct xfer *x;

	if (ef_fetch_busy(f, id))
		return -EBUSY;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->f = f;
	x->id = id;
	x->easy = curl_easy_init();
	if (!x->easy || set_opts(x, url, timeout_ms) ||
	    curl_multi_add_handle(f->multi, x->easy) != CURLM_OK) {
		curl_easy_cleanup(x->easy);
		free(x);
		return -EIO;
	}
	x->next = f->xfers;
	f->xfers = x;
	return 0;
}

bool ef_fetch_busy(const struct ef_fetch *f, size_t id)
{
	for (const struct xfer *x = f->xfers; x; x = x->next)
		if (x->id == id)
			return true;
	return false;
}

size_t ef_fetch_running(const struct ef_fetch *f)
{
	size_t n = 0;

	for (const struct xfer *x = f->xfers; x; x = x->next)
		n++;
	return n;
}

/* ---- Sockets and the timer, as libcurl asks ---- */

static void sock_io(struct ef_ev *ev, uint32_t events)
{
	struct sock *s = (struct sock *)ev;
	int mask = 0, running;

	if (s->dead)
		return;
	mask |= events & EPOLLIN ? CURL_CSELECT_IN : 0;
	mask |= events & EPOLLOUT ? CURL_CSELECT_OUT : 0;
	mask |= events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0;
	curl_multi_socket_action(s->f->multi, ev->fd, mask, &running);
	check_done(s->f);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *arg, void *sockp)
{
	struct ef_fetch *f = arg;
	struct sock *s = sockp;
	struct epoll_event ev = {.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) |
					   (what & CURL_POLL_OUT ? EPOLLOUT : 0u)};

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s) {
			epoll_ctl(f->epfd, EPOLL_CTL_DEL, fd, NULL);
			curl_multi_assign(f->multi, fd, NULL);
			s->dead = true;
			s->next_dead = f->dead;
			f->dead = s;
		}
		return 0;
	}
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return -1;
		*s = (struct sock){.ev = {.fd = fd, .cb = sock_io}, .f = f};
		ev.data.ptr = s;
		if (epoll_ctl(f->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			free(s);
			return -1;
		}
		curl_multi_assign(f->multi, fd, s);
		return 0;
	}
	ev.data.ptr = s;
	return epoll_ctl(f->epfd, EPOLL_CTL_MOD, fd, &ev) ? -1 : 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *arg)
{
	struct ef_fetch *f = arg;

	(void)multi;
	f->due_ms = timeout_ms < 0 ? 0 : ef_now_ms() + (__u64)timeout_ms;
	return 0;
}

int ef_fetch_next_ms(const struct ef_fetch *f)
{
	__u64 now = ef_now_ms();

	if (!f->due_ms)
		return -1;
	return f->due_ms > now ? (int)(f->due_ms - now) : 0;
}

/* Frees the sockets libcurl is done with (no event can point at them now). */
static void bury(struct ef_fetch *f)
{
	while (f->dead) {
		struct sock *s = f->dead;

		f->dead = s->next_dead;
		free(s);
	}
}

void ef_fetch_run_timers(struct ef_fetch *f)
{
	int running;

	if (f->due_ms && ef_now_ms() >= f->due_ms) {
		f->due_ms = 0;
		curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0, &running);
		check_done(f);
	}
	bury(f);
}

/* ---- The set ---- */

int ef_fetch_new(int epfd, const struct ef_fetch_ops *ops, void *ctx, struct ef_fetch **out)
{
	struct ef_fetch *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	*f = (struct ef_fetch){.epfd = epfd, .ops = ops, .ctx = ctx};
	f->multi = curl_multi_init();
	if (!f->multi || curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, on_socket) ||
	    curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f) ||
	    curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, on_timer) ||
	    curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f)) {
		if (f->multi)
			curl_multi_cleanup(f->multi);
		free(f);
		return -EIO;
	}
	*out = f;
	return 0;
}

void ef_fetch_free(struct ef_fetch *f)
{
	if (!f)
		return;
	while (f->xfers)
		xfer_free(f->xfers); /* libcurl closes its sockets: on_socket REMOVE */
	curl_multi_cleanup(f->multi);
	bury(f);
	free(f);
}
