// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * frag_cases.c: stories of datagrams in fragments (lib/frag.h): the first
 * fragment takes the flow's backend, the later ones follow it, also after the
 * table changed; a later fragment before its first is dropped and counted.
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

/* The two backends of VIP_UDP4_ANY, and of VIP_TCP6. */
static const uint32_t udp4[] = {4, 5, 0};
static const uint32_t tcp6[] = {6, 7, 0};

/* Sends f; returns the backend (of `backends`) it was encapsulated to, or 0
 * if it was dropped as a later fragment without its first. */
static uint32_t send_frag(const struct frame *f, const uint32_t *backends)
{
	static struct run r;
	static struct pkt in;
	char dst[INET6_ADDRSTRLEN];
	int v4 = f->family == 4;

	frame_build(&in, f, topo_dev_mac("in0"));
	run_xdp(lbfix_prog_fd(), lbfix_counters(), &in, "in0", &r);
	if (r.action == XDP_DROP) {
		check_counters(&r, lbfix_counters(), EF_V_DROP_FRAG_NO_FIRST);
		return 0;
	}
	check_action(&r, XDP_REDIRECT);
	check_counters(&r, lbfix_counters(), EF_V_FWD_REDIRECT);
	/* the fragment whole behind the outer header */
	assert_int_equal(r.out_len, in.len - 14 + 14 + (v4 ? 20 : 40));
	assert_memory_equal(r.out + 14 + (v4 ? 20 : 40), in.data + 14, in.len - 14);
	assert_non_null(
	    inet_ntop(v4 ? AF_INET : AF_INET6, r.out + 14 + (v4 ? 16 : 24), dst, sizeof(dst)));
	for (int i = 0; backends[i]; i++)
		if (!strcmp(lbfix_backends[backends[i]].addr, dst))
			return backends[i];
	fail_msg("fragment went to %s, not a backend of the VIP", dst);
	return 0;
}

/* A datagram's fragments: first (MF), middle (offset, MF) and last
 * (offset): flags for frame.frag, IPv4 or IPv6 style. */
static uint16_t frag_field(int v4, int which)
{
	static const uint16_t f4[] = {0x2000, 0x2000 | 185, 370};
	static const uint16_t f6[] = {0x0001, (185 << 3) | 1, 370 << 3};

	return v4 ? f4[which] : f6[which];
}

/* The datagram's later fragments follow its first to the first's backend,
 * also once the VIP's table gives the flow to the other backend. */
static void datagram(const struct frame *base, uint32_t vip, const uint32_t *backends)
{
	struct frame f = *base;
	struct ef_flow_key key;
	uint32_t b, other, only[2] = {0, 0};

	frame_key(&key, &f);
	b = lbfix_table_choice(vip, &key);
	other = b == backends[0] ? backends[1] : backends[0];
	f.frag = frag_field(f.family == 4, 0);
	assert_int_equal(send_frag(&f, backends), b);
	only[0] = other;
	lbfix_write_table(vip, only);
	f.frag = frag_field(f.family == 4, 1);
	f.payload = 1200;
	assert_int_equal(send_frag(&f, backends), b);
	f.frag = frag_field(f.family == 4, 2);
	f.payload = 100;
	assert_int_equal(send_frag(&f, backends), b);
	lbfix_write_table(vip, backends);
}

static void udp4_datagram(void **state)
{
	const struct frame f = {UDP4("10.0.0.10", 53), .payload = 1000, .frag_id = 0x301};

	(void)state;
	datagram(&f, VIP_UDP4_ANY, udp4);
}

static void tcp6_datagram(void **state)
{
	const struct frame f = {TCP6("2001:db8::10", 443, TCP_ACK), .payload = 1000,
				.frag_id = 0x302};

	(void)state;
	datagram(&f, VIP_TCP6, tcp6);
}

/* A later fragment before its first is dropped and counted; once the first
 * came, the rest follow it. */
static void later_before_first(void **state)
{
	struct frame f = {UDP4("10.0.0.10", 5353), .payload = 8, .frag_id = 0x303};
	struct ef_flow_key key;

	(void)state;
	frame_key(&key, &f);
	f.frag = frag_field(1, 1);
	assert_int_equal(send_frag(&f, udp4), 0);
	f.frag = frag_field(1, 0);
	assert_int_equal(send_frag(&f, udp4), lbfix_table_choice(VIP_UDP4_ANY, &key));
	f.frag = frag_field(1, 2);
	assert_int_equal(send_frag(&f, udp4), lbfix_table_choice(VIP_UDP4_ANY, &key));
	/* another datagram of the same flow (another id) has its own record */
	f.frag_id = 0x304;
	assert_int_equal(send_frag(&f, udp4), 0);
}

/* A later fragment whose first's backend was removed (its id given out
 * again) is not sent to the backend now holding the id. */
static void backend_gone(void **state)
{
	struct frame f = {UDP4("10.0.0.10", 5354), .payload = 8, .frag_id = 0x305};
	struct ef_flow_key key;
	uint32_t b;

	(void)state;
	frame_key(&key, &f);
	b = lbfix_table_choice(VIP_UDP4_ANY, &key);
	f.frag = frag_field(1, 0);
	assert_int_equal(send_frag(&f, udp4), b);
	lbfix_backends[b].gen++;
	lbfix_write_backend(b);
	f.frag = frag_field(1, 2);
	assert_int_equal(send_frag(&f, udp4), 0);
	lbfix_backends[b].gen--;
	lbfix_write_backend(b);
}

int frag_cases_run(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(udp4_datagram),
	    cmocka_unit_test(tcp6_datagram),
	    cmocka_unit_test(later_before_first),
	    cmocka_unit_test(backend_gone),
	};

	return cmocka_run_group_tests_name(lbfix_group("fragments"), tests, NULL, NULL);
}
