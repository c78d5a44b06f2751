// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_announce: the announcement table (user/announce.c), each case in a
 * network namespace of its own (unshare; needs root, else skipped), checked
 * with `ip route show table N` as an operator would.
 *
 * A set makes the table hold exactly the given addresses as blackhole host
 * routes of evenflow's protocol, with one change per difference and none
 * when nothing differs; other protocols' routes and other tables are never
 * touched; a wanted address someone else already routes is refused before
 * any change; reserved tables and protocols are refused at open.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../select.h"

#include "util/addr.h"
#include "daemon/announce.h"
#include "util/log.h"

#define T EF_ANNOUNCE_TABLE_DEFAULT
#define P EF_ANNOUNCE_PROTO_DEFAULT

/* A namespace of our own for this case, lo up; skips without root. */
static void fresh_netns(void)
{
	if (geteuid() != 0 || unshare(CLONE_NEWNET)) {
		skip();
		return;
	}
	assert_int_equal(system("ip link set lo up"), 0);
	ef_err_clear();
}

static void sh(const char *cmd)
{
	assert_int_equal(system(cmd), 0);
}

/* What a command prints (the first 64 KiB). */
static char *out(const char *cmd)
{
	static char buf[65536];
	FILE *f = popen(cmd, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	assert_int_equal(pclose(f), 0);
	return buf;
}

static struct ef_announce_addr A(const char *s) {
	struct ef_announce_addr a = {};
	const char *why;

	assert_int_equal(ef_addr_parse(s, &a.addr, &a.family, &why), 0);
	return a;
}

static struct ef_announce *
open_default(void)
{
	struct ef_announce *a = NULL;

	assert_int_equal(ef_announce_open(T, P, &a), 0);
	assert_non_null(a);
	return a;
}

static void set_expect(struct ef_announce *a, const struct ef_announce_addr *v, size_t n,
		       size_t added, size_t removed)
{
	struct ef_announce_change chg = {99, 99};

	assert_int_equal(ef_announce_set(a, v, n, &chg), 0);
	assert_int_equal(chg.added, added);
	assert_int_equal(chg.removed, removed);
}

static void test_open_refuses_reserved(void **state)
{
	static const __u32 tables[] = {0, 253, 254, 255};
	static const __u8 protos[] = {0, 1, 2};
	struct ef_announce *a = (void *)1;

	(void)state;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		char want[32];

		ef_err_clear();
		assert_int_equal(ef_announce_open(tables[i], P, &a), -EINVAL);
		assert_null(a);
		snprintf(want, sizeof(want), "routing table %u ", tables[i]);
		assert_non_null(strstr(ef_err_msg(), want));
	}
	for (size_t i = 0; i < sizeof(protos); i++) {
		ef_err_clear();
		assert_int_equal(ef_announce_open(T, protos[i], &a), -EINVAL);
		assert_non_null(strstr(ef_err_msg(), "route protocol"));
	}
	ef_err_clear();
}

