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
#include "core/live.h"
#include "core/lookup.h"
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

/* The backend (of VIP_TCP4) an ICMP fragmentation needed about a reply of
 * f's flow went to; checks its verdict. */
static uint32_t send_icmp_error(const struct frame *f)
{
	struct frame e = {ICMP4_ERR(3, 4, IPPROTO_TCP, "10.0.0.10", 80)};
	static struct run r;
	static struct pkt in;
	char dst[INET6_ADDRSTRLEN];

	e.sport = f->sport;
	frame_build(&in, &e, topo_dev_mac("in0"));
	run_xdp(lbfix_prog_fd(), lbfix_counters(), &in, "in0", &r);
	check_action(&r, XDP_REDIRECT);
	check_counters(&r, lbfix_counters(), EF_V_FWD_ICMP_ERROR);
	assert_non_null(inet_ntop(AF_INET, r.out + 14 + 16, dst, sizeof(dst)));
	for (int i = 0; all_backends[i]; i++)
		if (!strcmp(lbfix_backends[all_backends[i]].addr, dst))
			return all_backends[i];
	fail_msg("ICMP error went to %s, not a backend of the VIP", dst);
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

/* Is the flow of this frame in the connection table? */
static bool tracked(const struct frame *f)
{
	struct ef_flow_key key;
	uint32_t id, gen;

	frame_key(&key, f);
	return lbfix_conntrack(&key, &id, &gen) == 0;
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

/* A SYN with a live flow's 5-tuple (a spoofed one, or a retransmission)
 * leaves the flow where it is while its backend is up. */
static void syn_keeps_a_live_flow(void **state)
{
	uint32_t other, b = choice(&flow, &other);
	struct frame fresh = flow;

	(void)state;
	fresh.sport++;
	assert_int_equal(send_ack(&flow), b);
	assert_int_equal(send_ack(&flow), b);
	table_of(other);
	assert_int_equal(send_flags(&flow, TCP_SYN), b);
	entry_is(&flow, b);
	assert_int_equal(send_ack(&flow), b);
	/* a SYN of a flow the table has never seen takes the table */
	assert_int_equal(send_flags(&fresh, TCP_SYN), other);
}

/* An ICMP error about a reply of a flow goes to the flow's backend (its
 * entry's, after a table change), and never makes or refreshes an entry. */
static void icmp_error_follows_the_flow(void **state)
{
	uint32_t other, b = choice(&flow, &other);
	struct frame fresh = flow;
	struct ef_flow_key key;
	uint64_t before, after;

	(void)state;
	fresh.sport++;
	frame_key(&key, &flow);
	assert_int_equal(send_ack(&flow), b);
	assert_int_equal(send_ack(&flow), b);
	table_of(other);
	assert_int_equal(lbfix_conntrack_entry(&key, &before), 0);
	assert_int_equal(send_icmp_error(&flow), b);
	assert_int_equal(lbfix_conntrack_entry(&key, &after), 0);
	assert_true(before == after);
	assert_int_equal(send_icmp_error(&fresh), other);
	assert_false(tracked(&fresh));
}

/* The flow's entry holds these state bits (of EF_CT_ESTAB, EF_CT_CLOSING,
 * EF_CT_UDP). */
static void state_is(const struct frame *f, uint64_t bits)
{
	struct ef_flow_key key;
	uint64_t e;

	frame_key(&key, f);
	assert_int_equal(lbfix_conntrack_entry(&key, &e), 0);
	assert_int_equal(e & (EF_CT_ESTAB | EF_CT_CLOSING | EF_CT_UDP), bits);
}

/* A RST (or FIN) ends nothing at once: the flow stays on its backend, its
 * entry closing; it moves only once the entry idled out past the grace. A
 * SYN reopens it. */
static void end_of_flow(uint8_t end)
{
	uint32_t other, b = choice(&flow, &other);
	struct ef_flow_key key;

	frame_key(&key, &flow);
	assert_int_equal(send_ack(&flow), b);
	assert_int_equal(send_ack(&flow), b);
	state_is(&flow, EF_CT_ESTAB);
	table_of(other);
	assert_int_equal(send_flags(&flow, end | TCP_ACK), b);
	state_is(&flow, EF_CT_ESTAB | EF_CT_CLOSING);
	assert_int_equal(send_ack(&flow), b); /* within the grace */
	state_is(&flow, EF_CT_ESTAB | EF_CT_CLOSING);
	assert_int_equal(send_flags(&flow, TCP_SYN), b);
	state_is(&flow, EF_CT_ESTAB);
	assert_int_equal(send_flags(&flow, end | TCP_ACK), b);
	/* the grace has passed */
	lbfix_plant_entry(&key, b, EF_CT_ESTAB | EF_CT_CLOSING, 505);
	assert_int_equal(send_ack(&flow), other);
	entry_is(&flow, other);
}

static void rst_starts_the_grace(void **state)
{
	struct ef_flow_key key;
	uint32_t id, gen;

	(void)state;
	end_of_flow(TCP_RST);
	/* A RST of an unknown flow goes by the table and leaves no entry. */
	lbfix_clear_conntrack();
	frame_key(&key, &flow);
	assert_int_equal(send_flags(&flow, TCP_RST), lbfix_table_choice(VIP_TCP4, &key));
	assert_int_equal(lbfix_conntrack(&key, &id, &gen), -1);
}

static void fin_starts_the_grace(void **state)
{
	(void)state;
	end_of_flow(TCP_FIN);
}

/* An open established TCP flow keeps its entry for hours; idle past the
 * TCP timeout, it takes the table's choice again. A flow seen in one packet
 * only keeps it for the grace. */
static void tcp_entry_idles_out(void **state)
{
	uint32_t other, b = choice(&flow, &other);
	struct ef_flow_key key;

	(void)state;
	frame_key(&key, &flow);
	assert_int_equal(send_flags(&flow, TCP_SYN), b);
	state_is(&flow, 0);
	assert_int_equal(send_ack(&flow), b);
	state_is(&flow, EF_CT_ESTAB);
	table_of(other);
	lbfix_plant_entry(&key, b, EF_CT_ESTAB, 1); /* a long unit ago: hours left */
	assert_int_equal(send_ack(&flow), b);
	lbfix_plant_entry(&key, b, EF_CT_ESTAB, 505);
	assert_int_equal(send_ack(&flow), other);
	lbfix_plant_entry(&key, b, 0, 505); /* one packet, then nothing */
	assert_int_equal(send_ack(&flow), other);
}

/* `evenflow lookup` says what the program does: for a planted entry of
 * each state and age (live, idled out, closing within and past the grace,
 * one packet), on a backend up or draining, lookup's backend for the next
 * packet and for a SYN are the ones the program takes. */
static void lookup_agrees(void **state)
{
	static const struct {
		uint64_t flags;
		uint32_t age; /* seen units ago (lbfix_plant_entry) */
		uint8_t backend_state;
	} rows[] = {
	    {EF_CT_ESTAB, 1, EF_BE_UP},
	    {EF_CT_ESTAB, 505, EF_BE_UP},
	    {EF_CT_ESTAB | EF_CT_CLOSING, 1, EF_BE_UP},
	    {EF_CT_ESTAB | EF_CT_CLOSING, 505, EF_BE_UP},
	    {0, 1, EF_BE_UP},
	    {0, 505, EF_BE_UP},
	    {EF_CT_ESTAB, 1, EF_BE_DRAIN},
	    {EF_CT_ESTAB, 505, EF_BE_DRAIN},
	};
	uint32_t other, b = choice(&flow, &other);
	struct ef_vip_key vk = {};
	struct ef_flow_key key;
	struct ef_lookup l;
	struct ef_vip vip;

	(void)state;
	frame_key(&key, &flow);
	vk.addr = key.dst;
	vk.port = key.dport;
	vk.proto = key.proto;
	vk.family = key.family;
	table_of(other);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		set_backend(b, rows[i].backend_state, 1);
		lbfix_plant_entry(&key, b, rows[i].flags, rows[i].age);
		assert_int_equal(ef_vip_get(lbfix_dp(), &vk, &vip), 0);
		assert_int_equal(ef_lookup(lbfix_dp(), &vip, &key, &l), 0);
		assert_true(l.ct_exists && l.ct_idle_s >= 0);
		assert_int_equal(send_ack(&flow), l.chosen);
		lbfix_plant_entry(&key, b, rows[i].flags, rows[i].age);
		assert_int_equal(send_flags(&flow, TCP_SYN), l.syn_chosen);
	}
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

/* Flows of the bucket present in the connection table. */
static int present(const struct frame *f, int n)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		k += tracked(&f[i]);
	return k;
}

/* The flood guard: a new flow never evicts an established one (seen in two
 * packets): in a bucket full of them it is forwarded by the table's choice
 * without an entry, and counted. */
static void new_flow_never_evicts_established(void **state)
{
	struct frame f[EF_CT_WAYS + 1];
	uint64_t no_entry;
	uint32_t other;

	(void)state;
	same_bucket(f, EF_CT_WAYS + 1);
	for (int i = 0; i < EF_CT_WAYS; i++) {
		send_ack(&f[i]);
		send_ack(&f[i]);
	}
	no_entry = lbfix_ct_stat(EF_CTS_NO_ENTRY);
	assert_int_equal(send_flags(&f[EF_CT_WAYS], TCP_SYN), choice(&f[EF_CT_WAYS], &other));
	assert_false(tracked(&f[EF_CT_WAYS]));
	assert_int_equal(present(f, EF_CT_WAYS), EF_CT_WAYS);
	assert_int_equal(lbfix_ct_stat(EF_CTS_NO_ENTRY), no_entry + 1);
	/* again: a flow with no entry is still a new flow, never established */
	assert_int_equal(send_ack(&f[EF_CT_WAYS]), choice(&f[EF_CT_WAYS], &other));
	assert_false(tracked(&f[EF_CT_WAYS]));
	assert_int_equal(lbfix_ct_stat(EF_CTS_NO_ENTRY), no_entry + 2);
}

/* One-packet flows (a SYN or ACK flood's) give way to a new flow, counted as
 * live evictions; an established one among them stays. */
static void new_flow_evicts_a_one_packet_flow(void **state)
{
	struct frame f[EF_CT_WAYS + 2];
	uint64_t evicted;

	(void)state;
	same_bucket(f, EF_CT_WAYS + 2);
	send_ack(&f[0]);
	send_ack(&f[0]);
	for (int i = 1; i < EF_CT_WAYS; i++)
		send_flags(&f[i], TCP_SYN);
	evicted = lbfix_ct_stat(EF_CTS_EVICT_LIVE);
	for (int i = EF_CT_WAYS; i < EF_CT_WAYS + 2; i++) {
		send_flags(&f[i], TCP_SYN);
		assert_true(tracked(&f[i]));
	}
	assert_int_equal(lbfix_ct_stat(EF_CTS_EVICT_LIVE), evicted + 2);
	assert_true(tracked(&f[0]));
	assert_int_equal(present(f, EF_CT_WAYS + 2), EF_CT_WAYS);
}

/* An entry idled out is a free way: a new flow takes it without an
 * eviction. */
static void idled_out_entry_is_reused(void **state)
{
	struct frame f[EF_CT_WAYS + 1];
	struct ef_flow_key key;
	uint64_t evicted, inserts;
	uint32_t id, gen;

	(void)state;
	same_bucket(f, EF_CT_WAYS + 1);
	for (int i = 0; i < EF_CT_WAYS; i++) {
		send_ack(&f[i]);
		send_ack(&f[i]);
	}
	frame_key(&key, &f[3]);
	assert_int_equal(lbfix_conntrack(&key, &id, &gen), 0);
	lbfix_plant_entry(&key, id, EF_CT_ESTAB, 505);
	evicted = lbfix_ct_stat(EF_CTS_EVICT_LIVE);
	inserts = lbfix_ct_stat(EF_CTS_INSERT);
	send_flags(&f[EF_CT_WAYS], TCP_SYN);
	assert_true(tracked(&f[EF_CT_WAYS]));
	assert_false(tracked(&f[3]));
	assert_int_equal(lbfix_ct_stat(EF_CTS_EVICT_LIVE), evicted);
	assert_int_equal(lbfix_ct_stat(EF_CTS_INSERT), inserts + 1);
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
	    cmocka_unit_test_setup_teardown(syn_keeps_a_live_flow, restore, restore),
	    cmocka_unit_test_setup_teardown(icmp_error_follows_the_flow, restore, restore),
	    cmocka_unit_test_setup_teardown(rst_starts_the_grace, restore, restore),
	    cmocka_unit_test_setup_teardown(fin_starts_the_grace, restore, restore),
	    cmocka_unit_test_setup_teardown(tcp_entry_idles_out, restore, restore),
	    cmocka_unit_test_setup_teardown(new_flow_never_evicts_established, restore, restore),
	    cmocka_unit_test_setup_teardown(new_flow_evicts_a_one_packet_flow, restore, restore),
	    cmocka_unit_test_setup_teardown(idled_out_entry_is_reused, restore, restore),
	    cmocka_unit_test_setup_teardown(foreign_entry_does_not_capture, restore, restore),
	    cmocka_unit_test_setup_teardown(udp_flow_idles_out, restore_udp, restore_udp),
	    cmocka_unit_test_setup_teardown(lookup_agrees, restore, restore),
	};

	return cmocka_run_group_tests_name(lbfix_group("conntrack"), tests, NULL, NULL);
}
