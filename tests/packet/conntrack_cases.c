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
#include <string.h>
#include <cmocka.h>
#include <linux/bpf.h>
#include "cases.h"
#include "lb_config.h"
#include "lbfix.h"
#include "topo.h"

static const uint32_t all_backends[] = {BE_TCP4_A, BE_TCP4_B, BE_TCP4_C, 0};

static const struct frame flow = {TCP4S(40100, "10.0.0.10", 80, TCP_ACK)};

/* The backend a packet with these TCP flags went to, by its outer destination;
 * 0 when it was not forwarded. Checks the verdict counter it went under. */
static uint32_t send_flags(const struct frame *f, uint8_t flags)
{
	static struct run r;
	static struct pkt in;
	struct frame g = *f;
	char dst[INET6_ADDRSTRLEN];

	g.flags = flags;
	frame_build(&in, &g, topo_dev_mac("in0"));
	run_xdp(lbfix_prog_fd(), lbfix_counters(), &in, "in0", &r);
	if (r.action != XDP_REDIRECT) {
		check_counters(&r, lbfix_counters(), EF_V_DROP_NO_BACKEND);
		return 0;
	}
	check_counters(&r, lbfix_counters(), EF_V_FWD_REDIRECT);
	assert_non_null(inet_ntop(AF_INET, r.out + 14 + 16, dst, sizeof(dst)));
	for (int i = 0; all_backends[i]; i++)
		if (!strcmp(lbfix_backends[all_backends[i]].addr, dst))
			return all_backends[i];
	fail_msg("packet went to %s, not a backend of the VIP", dst);
	return 0;
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
	struct ef_flow e;

	frame_key(&key, f);
	assert_int_equal(lbfix_conntrack(&key, &e), 0);
	assert_int_equal(e.backend_id, backend);
	assert_int_equal(e.backend_gen, lbfix_backends[backend].gen);
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
	struct ef_flow e;

	(void)state;
	frame_key(&key, &flow);
	assert_int_equal(send_ack(&flow), b);
	table_of(other);
	assert_int_equal(send_flags(&flow, TCP_RST | TCP_ACK), b); /* still the flow's backend */
	assert_int_equal(lbfix_conntrack(&key, &e), -1);
	/* A RST of an unknown flow goes by the table and leaves no entry. */
	assert_int_equal(send_flags(&flow, TCP_RST), other);
	assert_int_equal(lbfix_conntrack(&key, &e), -1);
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
	};

	return cmocka_run_group_tests_name("conntrack", tests, NULL, NULL);
}