static void test_set_exactly(void **state)
{
	const struct ef_announce_addr v[] = {A("10.0.0.11"), A("fd00:10::10"), A("10.0.0.10"),
					     A("10.0.0.11")};
	struct ef_announce_addr *got;
	char text[EF_ADDR_STRLEN];
	struct ef_announce *a;
	size_t n;

	(void)state;
	fresh_netns();
	a = open_default();
	set_expect(a, v, 4, 3, 0);
	assert_string_equal(out("ip -4 route show table 239"), "blackhole 10.0.0.10 proto 239 \n"
							       "blackhole 10.0.0.11 proto 239 \n");
	assert_string_equal(out("ip -6 route show table 239"),
			    "blackhole fd00:10::10 dev lo proto 239 metric 1024 pref medium\n");
	/* the same set again changes nothing */
	set_expect(a, v, 4, 0, 0);
	set_expect(a, v + 1, 3, 0, 0);
	/* read: sorted by family, then address */
	assert_int_equal(ef_announce_read(a, &got, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(ef_addr_str(&got[0].addr, got[0].family, text, sizeof(text)),
			    "10.0.0.10");
	assert_string_equal(ef_addr_str(&got[1].addr, got[1].family, text, sizeof(text)),
			    "10.0.0.11");
	assert_string_equal(ef_addr_str(&got[2].addr, got[2].family, text, sizeof(text)),
			    "fd00:10::10");
	free(got);
	ef_announce_close(a);
	/* closing withdraws nothing */
	assert_non_null(strstr(out("ip -4 route show table 239"), "10.0.0.10"));
}

static void test_one_change_per_difference(void **state)
{
	const struct ef_announce_addr before[] = {A("10.0.0.10"), A("10.0.0.11"), A("fd00:10::10")};
	const struct ef_announce_addr after[] = {A("fd00:10::10"), A("10.0.0.12"), A("10.0.0.11")};
	struct ef_announce *a;

	(void)state;
	fresh_netns();
	a = open_default();
	set_expect(a, before, 3, 3, 0);
	/* the changes the kernel reports, counted as they happen */
	sh("ip -4 monitor route > /tmp/ef_announce_mon.$PPID & echo $! > /tmp/ef_announce_mon.pid;"
	   " sleep 0.2");
	set_expect(a, after, 3, 1, 1);
	sh("sleep 0.2; kill $(cat /tmp/ef_announce_mon.pid); rm -f /tmp/ef_announce_mon.pid");
	assert_string_equal(out("cat /tmp/ef_announce_mon.$PPID; rm -f /tmp/ef_announce_mon.$PPID"),
			    "Deleted blackhole 10.0.0.10 table 239 proto 239 \n"
			    "blackhole 10.0.0.12 table 239 proto 239 \n");
	assert_string_equal(out("ip -4 route show table 239"), "blackhole 10.0.0.11 proto 239 \n"
							       "blackhole 10.0.0.12 proto 239 \n");
	ef_announce_close(a);
}

static void test_others_untouched(void **state)
{
	const struct ef_announce_addr v[] = {A("10.0.0.10"), A("fd00:10::10")};
	struct ef_announce *a;
	char before[4096];

	(void)state;
	fresh_netns();
	/* another protocol in our table, our protocol in another table, main */
	sh("ip route add 10.9.9.9/32 dev lo table 239 proto static");
	sh("ip -6 route add fd00:9::9/128 dev lo table 239 proto 77");
	sh("ip route add 10.0.0.10/32 dev lo table 240 proto 239");
	sh("ip route add blackhole 10.0.0.10/32 proto 239");
	snprintf(before, sizeof(before), "%s",
		 out("ip route show table all | grep -v 'table 239'"));
	a = open_default();
	set_expect(a, v, 2, 2, 0);
	assert_int_equal(ef_announce_withdraw_all(a, NULL), 0);
	assert_string_equal(out("ip -4 route show table 239"),
			    "10.9.9.9 dev lo proto static scope link \n");
	assert_string_equal(out("ip -6 route show table 239"),
			    "fd00:9::9 dev lo proto 77 metric 1024 pref medium\n");
	assert_string_equal(out("ip route show table all | grep -v 'table 239'"), before);
	ef_announce_close(a);
}

static void test_conflict_refused_before_any_change(void **state)
{
	const struct ef_announce_addr v[] = {A("10.0.0.9"), A("10.0.0.10"), A("10.0.0.11")};
	struct ef_announce_change chg;
	struct ef_announce *a;

	(void)state;
	fresh_netns();
	sh("ip route add 10.0.0.10/32 dev lo table 239 proto static");
	a = open_default();
	assert_int_equal(ef_announce_set(a, v, 3, &chg), -EEXIST);
	assert_int_equal(chg.added + chg.removed, 0);
	assert_string_equal(ef_err_msg(), "routing table 239 already routes 10.0.0.10/32 with "
					  "protocol 4, not evenflow's 239: remove that route or "
					  "choose another table");
	assert_string_equal(out("ip -4 route show table 239"),
			    "10.0.0.10 dev lo proto static scope link \n");
	ef_announce_close(a);
}

static void test_ours_of_another_shape_replaced(void **state)
{
	const struct ef_announce_addr v[] = {A("10.0.0.10")};
	struct ef_announce *a;

	(void)state;
	fresh_netns();
	/* with our protocol, but not what we add: gone, and the host route
	 * comes back as a blackhole */
	sh("ip route add 10.0.0.0/24 dev lo table 239 proto 239");
	sh("ip route add 10.0.0.10/32 dev lo table 239 proto 239");
	a = open_default();
	set_expect(a, v, 1, 1, 2);
	assert_string_equal(out("ip -4 route show table 239"), "blackhole 10.0.0.10 proto 239 \n");
	ef_announce_close(a);
}

static void test_many_and_big_table(void **state)
{
	enum { N = 1000 };
	struct ef_announce_addr *v = calloc(2 * N, sizeof(*v)), *got;
	struct ef_announce *a;
	size_t n;

	(void)state;
	fresh_netns();
	assert_non_null(v);
	for (int i = 0; i < N; i++) {
		v[i].family = EF_FAMILY_V4;
		v[i].addr.a8[0] = 10;
		v[i].addr.a8[2] = (__u8)(i >> 8);
		v[i].addr.a8[3] = (__u8)i;
		v[N + i].family = EF_FAMILY_V6;
		v[N + i].addr.a8[0] = 0xfd;
		v[N + i].addr.a8[14] = (__u8)(i >> 8);
		v[N + i].addr.a8[15] = (__u8)i;
	}
	/* a table number past 255 travels in RTA_TABLE only */
	assert_int_equal(ef_announce_open(100000, P, &a), 0);
	set_expect(a, v, 2 * N, 2 * N, 0);
	assert_int_equal(atoi(out("ip -4 route show table 100000 proto 239 | wc -l")), N);
	assert_int_equal(atoi(out("ip -6 route show table 100000 proto 239 | wc -l")), N);
	/* every other address goes */
	for (int i = 0; i < N; i++)
		v[i] = v[2 * i];
	set_expect(a, v, N, 0, N);
	assert_int_equal(ef_announce_read(a, &got, &n), 0);
	assert_int_equal(n, N);
	free(got);
	assert_string_equal(out("ip route show table 239 2>/dev/null || true"), "");
	ef_announce_close(a);
	free(v);
}

static void test_bad_family(void **state)
{
	struct ef_announce_addr v[] = {A("10.0.0.10"), {.family = 5}};
	struct ef_announce *a;

	(void)state;
	fresh_netns();
	a = open_default();
	assert_int_equal(ef_announce_set(a, v, 2, NULL), -EINVAL);
	assert_non_null(strstr(ef_err_msg(), "family 5"));
	assert_string_equal(out("ip route show table 239 2>/dev/null || true"), "");
	ef_announce_close(a);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_refuses_reserved),
	    cmocka_unit_test(test_set_exactly),
	    cmocka_unit_test(test_one_change_per_difference),
	    cmocka_unit_test(test_others_untouched),
	    cmocka_unit_test(test_conflict_refused_before_any_change),
	    cmocka_unit_test(test_ours_of_another_shape_replaced),
	    cmocka_unit_test(test_many_and_big_table),
	    cmocka_unit_test(test_bad_family),
	};

	if (ef_test_select(argc, argv))
		return 2;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
