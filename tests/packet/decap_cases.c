// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * decap_cases.c: the backend-side decap program, one row per case. The host
 * holds 10.0.0.10 and 2001:db8::10 (evenflow_decap_addrs); tunnel packets to
 * them lose their outer header and keep their MACs, the rest passes untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "cases.h"
#include "frame.h"
#include "run.h"
#include "topo.h"
#include "decap.skel.h"

enum decap_cut {
	CUT_NONE,
	CUT_OUTER, /* 10 bytes into the outer IP header */
	CUT_INNER, /* 10 bytes into the inner IP header */
};

enum decap_mutate {
	DM_NONE,
	DM_OUTER_IHL4,	  /* outer IPv4 IHL 4 */
	DM_INNER_VERSION, /* inner IP version 5 */
};

struct decap_row {
	const char *name;
	uint8_t outer;	     /* outer family 4 or 6; 0: the inner frame alone */
	struct frame inner;  /* the client's packet (its VLAN tags go outside the outer header) */
	uint8_t outer_opt;   /* bytes of outer IPv4 options */
	uint16_t outer_frag; /* outer IPv4 frag_off */
	enum decap_mutate mutate;
	enum decap_cut cut;
	int verdict; /* enum ef_decap_verdict */
	int decap;   /* 1: the inner packet comes out; 0: the frame passes untouched */
};

#define LOCAL4 "10.0.0.10"
#define LOCAL6 "2001:db8::10"

static const struct decap_row rows[] = {
    {"IPIP to a local address: decapsulated",
     4,
     {TCP4(LOCAL4, 80, TCP_SYN), .payload = 9},
     .verdict = EF_DV_DECAP,
     .decap = 1},
    {"IP6IP6 to a local address: decapsulated",
     6,
     {TCP6(LOCAL6, 443, TCP_ACK), .payload = 9},
     .verdict = EF_DV_DECAP,
     .decap = 1},
    {"IPv4-in-IPv6 to a local address: decapsulated",
     6,
     {UDP4(LOCAL4, 53), .payload = 3},
     .verdict = EF_DV_DECAP,
     .decap = 1},
    {"IPv6-in-IPv4 to a local address: decapsulated",
     4,
     {UDP6(LOCAL6, 53)},
     .verdict = EF_DV_DECAP,
     .decap = 1},
    {"IPIP of an ICMP fragmentation needed to a local VIP: decapsulated",
     4,
     {ICMP4_ERR(3, 4, IPPROTO_TCP, LOCAL4, 80), .payload = 20},
     .verdict = EF_DV_DECAP,
     .decap = 1},
    {"IP6IP6 of an ICMPv6 packet too big to a local VIP: decapsulated",
     6,
     {ICMP6_ERR(2, 0, IPPROTO_TCP, LOCAL6, 443), .payload = 20},
     .verdict = EF_DV_DECAP,
     .decap = 1},
    {"IPIP with outer IPv4 options: decapsulated",
     4,
     {TCP4(LOCAL4, 80, TCP_ACK)},
     .outer_opt = 8,
     .verdict = EF_DV_DECAP,
     .decap = 1},
    {"IPIP with inner IPv4 options and DF: decapsulated",
     4,
     {TCP4(LOCAL4, 80, TCP_ACK), .ip4_opt = 4, .frag = 0x4000},
     .verdict = EF_DV_DECAP,
     .decap = 1},
    /* The tags of the received frame do not survive decapsulation. */
    {"IPIP with a VLAN tag: decapsulated, tag dropped",
     4,
     {TCP4(LOCAL4, 80, TCP_ACK), .vlans = 1},
     .verdict = EF_DV_DECAP,
     .decap = 1},
    {"IPIP to another address: untouched",
     4,
     {TCP4("10.0.0.99", 80, TCP_ACK)},
     .verdict = EF_DV_PASS_NOT_LOCAL_VIP},
    {"IP6IP6 to another address: untouched",
     6,
     {TCP6("2001:db8::99", 80, TCP_ACK)},
     .verdict = EF_DV_PASS_NOT_LOCAL_VIP},
    {"IPIP whose inner IPv6 address is local as IPv4 bytes: untouched",
     4,
     {UDP6("::a00:a", 53)},
     .verdict = EF_DV_PASS_NOT_LOCAL_VIP},
    {"plain TCP to a local address: untouched",
     0,
     {TCP4(LOCAL4, 80, TCP_ACK)},
     .verdict = EF_DV_PASS_NOT_TUNNEL},
    {"plain TCP6 to a local address: untouched",
     0,
     {TCP6(LOCAL6, 80, TCP_ACK)},
     .verdict = EF_DV_PASS_NOT_TUNNEL},
    {"ARP: untouched", 0, {.family = 0}, .verdict = EF_DV_PASS_NOT_IP},
    {"IPIP outer fragment: untouched (the kernel reassembles)",
     4,
     {TCP4(LOCAL4, 80, TCP_ACK)},
     .outer_frag = 0x2000,
     .verdict = EF_DV_PASS_NOT_TUNNEL},
    {"IPIP outer header truncated: untouched",
     4,
     {TCP4(LOCAL4, 80, TCP_ACK)},
     .cut = CUT_OUTER,
     .verdict = EF_DV_PASS_MALFORMED},
    {"IP6IP6 outer header truncated: untouched",
     6,
     {TCP6(LOCAL6, 80, TCP_ACK)},
     .cut = CUT_OUTER,
     .verdict = EF_DV_PASS_MALFORMED},
    {"IPIP inner header truncated: untouched",
     4,
     {TCP4(LOCAL4, 80, TCP_ACK)},
     .cut = CUT_INNER,
     .verdict = EF_DV_PASS_MALFORMED},
    {"IP6IP6 inner header truncated: untouched",
     6,
     {TCP6(LOCAL6, 80, TCP_ACK)},
     .cut = CUT_INNER,
     .verdict = EF_DV_PASS_MALFORMED},
    {"IPIP outer IHL 4: untouched",
     4,
     {TCP4(LOCAL4, 80, TCP_ACK)},
     .mutate = DM_OUTER_IHL4,
     .verdict = EF_DV_PASS_MALFORMED},
    {"IPIP inner version 5: untouched",
     4,
     {TCP4(LOCAL4, 80, TCP_ACK)},
     .mutate = DM_INNER_VERSION,
     .verdict = EF_DV_PASS_MALFORMED},
};

