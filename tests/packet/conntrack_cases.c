// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * conntrack_cases.c: short stories about the connection table on VIP_TCP4
 * (backends A, B, C): send a packet, change the configuration the way the CLI
 * would, send again, check which backend the packet went to.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/bpf.h>
#include "cases.h"
#include "lb_config.h"
#include "lbfix.h"
#include "lib/ct_entry.h"
#include "topo.h"

static const uint32_t all_backends[] = {BE_TCP4_A, BE_TCP4_B, BE_TCP4_C, 0};

static const struct frame flow = {TCP4S(40100, "10.0.0.10", 80, TCP_ACK)};

static const uint32_t udp_backends[] = {BE_UDP4_A, BE_UDP4_B, 0};

/* The backend (one of `backends`) a frame went to, by its outer destination;
 * 0 when it was not forwarded. Checks the verdict counter it went under. */
static uint32_t send_to(const struct frame *g, const uint32_t *backends)
{
	static struct run r;
	static struct pkt in;
	char dst[INET6_ADDRSTRLEN];

	frame_build(&in, g, topo_dev_mac("in0"));
	run_xdp(lbfix_prog_fd(), lbfix_counters(), &in, "in0", &r);
	if (r.action != XDP_REDIRECT) {
		check_counters(&r, lbfix_counters(), EF_V_DROP_NO_BACKEND);
		return 0;
	}
	check_counters(&r, lbfix_counters(), EF_V_FWD_REDIRECT);
	assert_non_null(inet_ntop(AF_INET, r.out + 14 + 16, dst, sizeof(dst)));
	for (int i = 0; backends[i]; i++)
		if (!strcmp(lbfix_backends[backends[i]].addr, dst))
			return backends[i];
	fail_msg("packet went to %s, not a backend of the VIP", dst);
	return 0;
}

/* The backend a packet of the TCP flow with these flags went to. */
static uint32_t send_flags(const struct frame *f, uint8_t flags)
{
	struct frame g = *f;

	g.flags = flags;
	return send_to(&g, all_backends);
}

static uint32_t send_ack(const struct frame *f)
{
	return send_flags(f, TCP_ACK);
}

/* The table's choice for the flow, and another backend. */
static uint32_t choice(const struct frame *f, uint32_t *other)
{
	struct ef_flow_key key;
	uint32_t b;

	frame_key(&key, f);
	b = lbfix_table_choice(VIP_TCP4, &key);
	*other = b == BE_TCP4_A ? BE_TCP4_B : BE_TCP4_A;
	return b;
}

/* Swap in a table that gives every flow to `id` alone. */
static void table_of(uint32_t id)
{
	const uint32_t ids[] = {id, 0};

	lbfix_write_table(VIP_TCP4, ids);
}

static void set_backend(uint32_t id, uint8_t state, uint32_t gen)
{
	lbfix_backends[id].state = state;
	lbfix_backends[id].gen = gen;
	lbfix_write_backend(id);
}

static int restore(void **state)
{
	(void)state;
	for (int i = 0; all_backends[i]; i++)
		set_backend(all_backends[i], EF_BE_UP, 1);
	lbfix_write_table(VIP_TCP4, all_backends);
	lbfix_clear_conntrack();
	return 0;
}

static void entry_is(const struct frame *f, uint32_t backend)
{
	struct ef_flow_key key;
	uint32_t id, gen;

	frame_key(&key, f);
	assert_int_equal(lbfix_conntrack(&key, &id, &gen), 0);
	assert_int_equal(id, backend);
	assert_int_equal(gen, lbfix_backends[backend].gen & EF_CT_GEN_MASK);
}

static void same_flow_same_backend(void **state)
{
	uint32_t other, b = choice(&flow, &other);

	(void)state;
	assert_int_equal(send_ack(&flow), b);
	entry_is(&flow, b);
	assert_int_equal(send_ack(&flow), b);
	lbfix_clear_conntrack();
	assert_int_equal(send_ack(&flow), b); /* the table alone gives the same answer */
}

static void stays_after_table_swap(void **state)
{
	uint32_t other, b = choice(&flow, &other);
	struct frame new_flow = flow;

	(void)state;
	new_flow.sport++;
	assert_int_equal(send_ack(&flow), b);
	table_of(other);
	assert_int_equal(send_ack(&flow), b);
	assert_int_equal(send_ack(&new_flow), other);
}

static void moves_when_backend_down(void **state)
{
	uint32_t other, b = choice(&flow, &other);

	(void)state;
	assert_int_equal(send_ack(&flow), b);
	set_backend(b, EF_BE_DOWN, 1);
	/* The table still names the down backend: no backend, never the down one. */
	assert_int_equal(send_ack(&flow), 0);
	table_of(other);
	assert_int_equal(send_ack(&flow), other);
	entry_is(&flow, other);
}

