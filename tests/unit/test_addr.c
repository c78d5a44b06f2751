// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_addr: parsing and formatting of addresses, VIPs and client endpoints
 * (user/addr.c): every good form, every kind of bad input with its reason,
 * and text -> key -> text round trips.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../select.h"

#include "util/addr.h"

static void test_ipv4_good(void **state)
{
	struct ef_addr a;
	const char *why = NULL;
	__u8 fam = 0;

	(void)state;
	assert_int_equal(ef_addr_parse("10.0.0.1", &a, &fam, &why), 0);
	assert_int_equal(fam, EF_FAMILY_V4);
	assert_int_equal(a.a32[0], htonl(0x0a000001));
	assert_int_equal(a.a32[1] | a.a32[2] | a.a32[3], 0);
	assert_int_equal(ef_addr_parse("255.255.255.255", &a, &fam, &why), 0);
	assert_int_equal(a.a32[0], 0xffffffffU);
	assert_int_equal(ef_addr_parse("0.0.0.0", &a, &fam, &why), 0);
}

static void test_ipv6_good(void **state)
{
	struct ef_addr a;
	const char *why = NULL;
	__u8 fam = 0;

	(void)state;
	assert_int_equal(ef_addr_parse("2001:db8::10", &a, &fam, &why), 0);
	assert_int_equal(fam, EF_FAMILY_V6);
	assert_int_equal(a.a8[0], 0x20);
	assert_int_equal(a.a8[1], 0x01);
	assert_int_equal(a.a8[15], 0x10);
	assert_int_equal(ef_addr_parse("::", &a, &fam, &why), 0);
	assert_int_equal(fam, EF_FAMILY_V6);
	/* an IPv4-mapped address is an IPv6 address */
	assert_int_equal(ef_addr_parse("::ffff:10.0.0.1", &a, &fam, &why), 0);
	assert_int_equal(fam, EF_FAMILY_V6);
}

struct bad {
	const char *in;
	const char *why; /* expected reason (substring) */
};

