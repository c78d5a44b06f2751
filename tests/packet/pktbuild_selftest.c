// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pktbuild_selftest.c: the builder checked against reference values computed
 * elsewhere (RFC 1071 example header, checksums from an independent
 * implementation), since every expected frame relies on it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "cases.h"
#include "pktbuild.h"

static const uint8_t mac_a[6] = {2, 0, 0, 0, 0, 0xa}, mac_b[6] = {2, 0, 0, 0, 0, 0xb};

static uint16_t get16(const struct pkt *p, int off)
{
	return p->data[off] << 8 | p->data[off + 1];
}

/* The classic IPv4 header 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7. */
static void ipv4_header_checksum(void **state)
{
	struct pb_ip4 ip = {.src = "192.168.0.1", .dst = "192.168.0.199", .frag_off = 0x4000};
	struct pkt p;

	(void)state;
	pb_init(&p);
	pb_eth(&p, mac_a, mac_b);
	pb_ipv4(&p, &ip);
	pb_udp(&p, 1, 2);
	pb_payload(&p, 0x73 - 28, 0);
	pb_finish(&p);
	assert_int_equal(get16(&p, 12), 0x0800);
	assert_int_equal(get16(&p, 14 + 2), 0x73);
	assert_int_equal(p.data[14 + 9], 17);
	assert_int_equal(get16(&p, 14 + 10), 0xb861);
}

/* TCP over IPv4 and UDP over IPv6 with extension headers, behind two VLAN
 * tags; reference checksums from a separate (Python) implementation. */
static void l4_checksums(void **state)
{
	struct pb_ip4 ip4 = {.src = "10.1.0.1", .dst = "10.0.0.10", .id = 0x1234};
	struct pb_ip6 ip6 = {.src = "2001:db8:c::1", .dst = "2001:db8::10"};
	struct pkt p;

	(void)state;
	pb_init(&p);
	pb_eth(&p, mac_a, mac_b);
	pb_ipv4(&p, &ip4);
	pb_tcp(&p, 40000, 80, 0x10, 0);
	pb_payload(&p, 5, 1);
	pb_finish(&p);
	assert_int_equal(get16(&p, 14 + 10), 0x548c);
	assert_int_equal(get16(&p, 34 + 16), 0xc49a);

	pb_init(&p);
	pb_eth(&p, mac_a, mac_b);
	pb_vlan(&p, 0x88a8, 100);
	pb_vlan(&p, 0x8100, 101);
	pb_ipv6(&p, &ip6);
	pb_ext6(&p, 0, 16, 0);
	pb_udp(&p, 40003, 53);
	pb_payload(&p, 3, 2);
	pb_finish(&p);
	assert_int_equal(get16(&p, 12), 0x88a8);
	assert_int_equal(get16(&p, 16), 0x8100);
	assert_int_equal(get16(&p, 20), 0x86dd);
	assert_int_equal(p.data[22 + 6], 0); /* next header: hop-by-hop */
	assert_int_equal(p.data[62], 17);    /* hop-by-hop's next header: UDP */
	assert_int_equal(get16(&p, 22 + 4), 16 + 8 + 3);
	assert_int_equal(get16(&p, 78 + 4), 11);
	assert_int_equal(get16(&p, 78 + 6), 0xf5c7);
}

int pktbuild_selftest_run(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ipv4_header_checksum),
	    cmocka_unit_test(l4_checksums),
	};

	return cmocka_run_group_tests_name("pktbuild", tests, NULL, NULL);
}
