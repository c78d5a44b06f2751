// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_health: the health-check engine (user/health.c) on loopback: a TCP
 * target turns unhealthy after `fall` refused connects and healthy again
 * after `rise` accepted ones; an HTTP target is judged by its status line;
 * 2000 targets run from one epoll loop and all turn unhealthy on time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "../select.h"

#include "daemon/health.h"

struct seen {
	int changes;
	bool last;
};

static void on_change(void *ctx, struct ef_hc_target *t)
{
	struct seen *s = ctx;

	s->changes++;
	s->last = t->healthy;
}

/* A listener on 127.0.0.1, port in *port (host order). */
static int listener(__u16 *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 128), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* Runs the loop for at most ms, or until stop() says so. If srv >= 0,
 * every accepted connection is answered with reply (then closed). */
static void run(int epfd, struct ef_health *h, __u64 ms, int srv, const char *reply,
		bool (*stop)(void *), void *arg)
{
	__u64 end = ef_now_ms() + ms;

	while (ef_now_ms() < end && !(stop && stop(arg))) {
		struct epoll_event evs[64];
		int t = ef_health_next_ms(h), n, i;

		if (t < 0 || t > 10)
			t = 10;
		n = epoll_wait(epfd, evs, 64, t);
		for (i = 0; i < n; i++) {
			struct ef_ev *ev = evs[i].data.ptr;

			ev->cb(ev, evs[i].events);
		}
		ef_health_run_timers(h);
		if (srv >= 0) {
			int c;

			while ((c = accept(srv, NULL, NULL)) >= 0) {
				char buf[512];

				if (reply) {
					usleep(2000);
					(void)!recv(c, buf, sizeof(buf), MSG_DONTWAIT);
					(void)!send(c, reply, strlen(reply), MSG_NOSIGNAL);
				}
				close(c);
			}
		}
	}
}

static struct ef_hc tcp_hc(void)
{
	struct ef_hc hc = {.type = EF_HC_TCP,
			   .interval_ms = 100,
			   .timeout_ms = 80,
			   .rise = 2,
			   .fall = 3,
			   .expect = 200};

	strcpy(hc.path, "/");
	return hc;
}

static void test_tcp_fall_rise(void **state)
{
	struct ef_vip_key vip = {.family = EF_FAMILY_V4};
	struct ef_addr lo = {.a32 = {htonl(INADDR_LOOPBACK)}};
	struct ef_hc hc = tcp_hc();
	struct seen s = {};
	struct ef_hc_target *t;
	struct ef_health *h;
	int epfd = epoll_create1(0), srv;
	__u16 port;
	__u64 t0;

	(void)state;
	srv = listener(&port);
	h = ef_health_new(epfd, on_change, &s);
	t = ef_health_add(h, &vip, &lo, EF_FAMILY_V4, port, &hc, true);
	assert_non_null(t);
	run(epfd, h, 500, srv, NULL, NULL, NULL);
	assert_int_equal(s.changes, 0); /* listening: stays healthy */
	assert_true(t->checks >= 3);
	assert_int_equal(t->failures, 0);

	close(srv); /* refused from now on */
	t0 = ef_now_ms();
	while (!s.changes && ef_now_ms() - t0 < 1000)
		run(epfd, h, 10, -1, NULL, NULL, NULL);
	assert_int_equal(s.changes, 1);
	assert_false(s.last);
	assert_false(t->healthy);
	assert_int_equal(t->fail_run, 3);
	/* fall x interval, with room for a busy machine */
	assert_true(ef_now_ms() - t0 <= 6 * hc.interval_ms);
	assert_non_null(strstr(t->last_error, "connect"));
	ef_health_free(h);
	close(epfd);
}

static void test_rise(void **state)
{
	struct ef_vip_key vip = {.family = EF_FAMILY_V4};
	struct ef_addr lo = {.a32 = {htonl(INADDR_LOOPBACK)}};
	struct ef_hc hc = tcp_hc();
	struct seen s = {};
	struct ef_hc_target *t;
	struct ef_health *h;
	int epfd = epoll_create1(0), srv;
	__u16 port;

	(void)state;
	srv = listener(&port);
	h = ef_health_new(epfd, on_change, &s);
	t = ef_health_add(h, &vip, &lo, EF_FAMILY_V4, port, &hc, false);
	run(epfd, h, 600, srv, NULL, NULL, NULL);
	assert_int_equal(s.changes, 1);
	assert_true(s.last);
	assert_true(t->healthy);
	assert_true(t->ok_run >= hc.rise);
	ef_health_free(h);
	close(srv);
	close(epfd);
}

static void test_http(void **state)
{
	struct ef_vip_key vip = {.family = EF_FAMILY_V4};
	struct ef_addr lo = {.a32 = {htonl(INADDR_LOOPBACK)}};
	struct ef_hc hc = tcp_hc();
	struct seen s = {};
	struct ef_hc_target *t;
	struct ef_health *h;
	int epfd = epoll_create1(0), srv;
	__u16 port;

	(void)state;
	hc.type = EF_HC_HTTP;
	hc.fall = 2;
	srv = listener(&port);
	h = ef_health_new(epfd, on_change, &s);
	t = ef_health_add(h, &vip, &lo, EF_FAMILY_V4, port, &hc, true);
	run(epfd, h, 400, srv, "HTTP/1.0 200 OK\r\n\r\nok\n", NULL, NULL);
	assert_int_equal(s.changes, 0);
	assert_int_equal(t->failures, 0);
	assert_true(t->checks >= 2);
	run(epfd, h, 400, srv, "HTTP/1.1 503 Service Unavailable\r\n\r\n", NULL, NULL);
	assert_int_equal(s.changes, 1);
	assert_false(t->healthy);
	assert_string_equal(t->last_error, "http: status 503, expected 200");
	run(epfd, h, 400, srv, "SSH-2.0-OpenSSH\r\n", NULL, NULL);
	assert_string_equal(t->last_error, "http: not an HTTP status line");
	ef_health_free(h);
	close(srv);
	close(epfd);
}

static bool all_down(void *arg)
{
	return ((struct seen *)arg)->changes == 2000;
}

/* Thousands of targets from one loop: every one is checked and judged. */
static void test_many(void **state)
{
	struct ef_vip_key vip = {.family = EF_FAMILY_V4};
	struct ef_hc hc = tcp_hc();
	struct seen s = {};
	struct ef_health *h;
	int epfd = epoll_create1(0), i;
	__u64 t0;

	(void)state;
	hc.interval_ms = 200;
	hc.timeout_ms = 100;
	hc.fall = 2;
	h = ef_health_new(epfd, on_change, &s);
	for (i = 0; i < 2000; i++) {
		/* 127.1.x.y: loopback, nothing listens on port 9 */
		struct ef_addr a = {.a32 = {htonl(0x7f010000 | (__u32)(i + 1))}};

		assert_non_null(ef_health_add(h, &vip, &a, EF_FAMILY_V4, 9, &hc, true));
	}
	assert_int_equal(ef_health_count(h), 2000);
	t0 = ef_now_ms();
	run(epfd, h, 3000, -1, NULL, all_down, &s);
	assert_int_equal(s.changes, 2000);
	/* first checks spread over one interval, then fall x interval */
	assert_true(ef_now_ms() - t0 <= (hc.fall + 4) * hc.interval_ms);
	ef_health_free(h);
	close(epfd);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tcp_fall_rise),
	    cmocka_unit_test(test_rise),
	    cmocka_unit_test(test_http),
	    cmocka_unit_test(test_many),
	};

	if (ef_test_select(argc, argv))
		return 2;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