static void test_addr_bad(void **state)
{
	static const struct bad cases[] = {
	    {"", "empty"},
	    {"10.0.0.300", "invalid IPv4 address"},
	    {"10.0.0", "invalid IPv4 address"},
	    {"1.2.3.4.5", "invalid IPv4 address"},
	    {"10.0.0.1 ", "invalid IPv4 address"},
	    {" 10.0.0.1", "invalid"},
	    {"10.0.0.-1", "invalid IPv4 address"},
	    {"localhost", "invalid address"},
	    {"::g", "invalid IPv6 address"},
	    {"1:2:3:4:5:6:7:8:9", "invalid IPv6 address"},
	    {"fe80::1%eth0", "invalid IPv6 address"},
	    {"2001:db8:::1", "invalid IPv6 address"},
	    {"[2001:db8::1]", "invalid IPv6 address"},
	    {"10.0.0.1:80", "invalid IPv6 address"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ef_addr a;
		const char *why = NULL;
		__u8 fam;

		if (ef_addr_parse(cases[i].in, &a, &fam, &why) != -EINVAL || !why ||
		    !strstr(why, cases[i].why))
			fail_msg("'%s': expected -EINVAL '%s', got '%s'", cases[i].in, cases[i].why,
				 why ? why : "(accepted)");
	}
}

static void test_vip_good(void **state)
{
	struct ef_vip_key k;
	const char *why = NULL;

	(void)state;
	assert_int_equal(ef_vip_parse("10.0.0.10:80/tcp", &k, &why), 0);
	assert_int_equal(k.family, EF_FAMILY_V4);
	assert_int_equal(k.addr.a32[0], htonl(0x0a00000a));
	assert_int_equal(k.port, htons(80));
	assert_int_equal(k.proto, IPPROTO_TCP);

	assert_int_equal(ef_vip_parse("[2001:db8::10]:443/udp", &k, &why), 0);
	assert_int_equal(k.family, EF_FAMILY_V6);
	assert_int_equal(k.port, htons(443));
	assert_int_equal(k.proto, IPPROTO_UDP);
	assert_int_equal(k.addr.a8[15], 0x10);

	/* port 0 = every port; the extremes of the range */
	assert_int_equal(ef_vip_parse("10.0.0.10:0/udp", &k, &why), 0);
	assert_int_equal(k.port, 0);
	assert_int_equal(ef_vip_parse("10.0.0.10:65535/tcp", &k, &why), 0);
	assert_int_equal(k.port, htons(65535));
}

static void test_vip_bad(void **state)
{
	static const struct bad cases[] = {
	    {"10.0.0.10:80", "missing /PROTO"},
	    {"10.0.0.10:80/", "unknown protocol"},
	    {"10.0.0.10:80/icmp", "unknown protocol"},
	    {"10.0.0.10:80/TCP", "unknown protocol"},
	    {"10.0.0.10:80/tcp ", "unknown protocol"},
	    {"10.0.0.10/tcp", "missing :PORT"},
	    {"10.0.0.10:/tcp", "missing port"},
	    {"10.0.0.10:65536/tcp", "invalid port"},
	    {"10.0.0.10:-1/tcp", "invalid port"},
	    {"10.0.0.10:8x/tcp", "invalid port"},
	    {"10.0.0.10:+80/tcp", "invalid port"},
	    {"10.0.0.10:000080/tcp", "invalid port"},
	    {"10.0.0.10:80/tcp/udp", "invalid port"},
	    {"10.0.0.300:80/tcp", "invalid IPv4 address"},
	    {":80/tcp", "empty address"},
	    {"2001:db8::10:443/udp", "must be in brackets"},
	    {"[2001:db8::10:443/udp", "missing ']'"},
	    {"[2001:db8::10]443/udp", "missing :PORT"},
	    {"[2001:db8::10]:/udp", "missing port"},
	    {"[10.0.0.1]:80/tcp", "brackets are for IPv6"},
	    {"[2001:db8::zz]:80/tcp", "invalid IPv6 address"},
	    {"[]:80/tcp", "brackets are for IPv6"},
	    {"", "missing /PROTO"},
	};
	char longer[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ef_vip_key k;
		const char *why = NULL;

		if (ef_vip_parse(cases[i].in, &k, &why) != -EINVAL || !why ||
		    !strstr(why, cases[i].why))
			fail_msg("'%s': expected -EINVAL '%s', got '%s'", cases[i].in, cases[i].why,
				 why ? why : "(accepted)");
	}
	memset(longer, '1', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	{
		struct ef_vip_key k;
		const char *why = NULL;

		assert_int_equal(ef_vip_parse(longer, &k, &why), -EINVAL);
		assert_string_equal(why, "too long");
	}
}

static void test_endpoint(void **state)
{
	struct ef_addr a;
	const char *why = NULL;
	__u16 port = 0;
	__u8 fam = 0;

	(void)state;
	assert_int_equal(ef_endpoint_parse("10.0.1.1:4242", &a, &fam, &port, &why), 0);
	assert_int_equal(fam, EF_FAMILY_V4);
	assert_int_equal(port, 4242);
	assert_int_equal(ef_endpoint_parse("[::1]:53", &a, &fam, &port, &why), 0);
	assert_int_equal(fam, EF_FAMILY_V6);
	assert_int_equal(port, 53);
	assert_int_equal(a.a8[15], 1);
	assert_int_equal(ef_endpoint_parse("10.0.1.1", &a, &fam, &port, &why), -EINVAL);
	assert_int_equal(ef_endpoint_parse("::1:53", &a, &fam, &port, &why), -EINVAL);
	assert_int_equal(ef_endpoint_parse("10.0.1.1:99999", &a, &fam, &port, &why), -EINVAL);
}

static void test_round_trip(void **state)
{
	/* canonical text: parse -> format gives it back */
	static const char *const canon[] = {
	    "10.0.0.10:80/tcp",
	    "0.0.0.0:0/udp",
	    "255.255.255.255:65535/tcp",
	    "[2001:db8::10]:443/udp",
	    "[::]:0/tcp",
	    "[::ffff:10.0.0.1]:8080/udp",
	    "[fe80::1:2:3:4]:1/tcp",
	    "[2001:db8:1:2:3:4:5:6]:53/udp",
	};
	/* other spellings of the same VIPs */
	static const char *const alias[][2] = {
	    {"[2001:0db8:0000::0010]:443/udp", "[2001:db8::10]:443/udp"},
	    {"[2001:DB8::10]:443/udp", "[2001:db8::10]:443/udp"},
	    {"10.0.0.10:0080/tcp", "10.0.0.10:80/tcp"},
	};
	char buf[EF_VIP_STRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(canon) / sizeof(canon[0]); i++) {
		struct ef_vip_key k, k2;
		const char *why;

		assert_int_equal(ef_vip_parse(canon[i], &k, &why), 0);
		assert_string_equal(ef_vip_str(&k, buf, sizeof(buf)), canon[i]);
		assert_int_equal(ef_vip_parse(buf, &k2, &why), 0);
		assert_memory_equal(&k, &k2, sizeof(k));
	}
	for (i = 0; i < sizeof(alias) / sizeof(alias[0]); i++) {
		struct ef_vip_key k;
		const char *why;

		assert_int_equal(ef_vip_parse(alias[i][0], &k, &why), 0);
		assert_string_equal(ef_vip_str(&k, buf, sizeof(buf)), alias[i][1]);
	}
}

static void test_addr_str(void **state)
{
	struct ef_addr a;
	const char *why;
	char buf[EF_ADDR_STRLEN];
	__u8 fam;

	(void)state;
	assert_int_equal(ef_addr_parse("10.1.2.3", &a, &fam, &why), 0);
	assert_string_equal(ef_addr_str(&a, fam, buf, sizeof(buf)), "10.1.2.3");
	assert_int_equal(ef_addr_parse("2001:db8::ff:0:1", &a, &fam, &why), 0);
	assert_string_equal(ef_addr_str(&a, fam, buf, sizeof(buf)), "2001:db8::ff:0:1");
	/* the longest IPv6 text fits */
	assert_int_equal(
	    ef_addr_parse("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", &a, &fam, &why), 0);
	ef_addr_str(&a, fam, buf, sizeof(buf));
	assert_int_equal(strlen(buf), strlen("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
}

static void test_parse_u32(void **state)
{
	__u32 v = 7;

	(void)state;
	assert_int_equal(ef_parse_u32("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(ef_parse_u32("65535", 1, 65535, &v), 0);
	assert_int_equal(v, 65535);
	assert_int_equal(ef_parse_u32("4294967295", 0, 0xffffffffU, &v), 0);
	assert_int_equal(v, 0xffffffffU);
	assert_int_equal(ef_parse_u32("65536", 1, 65535, &v), -ERANGE);
	assert_int_equal(ef_parse_u32("0", 1, 65535, &v), -ERANGE);
	assert_int_equal(ef_parse_u32("4294967296", 0, 0xffffffffU, &v), -ERANGE);
	assert_int_equal(ef_parse_u32("", 0, 10, &v), -EINVAL);
	assert_int_equal(ef_parse_u32("1a", 0, 10, &v), -EINVAL);
	assert_int_equal(ef_parse_u32("+1", 0, 10, &v), -EINVAL);
	assert_int_equal(ef_parse_u32("-1", 0, 10, &v), -EINVAL);
	assert_int_equal(ef_parse_u32(" 1", 0, 10, &v), -EINVAL);
	assert_int_equal(v, 0xffffffffU); /* untouched by failures */
}

static void test_order(void **state)
{
	struct ef_addr a, b;
	const char *why;
	__u8 fa, fb;

	(void)state;
	/* numeric, not textual: 10.0.0.2 < 10.0.0.10 */
	assert_int_equal(ef_addr_parse("10.0.0.2", &a, &fa, &why), 0);
	assert_int_equal(ef_addr_parse("10.0.0.10", &b, &fb, &why), 0);
	assert_true(ef_addr_cmp(&a, fa, &b, fb) < 0);
	assert_true(ef_addr_cmp(&b, fb, &a, fa) > 0);
	assert_int_equal(ef_addr_cmp(&a, fa, &a, fa), 0);
	/* every IPv4 address before every IPv6 one */
	assert_int_equal(ef_addr_parse("::", &b, &fb, &why), 0);
	assert_true(ef_addr_cmp(&a, fa, &b, fb) < 0);
}

static void test_vip_addr_key(void **state)
{
	struct ef_vip_key k, ak;
	const char *why;

	(void)state;
	assert_int_equal(ef_vip_parse("[2001:db8::10]:443/udp", &k, &why), 0);
	memset(&ak, 0xaa, sizeof(ak));
	ef_vip_addr_key(&k, &ak);
	assert_int_equal(ak.port, 0);
	assert_int_equal(ak.proto, 0);
	assert_int_equal(ak.family, EF_FAMILY_V6);
	assert_memory_equal(&ak.addr, &k.addr, sizeof(k.addr));
}

/* Addresses that can never be a VIP or a backend, and their neighbours
 * that can: the reason names the kind. */
static void test_unusable(void **state)
{
	static const struct {
		const char *addr;
		const char *vip, *backend; /* the reason's start, NULL: usable */
	} rows[] = {
	    {"0.0.0.0", "the unspecified", "the unspecified"},
	    {"0.1.2.3", "a 'this network'", "a 'this network'"},
	    {"1.0.0.0", NULL, NULL},
	    {"255.255.255.255", "the broadcast", "the broadcast"},
	    {"255.255.255.254", NULL, NULL},
	    {"224.0.0.1", "a multicast", "a multicast"},
	    {"239.255.255.255", "a multicast", "a multicast"},
	    {"223.255.255.255", NULL, NULL},
	    {"240.0.0.1", NULL, NULL},
	    {"127.0.0.1", "a loopback", "a loopback"},
	    {"126.255.255.255", NULL, NULL},
	    {"128.0.0.1", NULL, NULL},
	    {"169.254.1.1", "a link-local", NULL},
	    {"169.253.1.1", NULL, NULL},
	    {"10.0.0.10", NULL, NULL},
	    {"::", "the unspecified", "the unspecified"},
	    {"::1", "the loopback", "the loopback"},
	    {"::2", NULL, NULL},
	    {"ff02::1", "a multicast", "a multicast"},
	    {"fe80::1", "a link-local", NULL},
	    {"febf::1", "a link-local", NULL},
	    {"fec0::1", NULL, NULL},
	    {"::ffff:10.0.0.1", "an IPv4-mapped", "an IPv4-mapped"},
	    {"::fffe:10.0.0.1", NULL, NULL},
	    {"2001:db8::10", NULL, NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *want[2] = {rows[i].vip, rows[i].backend}, *why;
		struct ef_addr a;
		__u8 fam;

		assert_int_equal(ef_addr_parse(rows[i].addr, &a, &fam, &why), 0);
		for (int use = EF_ADDR_VIP; use <= EF_ADDR_BACKEND; use++) {
			const char *got = ef_addr_unusable(&a, fam, (enum ef_addr_use)use);

			if (!want[use] != !got ||
			    (got && strncmp(got, want[use], strlen(want[use])))) {
				print_error("%s as %s: got '%s', want '%s'\n", rows[i].addr,
					    use == EF_ADDR_VIP ? "VIP" : "backend",
					    got ? got : "(usable)",
					    want[use] ? want[use] : "(usable)");
				fail();
			}
		}
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ipv4_good),	 cmocka_unit_test(test_ipv6_good),
	    cmocka_unit_test(test_addr_bad),	 cmocka_unit_test(test_vip_good),
	    cmocka_unit_test(test_vip_bad),	 cmocka_unit_test(test_endpoint),
	    cmocka_unit_test(test_round_trip),	 cmocka_unit_test(test_addr_str),
	    cmocka_unit_test(test_parse_u32),	 cmocka_unit_test(test_order),
	    cmocka_unit_test(test_vip_addr_key), cmocka_unit_test(test_unusable),
	};

	if (ef_test_select(argc, argv))
		return 2;
	return cmocka_run_group_tests_name("addr", tests, NULL, NULL);
}