static void moves_when_gen_changes(void **state)
{
	uint32_t other, b = choice(&flow, &other);

	(void)state;
	assert_int_equal(send_ack(&flow), b);
	table_of(other);
	set_backend(b, EF_BE_UP, 2); /* the slot was given out again */
	assert_int_equal(send_ack(&flow), other);
	entry_is(&flow, other);
}

static void stays_when_draining(void **state)
{
	uint32_t other, b = choice(&flow, &other);

	(void)state;
	assert_int_equal(send_ack(&flow), b);
	table_of(other);
	set_backend(b, EF_BE_DRAIN, 1);
	assert_int_equal(send_ack(&flow), b);
	assert_int_equal(send_flags(&flow, TCP_SYN), other); /* a new connection */
}

static void syn_takes_the_table(void **state)
{
	uint32_t other, b = choice(&flow, &other);

	(void)state;
	assert_int_equal(send_ack(&flow), b);
	table_of(other);
	assert_int_equal(send_flags(&flow, TCP_SYN), other);
	entry_is(&flow, other);
	assert_int_equal(send_ack(&flow), other);
}

static void rst_deletes_the_entry(void **state)
{
	uint32_t other, b = choice(&flow, &other);
	struct ef_flow_key key;
	uint32_t id, gen;

	(void)state;
	frame_key(&key, &flow);
	assert_int_equal(send_ack(&flow), b);
	table_of(other);
	assert_int_equal(send_flags(&flow, TCP_RST | TCP_ACK), b); /* still the flow's backend */
	assert_int_equal(lbfix_conntrack(&key, &id, &gen), -1);
	/* A RST of an unknown flow goes by the table and leaves no entry. */
	assert_int_equal(send_flags(&flow, TCP_RST), other);
	assert_int_equal(lbfix_conntrack(&key, &id, &gen), -1);
}

/* Send frame f, whose flow's entry names backend `id`, and check the
 * action and verdict. */
static void send_planted(const struct frame *f, uint32_t id, int action, enum ef_verdict v)
{
	static struct run r;
	static struct pkt in;
	struct ef_flow_key key;

	frame_key(&key, f);
	lbfix_plant_conntrack(&key, id);
	frame_build(&in, f, topo_dev_mac("in0"));
	run_xdp(lbfix_prog_fd(), lbfix_counters(), &in, "in0", &r);
	check_action(&r, action);
	check_counters(&r, lbfix_counters(), v);
	if (action == XDP_PASS)
		check_frame(&r, &in);
}

/* An entry naming another VIP's backend (as a fingerprint collision would
 * leave) does not capture a packet that is not for that VIP, also while the
 * next hop toward that backend is cached (the fast path's case): a packet to
 * the VIP's address on a port no VIP serves passes untouched; one for another
 * VIP (one without a table) gets that VIP's outcome; an IPv6 packet to an
 * address that differs from the VIP's in its last word only, on the VIP's
 * port, passes untouched. */
static void foreign_entry_does_not_capture(void **state)
{
	const struct frame other_port = {TCP4S(40100, "10.0.0.10", 8080, TCP_ACK)};
	const struct frame other_vip = {TCP4S(40100, "10.0.0.17", 80, TCP_ACK)};
	const struct frame other_addr6 = {TCP6S(40100, "2001:db8::11", 443, TCP_ACK)};
	const struct frame warm6 = {TCP6S(40100, "2001:db8::10", 443, TCP_ACK)};
	struct frame warm = flow;
	struct ef_flow_key key6;
	uint32_t id6, gen6;
	static struct run r6;
	static struct pkt in6;

	(void)state;
	for (warm.sport = 41000; warm.sport < 41100; warm.sport++)
		if (send_ack(&warm) == BE_TCP4_A)
			break;
	assert_int_not_equal(warm.sport, 41100);
	send_planted(&other_port, BE_TCP4_A, XDP_PASS, EF_V_PASS_NOT_VIP);
	assert_int_equal(send_ack(&warm), BE_TCP4_A);
	send_planted(&other_vip, BE_TCP4_A, XDP_DROP, EF_V_DROP_NO_BACKEND);
	/* an IPv6 flow of VIP [2001:db8::10]:443: the next hop toward its
	 * backend is cached, and the backend's id is read from its entry */
	frame_build(&in6, &warm6, topo_dev_mac("in0"));
	run_xdp(lbfix_prog_fd(), lbfix_counters(), &in6, "in0", &r6);
	check_action(&r6, XDP_REDIRECT);
	frame_key(&key6, &warm6);
	assert_int_equal(lbfix_conntrack(&key6, &id6, &gen6), 0);
	send_planted(&other_addr6, id6, XDP_PASS, EF_V_PASS_NOT_VIP);
}

/* Is the flow of this frame in the connection table? */
static bool tracked(const struct frame *f)
{
	struct ef_flow_key key;
	uint32_t id, gen;

	frame_key(&key, f);
	return lbfix_conntrack(&key, &id, &gen) == 0;
}