#define EF_DECAP_VERDICT_NAME(name, str, desc) str,
static const char *const verdict_names[] = {EF_DECAP_VERDICT_LIST(EF_DECAP_VERDICT_NAME)};
#undef EF_DECAP_VERDICT_NAME

static struct decap_bpf *skel;
static struct counters counters;

/* The inner packet's IP header onward, as a raw layer announcing its family. */
static void put_inner(struct pkt *p, const struct pkt *inner, const struct frame *f)
{
	int l3 = pb_off(inner, f->family == 4 ? PB_IPV4 : PB_IPV6, 0);

	pb_raw(p, inner->data + l3, inner->len - l3, f->family == 4 ? 0x0800 : 0x86dd,
	       f->family == 4 ? IPPROTO_IPIP : IPPROTO_IPV6);
}

static void build(const struct decap_row *row, struct pkt *in, struct pkt *want)
{
	static struct pkt inner;
	struct frame f = row->inner;
	int outer, inner_off;

	frame_build(&inner, &f, topo_dev_mac("in0"));
	if (!row->outer) {
		*in = inner;
		return;
	}
	f.vlans = 0;
	frame_build(&inner, &f, topo_dev_mac("in0"));
	pb_init(in);
	pb_eth(in, topo_dev_mac("in0"), topo_client_mac);
	for (int i = 0; i < row->inner.vlans; i++)
		pb_vlan(in, 0x8100, 100 + i);
	if (row->outer == 4) {
		struct pb_ip4 ip = {.src = "198.51.100.1",
				    .dst = "198.51.100.11",
				    .tos = 0x20,
				    .optlen = row->outer_opt,
				    .frag_off = row->outer_frag};
		pb_ipv4(in, &ip);
	} else {
		struct pb_ip6 ip = {
		    .src = "2001:db8:2::1", .dst = "2001:db8:2::11", .flow_label = 0xabcde};
		pb_ipv6(in, &ip);
	}
	put_inner(in, &inner, &f);
	pb_finish(in);

	pb_init(want);
	pb_eth(want, topo_dev_mac("in0"), topo_client_mac);
	put_inner(want, &inner, &f);
	pb_finish(want);

	outer = in->l[pb_layer(in, row->outer == 4 ? PB_IPV4 : PB_IPV6, 0)].off;
	inner_off = in->l[pb_layer(in, PB_RAW, 0)].off;
	if (row->mutate == DM_OUTER_IHL4) {
		pb_set8(in, outer, 0x44);
		pb_ipv4_recsum(in, outer);
	} else if (row->mutate == DM_INNER_VERSION) {
		pb_set8(in, inner_off, (in->data[inner_off] & 0x0f) | 0x50);
	}
	if (row->cut == CUT_OUTER)
		in->len = outer + 10;
	else if (row->cut == CUT_INNER)
		in->len = inner_off + 10;
}

static void decap_row_test(void **state)
{
	const struct decap_row *row = *state;
	static struct pkt in, want;
	static struct run r;

	build(row, &in, &want);
	run_xdp(bpf_program__fd(skel->progs.evenflow_decap), &counters, &in, "in0", &r);
	check_action(&r, XDP_PASS);
	check_counters(&r, &counters, row->verdict);
	check_frame(&r, row->decap ? &want : &in);
}

static int load(void **state)
{
	char pin_root[128];
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_root);
	const char *locals[] = {LOCAL4, LOCAL6};
	__u8 one = 1;

	(void)state;
	snprintf(pin_root, sizeof(pin_root), "%s", topo_pin_dir());
	skel = decap_bpf__open_opts(&opts);
	if (!skel || decap_bpf__load(skel)) {
		fprintf(stderr, "# cannot load decap.bpf.o\n");
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		struct ef_vip_key key = {};

		key.family = frame_addr(&key.addr, locals[i]);
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.evenflow_decap_addrs), &key, &one,
					BPF_ANY))
			return -1;
	}
	counters = (struct counters){.map_fd = bpf_map__fd(skel->maps.evenflow_decap_verdicts),
				     .n = EF_DV_MAX,
				     .names = verdict_names};
	return 0;
}

static int unload(void **state)
{
	(void)state;
	decap_bpf__destroy(skel);
	skel = NULL;
	return 0;
}

int decap_cases_run(void)
{
	const size_t n = sizeof(rows) / sizeof(rows[0]);
	struct CMUnitTest *tests = calloc(n, sizeof(*tests));
	int failed;

	assert_non_null(tests);
	for (size_t i = 0; i < n; i++) {
		tests[i].name = rows[i].name;
		tests[i].test_func = decap_row_test;
		tests[i].initial_state = (void *)&rows[i];
	}
	failed = _cmocka_run_group_tests("decap", tests, n, load, unload);
	free(tests);
	return failed;
}
