// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * commit_cases.c: the LB configured through the product's own commit path
 * (ef_conf_commit, which flips the configuration generation each time),
 * and `evenflow lookup`'s decision (ef_lookup, core/lookup.h) checked
 * against the backend the real program sends each of 20 flows to, after
 * every change: a first configuration, a backend set down, back up, a
 * weight changed. A lookup that read a map without the generation (as
 * lookup once did) sees the other generation half of the time: the cases
 * fail.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "cases.h"
#include "core/commit.h"
#include "core/live.h"
#include "core/lookup.h"
#include "dp/devtable.h"
#include "dp/lb.h"
#include "dp/pindir.h"
#include "frame.h"
#include "lbfix.h"
#include "run.h"
#include "topo.h"

#include "lb.skel.h"

#define FLOWS 20

/* Backends of VIP 10.0.0.77:80/tcp: on out0's link (topo.h). */
static const char *const backends[] = {"198.51.100.11", "198.51.100.12", "198.51.100.13"};
#define N_BACKENDS 3

static struct lb_bpf *skel;
static struct ef_dp dp;
static struct counters counters;
static struct ef_conf_backend bes[N_BACKENDS];
static struct ef_conf_vip vip;
static struct ef_conf conf = {.vips = &vip, .n_vips = 1};

#define EF_VERDICT_NAME(name, str, desc) str,
static const char *const verdict_names[EF_V_MAX] = {EF_VERDICT_LIST(EF_VERDICT_NAME)};

/* A TCP packet of flow i to the VIP; each round of new connections takes
 * flows of its own (ports of round r), so no SYN meets an entry. */
static struct frame flow(int i, uint8_t flags, int round)
{
	static char src[FLOWS][16];

	snprintf(src[i], sizeof(src[i]), "192.0.2.%d", 100 + i);
	return (struct frame){.family = 4,
			      .src = src[i],
			      .dst = "10.0.0.77",
			      .proto = IPPROTO_TCP,
			      .sport = (uint16_t)(30000 + 1000 * round + 7 * i),
			      .dport = 80,
			      .flags = flags};
}

/* Where the data plane sends the packet: the backend address ("" when it
 * does not forward it). */
static const char *sent_to(const struct frame *f, char *buf)
{
	static struct run r;
	static struct pkt in;

	frame_build(&in, f, topo_dev_mac("in0"));
	run_xdp(bpf_program__fd(skel->progs.evenflow_lb), &counters, &in, "in0", &r);
	if (r.action != XDP_REDIRECT)
		return "";
	assert_non_null(inet_ntop(AF_INET, r.out + 14 + 16, buf, INET6_ADDRSTRLEN));
	return buf;
}

/* What ef_lookup says a packet of f does: the backend address. */
static const char *looked_up(const struct frame *f, char *buf)
{
	struct ef_flow_key k;
	struct ef_lookup l;
	struct ef_backend b;

	frame_key(&k, f);
	assert_int_equal(ef_vip_get(&dp, &vip.key, &vip.vip), 0);
	assert_int_equal(ef_lookup(&dp, &vip.vip, &k, &l), 0);
	if (l.by == EF_BY_NONE)
		return "";
	assert_int_equal(ef_backend_read(&dp, l.chosen, &b), 0);
	assert_non_null(inet_ntop(AF_INET, &b.addr.a32[0], buf, INET6_ADDRSTRLEN));
	return buf;
}

/* The state ef_lookup reads from the flow's entry. */
static const char *state_of(const struct frame *f)
{
	struct ef_flow_key k;
	struct ef_lookup l;

	frame_key(&k, f);
	assert_int_equal(ef_vip_get(&dp, &vip.key, &vip.vip), 0);
	assert_int_equal(ef_lookup(&dp, &vip.vip, &k, &l), 0);
	return l.ct_exists ? l.ct_state : "none";
}

/* For every flow of a round: lookup's answer before the packet equals
 * where the program sends it. */
