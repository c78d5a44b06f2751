// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * main.c: evenflow packet tests. The real build/lb.bpf.o and build/decap.bpf.o
 * (through their skeletons) run on frames through BPF_PROG_TEST_RUN; for each
 * case the XDP action, the whole output frame (every header field and
 * checksum) and the verdict counter are checked. Run as root; TAP output with
 * CMOCKA_MESSAGE_OUTPUT=TAP. Nothing touches the host: the program enters its
 * own network and mount namespaces first (topo.c).
 *
 * Files, one job each:
 *   pktbuild.c   packet builder (layers, lengths, checksums) + its self-test
 *   frame.c      client frames described as data (struct frame)
 *   topo.c       namespaces, bpffs, devices, routes, permanent neighbours
 *   run.c        one test run of a program and the checks of its result
 *   lbfix.c      LB configuration from plain data, committed through the
 *                library; expected backend and frames
 *   lb_config.c  the VIPs and backends the LB cases run against
 *   lb_row.c     how one LB row is run
 *   lb_cases.c        LB rows: forwarding, failures, passes, fragments, bad headers
 *   malformed_cases.c every base frame cut at every header boundary (generated)
 *   conntrack_cases.c connection-table stories
 *   reply_cases.c     the budget of generated replies
 *   frag_cases.c      datagrams in fragments
 *   fuzz_cases.c      random and mutated frames, every outcome checked
 *   decap_cases.c     decap rows
 *   commit_cases.c    the product's commit path (libevenflow) and lookup
 *
 * Adding a case:
 *  - LB: add a row to `rows` in lb_cases.c: a name, the frame ({ TCP4(dst,
 *    dport, flags), .vlans = 1, ... }, see struct frame), optionally a
 *    .mutate (enum lb_mutate) or .cut, and the expectation: REDIRECT(vip) or
 *    TX(vip) with .out = OUT_ENCAP or OUT_L2 (the backend and the expected
 *    frame are derived from that VIP's table and ef_flow_hash, the next hop
 *    MAC from topo.c, or .via a gateway), DROP(reason) or
 *    PASS(reason) (byte-identical). A VIP or backend it needs goes into
 *    lb_config.c (and its id into lb_config.h); an address the FIB must know
 *    goes into topo.c.
 *  - Truncation: add a base row to `bases` in malformed_cases.c; its cuts are
 *    generated.
 *  - Connection table: a function in conntrack_cases.c, listed in its group.
 *  - Decap: a row in decap_cases.c.
 * Check that a new case can fail (break its expectation once) before keeping it.
 *
 * One case or group alone (../select.h): `packet_tests -t 'ipv6*'` runs the
 * cases so named, `packet_tests -g conntrack` the groups whose name holds
 * "conntrack" (pktbuild, lb, truncated, conntrack, replies, fragments, fuzz,
 * commit, decap; the LB groups run with the fast path on, then off, as
 * "... (fast path off)").
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>
#include "cases.h"
#include "lb_config.h"
#include "lbfix.h"
#include "topo.h"

#include "../select.h"

/* Whether the LB group base runs (-g) with the fast path on or off (its
 * name then as lbfix_group makes it). */
static int lb_group_on(const char *base, int fast_path)
{
	char name[64];

	snprintf(name, sizeof(name), "%s%s", base, fast_path ? "" : " (fast path off)");
	return ef_test_group_on(name);
}

int main(int argc, char **argv)
{
	int failed = 0;

	if (ef_test_select(argc, argv))
		return 2;
	if (topo_enter()) {
		topo_leave();
		fprintf(stderr, "packet tests: cannot set up the test network\n");
		return 1;
	}
	if (ef_test_group_on("pktbuild"))
		failed += pktbuild_selftest_run();
	lb_config_init();
	/* every LB case twice: the fast path must not change any outcome */
	for (int fast_path = 1; fast_path >= 0; fast_path--) {
		int lb = lb_group_on("lb", fast_path), cut = lb_group_on("truncated", fast_path),
		    ct = lb_group_on("conntrack", fast_path),
		    rp = lb_group_on("replies", fast_path),
		    fr = lb_group_on("fragments", fast_path), fz = lb_group_on("fuzz", fast_path);

		if (!lb && !cut && !ct && !rp && !fr && !fz)
			continue;
		if (lbfix_load(fast_path)) {
			topo_leave();
			return 1;
		}
		if (lb)
			failed += lb_cases_run();
		if (cut)
			failed += malformed_cases_run();
		if (ct)
			failed += conntrack_cases_run();
		if (rp)
			failed += reply_cases_run();
		if (fr)
			failed += frag_cases_run();
		if (fz)
			failed += fuzz_cases_run();
		lbfix_unload();
	}
	if (ef_test_group_on("commit path and lookup"))
		failed += commit_cases_run();
	if (ef_test_group_on("decap"))
		failed += decap_cases_run();
	topo_leave();
	return failed ? 1 : 0;
}
