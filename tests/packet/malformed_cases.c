// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * malformed_cases.c: every base frame cut at every header boundary and one
 * byte into every header, generated from a few base rows.
 *
 * Two kinds of cut:
 *  - raw: the frame ends early, its length fields still claim the whole
 *    packet: Ethernet/VLAN/IP truncation or IP length past the frame, always
 *    drop_malformed, VIP or not;
 *  - fixlen: the IP length field is made to match the cut, so only what
 *    follows the IP header is short: IPv6 extension headers are dropped as
 *    malformed; a short L4 header is dropped as malformed for a VIP address
 *    and passed untouched for any other; an empty payload is fine.
 * BPF_PROG_TEST_RUN refuses frames under 14 bytes, so cuts start at 14.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <linux/bpf.h>
#include "cases.h"
#include "lb_config.h"
#include "lb_row.h"
#include "lbfix.h"

#define MAX_ROWS 256

static const struct lb_row bases[] = {
    {"tcp4 VIP, 2 VLAN tags, IP and TCP options",
     {TCP4("10.0.0.10", 80, TCP_ACK), .vlans = 2, .ip4_opt = 8, .tcp_opt = 4, .payload = 8},
     .action = XDP_REDIRECT,
     .verdict = EF_V_FWD_REDIRECT},
    {"udp4 VIP",
     {UDP4("10.0.0.10", 53), .payload = 8},
     .action = XDP_REDIRECT,
     .verdict = EF_V_FWD_REDIRECT},
    {"tcp6 VIP, VLAN tag, hop-by-hop and dstopts",
     {TCP6("2001:db8::10", 443, TCP_ACK), .vlans = 1, .n_ext6 = 2,
      .ext6 = {IPPROTO_HOPOPTS, IPPROTO_DSTOPTS}, .payload = 8},
     .action = XDP_REDIRECT,
     .verdict = EF_V_FWD_REDIRECT},
    {"udp6 VIP",
     {UDP6("2001:db8::13", 53), .payload = 8},
     .action = XDP_REDIRECT,
     .verdict = EF_V_FWD_REDIRECT},
    {"tcp4 host",
     {TCP4("192.0.2.1", 22, TCP_ACK), .payload = 8},
     .action = XDP_PASS,
     .verdict = EF_V_PASS_NOT_VIP,
     .out = OUT_SAME},
    {"tcp6 host, routing header",
     {TCP6("2001:db8:1::1", 22, TCP_ACK), .n_ext6 = 1, .ext6 = {IPPROTO_ROUTING}, .payload = 8},
     .action = XDP_PASS,
     .verdict = EF_V_PASS_NOT_VIP,
     .out = OUT_SAME},
    {"udp6 host",
     {UDP6("2001:db8:1::1", 53), .payload = 8},
     .action = XDP_PASS,
     .verdict = EF_V_PASS_NOT_VIP,
     .out = OUT_SAME},
};

static const char *const kind_names[] = {
    [PB_ETH] = "eth",	[PB_VLAN] = "vlan", [PB_IPV4] = "ipv4",
    [PB_IPV6] = "ipv6", [PB_EXT6] = "ext6", [PB_TCP] = "tcp",
    [PB_UDP] = "udp",	[PB_ICMP] = "icmp", [PB_RAW] = "payload",
};

static struct lb_row rows[MAX_ROWS];
static size_t n_rows;

static struct lb_row *add(const struct lb_row *base, const struct pb_layer *l, unsigned int cut,
			  int fixlen)
{
	struct lb_row *r = &rows[n_rows++];
	char *name;

	assert_true(n_rows <= MAX_ROWS);
	*r = *base;
	r->cut = cut;
	r->cut_fixlen = fixlen;
	if (asprintf(&name, "cut %s: %s at %u (%s+%u)", fixlen ? "fixlen" : "raw", base->name, cut,
		     kind_names[l->kind], cut - l->off) < 0)
		fail();
	r->name = name;
	return r;
}

/* What a fixlen cut inside layer l must give. */
static void fixlen_outcome(struct lb_row *r, const struct lb_row *base, const struct pb_layer *l)
{
	int vip = base->action != XDP_PASS;

	if (l->kind == PB_RAW) /* the L4 header is whole: as the base frame */
		return;
	r->out = OUT_NONE;
	r->action = XDP_DROP;
	r->verdict = EF_V_DROP_MALFORMED;
	if (l->kind != PB_EXT6 && !vip) {
		r->action = XDP_PASS;
		r->verdict = EF_V_PASS_NOT_VIP;
		r->out = OUT_SAME;
	}
}

static void generate(const struct lb_row *base)
{
	struct pkt p;
	int ip = -1;

	lb_row_frame(base, &p);
	for (int i = 0; i < p.n; i++) {
		const struct pb_layer *l = &p.l[i];

		if (l->kind == PB_IPV4 || l->kind == PB_IPV6)
			ip = i;
		for (unsigned int cut = l->off; cut <= l->off + 1u; cut++) {
			struct lb_row *r;

			if (cut < 14)
				continue;
			r = add(base, l, cut, 0);
			r->action = XDP_DROP;
			r->verdict = EF_V_DROP_MALFORMED;
			r->out = OUT_NONE;
			if (ip >= 0 && i > ip)
				fixlen_outcome(add(base, l, cut, 1), base, l);
		}
	}
	/* One byte short of the end. */
	add(base, &p.l[p.n - 1], p.len - 1, 0)->out = OUT_NONE;
	rows[n_rows - 1].action = XDP_DROP;
	rows[n_rows - 1].verdict = EF_V_DROP_MALFORMED;
}

int malformed_cases_run(void)
{
	struct CMUnitTest *tests;
	int failed;

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
		generate(&bases[i]);
	tests = calloc(n_rows, sizeof(*tests));
	assert_non_null(tests);
	for (size_t i = 0; i < n_rows; i++) {
		tests[i].name = rows[i].name;
		tests[i].test_func = lb_row_test;
		tests[i].initial_state = &rows[i];
	}
	failed = _cmocka_run_group_tests(lbfix_group("truncated"), tests, n_rows, NULL, NULL);
	for (size_t i = 0; i < n_rows; i++)
		free((char *)rows[i].name);
	n_rows = 0; /* generated anew by the next run */
	free(tests);
	return failed;
}