static void agree(uint8_t flags, int round, const char *when)
{
	char want[INET6_ADDRSTRLEN], got[INET6_ADDRSTRLEN];

	for (int i = 0; i < FLOWS; i++) {
		struct frame f = flow(i, flags, round);
		const char *l = looked_up(&f, want), *s = sent_to(&f, got);

		if (strcmp(l, s))
			fail_msg("%s: flow %d: lookup says %s, the data plane sends it to %s", when,
				 i, l[0] ? l : "(drop)", s[0] ? s : "(nowhere)");
	}
}

static void commit(void)
{
	__u32 gen_before, gen_after;

	assert_int_equal(ef_dp_gen(&dp, &gen_before), 0);
	assert_int_equal(ef_conf_commit(&dp, &conf), 0);
	assert_int_equal(ef_dp_gen(&dp, &gen_after), 0);
	assert_int_not_equal(gen_before, gen_after);
}

static void lookup_follows_generations(void **state)
{
	(void)state;
	commit();
	agree(TCP_SYN, 0, "first configuration, new flows");
	agree(TCP_ACK, 0, "first configuration, established");
	bes[0].admin = bes[0].state = EF_BE_DOWN;
	commit();
	agree(TCP_ACK, 0, "a backend down, its flows hashed again");
	bes[0].admin = bes[0].state = EF_BE_UP;
	commit();
	agree(TCP_ACK, 0, "back up, entries kept elsewhere");
	agree(TCP_SYN, 1, "back up, new connections");
	bes[2].weight = 3;
	commit();
	agree(TCP_SYN, 2, "a weight changed, new connections");
	agree(TCP_ACK, 0, "a weight changed, established");
	/* the entry's state as lookup reads it: one packet, two, a FIN */
	{
		char buf[INET6_ADDRSTRLEN];
		struct frame f = flow(0, TCP_SYN, 3);

		assert_string_equal(state_of(&f), "none");
		sent_to(&f, buf);
		assert_string_equal(state_of(&f), "new");
		f.flags = TCP_ACK;
		sent_to(&f, buf);
		assert_string_equal(state_of(&f), "established");
		f.flags = TCP_ACK | TCP_FIN;
		sent_to(&f, buf);
		assert_string_equal(state_of(&f), "closing");
	}
}

/* The LB program loaded with its maps and program pinned in a directory of
 * its own, opened as the CLI opens it. */
static int setup(void **state)
{
	char pin_dir[PATH_MAX / 2], prog[PATH_MAX];
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);

	(void)state;
	snprintf(pin_dir, sizeof(pin_dir), "%s/commit", topo_pin_dir());
	snprintf(prog, sizeof(prog), "%s/" EF_PIN_LB_PROG, pin_dir);
	if (mkdir(pin_dir, 0700) && errno != EEXIST)
		return -1;
	skel = lb_bpf__open_opts(&opts);
	if (!skel || lbfix_pin_globals(skel, pin_dir) || lb_bpf__load(skel) ||
	    bpf_program__pin(skel->progs.evenflow_lb, prog) || ef_dp_open_existing(pin_dir, &dp) ||
	    ef_devices_sync(&dp)) {
		fprintf(stderr, "# commit cases: cannot load and open the LB in %s\n", pin_dir);
		return -1;
	}
	counters = (struct counters){.map_fd = bpf_map__fd(skel->maps.evenflow_verdicts),
				     .n = EF_V_MAX,
				     .names = verdict_names};
	frame_addr(&vip.key.addr, "10.0.0.77");
	vip.key.family = EF_FAMILY_V4;
	vip.key.port = htons(80);
	vip.key.proto = IPPROTO_TCP;
	vip.backends = bes;
	vip.n_backends = N_BACKENDS;
	for (int i = 0; i < N_BACKENDS; i++) {
		bes[i].family = frame_addr(&bes[i].addr, backends[i]);
		bes[i].admin = bes[i].state = EF_BE_UP;
		bes[i].weight = 1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ef_dp_unpin(&dp); /* the program and every map, then the directory */
	ef_dp_close(&dp);
	lb_bpf__destroy(skel);
	return 0;
}

int commit_cases_run(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(lookup_follows_generations),
	};

	return cmocka_run_group_tests_name("commit path and lookup", tests, setup, teardown);
}