/* n flows of the VIP that share one connection-table bucket. */
static void same_bucket(struct frame *f, int n)
{
	uint32_t mask = lbfix_ct_buckets() - 1, want = 0, h, fp;
	struct ef_flow_key key;
	int k = 0;

	for (uint32_t sport = 1024; k < n && sport <= 65535; sport++) {
		f[k] = flow;
		f[k].sport = (uint16_t)sport;
		frame_key(&key, &f[k]);
		ef_flow_hash2(&key, &h, &fp);
		if (!k)
			want = h & mask;
		if ((h & mask) == want)
			k++;
	}
	assert_int_equal(k, n);
}

/* A full bucket makes room the clock way: the flow not used since the hand
 * last passed goes; flows in use stay. */
static void full_bucket_evicts_the_unused(void **state)
{
	struct frame f[EF_CT_WAYS + 2];
	int present = 0, gone = -1;

	(void)state;
	same_bucket(f, EF_CT_WAYS + 2);
	for (int i = 0; i < EF_CT_WAYS; i++)
		send_ack(&f[i]);
	for (int i = 0; i < EF_CT_WAYS; i++)
		assert_true(tracked(&f[i]));
	/* all used: the hand clears every mark and one flow makes room */
	send_ack(&f[EF_CT_WAYS]);
	assert_true(tracked(&f[EF_CT_WAYS]));
	for (int i = 0; i < EF_CT_WAYS; i++)
		present += tracked(&f[i]);
	assert_int_equal(present, EF_CT_WAYS - 1);
	/* use every remaining old flow but one: that one goes next */
	for (int i = 0; i < EF_CT_WAYS; i++) {
		if (!tracked(&f[i]))
			continue;
		if (gone < 0)
			gone = i;
		else
			send_ack(&f[i]);
	}
	send_ack(&f[EF_CT_WAYS + 1]);
	assert_true(tracked(&f[EF_CT_WAYS + 1]));
	assert_false(tracked(&f[gone]));
	present = 0;
	for (int i = 0; i < EF_CT_WAYS + 2; i++)
		present += tracked(&f[i]);
	assert_int_equal(present, EF_CT_WAYS);
}

static void set_udp_table(uint32_t only)
{
	const uint32_t one[] = {only, 0};

	lbfix_write_table(VIP_UDP4_ANY, only ? one : udp_backends);
}

static int restore_udp(void **state)
{
	(void)state;
	set_udp_table(0);
	lbfix_clear_conntrack();
	return 0;
}

/* A UDP flow stays on its backend while it is active and takes the table's
 * choice again once idle longer than the timeout (1 s in the fixture). */
static void udp_flow_idles_out(void **state)
{
	const struct frame udp = {UDP4("10.0.0.10", 53)};
	struct frame busy = udp;
	uint32_t first, second;

	(void)state;
	first = send_to(&udp, udp_backends);
	second = first == BE_UDP4_A ? BE_UDP4_B : BE_UDP4_A;
	/* A second flow on the same backend stays busy while the first idles,
	 * so the next hop toward that backend stays cached and the idle flow's
	 * packet meets the fast path's idle check, not only the general path's
	 * (the cache lasts 1 s, less than the idle timeout). */
	for (busy.sport = 50000; busy.sport < 50100; busy.sport++)
		if (send_to(&busy, udp_backends) == first)
			break;
	assert_int_not_equal(busy.sport, 50100);
	set_udp_table(second);
	assert_int_equal(send_to(&udp, udp_backends), first);
	/* `seen` counts 256-jiffy units: two units pass within 2.1 s at HZ >= 250 */
	for (int i = 0; i < 11; i++) {
		usleep(200 * 1000);
		assert_int_equal(send_to(&busy, udp_backends), first);
	}
	assert_int_equal(send_to(&udp, udp_backends), second);
	assert_int_equal(send_to(&udp, udp_backends), second);
}

int conntrack_cases_run(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(same_flow_same_backend, restore, restore),
	    cmocka_unit_test_setup_teardown(stays_after_table_swap, restore, restore),
	    cmocka_unit_test_setup_teardown(moves_when_backend_down, restore, restore),
	    cmocka_unit_test_setup_teardown(moves_when_gen_changes, restore, restore),
	    cmocka_unit_test_setup_teardown(stays_when_draining, restore, restore),
	    cmocka_unit_test_setup_teardown(syn_takes_the_table, restore, restore),
	    cmocka_unit_test_setup_teardown(rst_deletes_the_entry, restore, restore),
	    cmocka_unit_test_setup_teardown(full_bucket_evicts_the_unused, restore, restore),
	    cmocka_unit_test_setup_teardown(foreign_entry_does_not_capture, restore, restore),
	    cmocka_unit_test_setup_teardown(udp_flow_idles_out, restore_udp, restore_udp),
	};

	return cmocka_run_group_tests_name(lbfix_group("conntrack"), tests, NULL, NULL);
}
