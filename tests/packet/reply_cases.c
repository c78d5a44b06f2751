// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * reply_cases.c: the budget of the replies the LB sends itself (ICMP echo
 * replies and "too big"): LBFIX_REPLY_RATE a second per CPU, then dropped
 * and counted.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/bpf.h>
#include "cases.h"
#include "lbfix.h"
#include "topo.h"

/* Runs frame f n times on this CPU; returns how many were answered (XDP_TX
 * under `answered`); every other run must be a drop over budget. */
static int flood(const struct frame *f, int n, enum ef_verdict answered)
{
	static struct run r;
	static struct pkt in;
	int replies = 0;

	frame_build(&in, f, topo_dev_mac("in0"));
	for (int i = 0; i < n; i++) {
		run_xdp(lbfix_prog_fd(), lbfix_counters(), &in, "in0", &r);
		if (r.action == XDP_TX) {
			check_counters(&r, lbfix_counters(), answered);
			replies++;
		} else {
			check_action(&r, XDP_DROP);
			check_counters(&r, lbfix_counters(), EF_V_DROP_REPLY_LIMIT);
		}
	}
	return replies;
}

/* A full budget is spent by echo replies, then too-big answers are over it
 * too; a second later the budget has refilled. */
static void replies_have_a_budget(void **state)
{
	const struct frame echo = {
	    .family = 4, .src = C4, .dst = "10.0.0.10", .proto = IPPROTO_ICMP};
	const struct frame big6 = {TCP6("2001:db8::10", 443, TCP_ACK), .payload = 1440};
	cpu_set_t one, all;
	int replies;

	(void)state;
	/* the budget is per CPU: stay on one */
	assert_int_equal(sched_getaffinity(0, sizeof(all), &all), 0);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	lbfix_reset_reply_budget();
	replies = flood(&echo, 3 * LBFIX_REPLY_RATE, EF_V_ICMP_ECHO_REPLY);
	/* the full budget, and what refilled meanwhile (a few ms) */
	assert_in_range(replies, LBFIX_REPLY_RATE, LBFIX_REPLY_RATE + 2);
	assert_in_range(flood(&big6, 4, EF_V_ICMP_TOO_BIG), 0, 1);
	usleep(1100 * 1000);
	assert_int_equal(flood(&echo, LBFIX_REPLY_RATE, EF_V_ICMP_ECHO_REPLY), LBFIX_REPLY_RATE);
	assert_int_equal(sched_setaffinity(0, sizeof(all), &all), 0);
}

int reply_cases_run(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(replies_have_a_budget),
	};

	return cmocka_run_group_tests_name(lbfix_group("replies"), tests, NULL, NULL);
}
