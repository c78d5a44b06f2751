// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_sibling: a sibling's metrics page read (user/core/sibling.c), as
 * `evenflow check --peer` and the daemon read it, and compared with the
 * running configuration.
 *
 * The page is the one this evenflow writes (core/metrics.c over a snapshot
 * of a configuration): read back, every VIP agrees with that configuration;
 * one weight apart, that VIP and only it differs; a VIP on one side only is
 * named as such. Hand-written lines: labels in any order, escapes, extra
 * labels and a timestamp are read, and which addresses the sibling's
 * daemon announces; names that only start like ours are
 * skipped; a malformed fingerprint line, a page that is not evenflow's and
 * a VIP listed twice are refused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../select.h"

#include "core/fingerprint.h"
#include "core/metrics.h"
#include "core/sibling.h"
#include "core/snapshot.h"
#include "lib/hash.h"
#include "util/addr.h"

#define NV 2
#define NB 3

/* Two VIPs (10.0.0.10:80/tcp, [fd00::10]:443/tcp), three backends each. */
struct cfg {
	struct ef_conf conf;
	struct ef_conf_vip vips[NV];
	struct ef_conf_backend bes[NV][NB];
};

static void build(struct cfg *c)
{
	const char *vips[NV] = {"10.0.0.10:80/tcp", "[fd00::10]:443/tcp"};
	const char *why;

	memset(c, 0, sizeof(*c));
	c->conf.vips = c->vips;
	c->conf.n_vips = NV;
	for (int i = 0; i < NV; i++) {
		assert_int_equal(ef_vip_parse(vips[i], &c->vips[i].key, &why), 0);
		c->vips[i].backends = c->bes[i];
		c->vips[i].n_backends = NB;
		for (int j = 0; j < NB; j++) {
			struct ef_conf_backend *b = &c->bes[i][j];
			char a[64];

			snprintf(a, sizeof(a), i ? "fd00:200::%d" : "10.200.%d.2", j + 1);
			assert_int_equal(ef_addr_parse(a, &b->addr, &b->family, &why), 0);
			b->weight = 1;
			b->admin = b->state = EF_BE_UP;
		}
	}
}

/* The page this evenflow serves for configuration c (core/metrics.c over a
 * snapshot holding c's VIPs and fingerprints). */
static char *page_of(const struct ef_conf *c, size_t *len)
{
	struct ef_snap_vip sv[NV] = {};
	struct ef_snap s = {.vips = sv, .n_vips = c->n_vips};
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	assert_non_null(f);
	for (size_t i = 0; i < c->n_vips; i++) {
		sv[i].key = c->vips[i].key;
		ef_vip_str(&sv[i].key, sv[i].name, sizeof(sv[i].name));
		sv[i].fingerprint = ef_fingerprint_vip(&c->vips[i]);
		sv[i].has_fingerprint = true;
	}
	s.fingerprint = ef_fingerprint(c, NULL);
	assert_int_equal(ef_metrics_write(f, &s, NULL, 10), 0);
	assert_int_equal(fclose(f), 0);
	return text;
}

/* The comparison of here with the page of there. */
static size_t compare(const struct ef_conf *here, const struct ef_conf *there,
		      struct ef_sib_cmp **cmp)
{
	struct ef_sib_page pg;
	const char *why = NULL;
	size_t len, n;
	char *text = page_of(there, &len);

	ef_sib_page_init(&pg);
	assert_int_equal(ef_sib_page_parse(&pg, text, len, &why), 0);
	assert_int_equal(ef_sib_page_done(&pg, &why), 0);
	assert_true(pg.loaded);
	assert_true(pg.build_seen);
	assert_int_equal(pg.flow_hash_version, EF_FLOW_HASH_VERSION);
	assert_string_equal(pg.version, EF_VERSION);
	assert_int_equal(ef_sib_compare(here, &pg, cmp, &n), 0);
	ef_sib_page_free(&pg);
	free(text);
	return n;
}

static void test_own_page(void **state)
{
	struct cfg a, b;
	struct ef_sib_cmp *cmp;
	size_t n;

	(void)state;
	build(&a);
	build(&b);
	n = compare(&a.conf, &b.conf, &cmp);
	assert_int_equal(n, NV);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(cmp[i].diff, EF_SIB_SAME);
		assert_true(cmp[i].here == ef_fingerprint_vip(&a.vips[i]));
	}
	free(cmp);

	/* one weight apart: that VIP differs, the other agrees */
	b.bes[1][2].weight = 2;
	n = compare(&a.conf, &b.conf, &cmp);
	assert_int_equal(n, NV);
	assert_int_equal(cmp[0].diff, EF_SIB_SAME);
	assert_int_equal(cmp[1].diff, EF_SIB_DIFFERS);
	assert_memory_equal(&cmp[1].key, &a.vips[1].key, sizeof(cmp[1].key));
	assert_true(cmp[1].here == ef_fingerprint_vip(&a.vips[1]));
	assert_true(cmp[1].there == ef_fingerprint_vip(&b.vips[1]));
	free(cmp);

	/* a VIP only here, then only there */
	b.bes[1][2].weight = 1;
	b.conf.n_vips = 1;
	n = compare(&a.conf, &b.conf, &cmp);
	assert_int_equal(n, NV);
	assert_int_equal(cmp[0].diff, EF_SIB_SAME);
	assert_int_equal(cmp[1].diff, EF_SIB_ONLY_HERE);
	assert_true(cmp[1].there == 0);
	free(cmp);
	n = compare(&b.conf, &a.conf, &cmp);
	assert_int_equal(n, NV);
	assert_int_equal(cmp[1].diff, EF_SIB_ONLY_THERE);
	assert_true(cmp[1].here == 0);
	free(cmp);
}

static void test_lines(void **state)
{
	static const char page[] =
	    "# HELP evenflow_vip_fingerprint_info x\n"
	    "# TYPE evenflow_vip_fingerprint_info gauge\n"
	    "evenflow_vip_fingerprint_info{fingerprint=\"00000000000000AB\",vip=\"10.0.0.10:80/"
	    "tcp\"} 1\n"
	    "evenflow_vip_fingerprint_info{zone=\"a\\\"b\\\\c,d\\n\",vip=\"[fd00::10]:443/udp\","
	    "fingerprint=\"ffffffffffffffff\",} 1 1700000000000\n"
	    "evenflow_vip_fingerprint_info_total{vip=\"x\"} 3\n"
	    "evenflow_build_info{version=\"9.9\",flow_hash_version=\"7\"} 1\n"
	    "evenflow_backend_weight{vip=\"10.0.0.10:80/tcp\",backend=\"10.200.1.2\"} 1\n"
	    "evenflow_address_announced{address=\"10.0.0.10\"} 1\n"
	    "evenflow_address_announced{address=\"fd00::10\"} 0\n"
	    "evenflow_dataplane_loaded 1";
	struct ef_sib_page pg;
	const char *why = NULL;

	(void)state;
	ef_sib_page_init(&pg);
	assert_int_equal(ef_sib_page_parse(&pg, page, strlen(page), &why), 0);
	assert_int_equal(ef_sib_page_done(&pg, &why), 0);
	assert_int_equal(pg.n_vips, 2);
	assert_true(pg.vips[0].fp == 0xab);
	assert_int_equal(pg.vips[0].key.port, htons(80));
	assert_true(pg.vips[1].fp == ~0ULL);
	assert_int_equal(pg.vips[1].key.proto, IPPROTO_UDP);
	assert_int_equal(pg.flow_hash_version, 7);
	assert_string_equal(pg.version, "9.9");
	assert_true(pg.loaded);
	assert_true(ef_sib_announces(&pg, &pg.vips[0].key.addr, EF_FAMILY_V4));
	assert_false(ef_sib_announces(&pg, &pg.vips[1].key.addr, EF_FAMILY_V6));
	ef_sib_page_free(&pg);
}

struct bad {
	const char *page;
	int err;
	const char *why;
};

static const struct bad bads[] = {
    {"evenflow_vip_fingerprint_info{vip=\"10.0.0.10:80/tcp\",fingerprint=\"abc\"} 1\n", -EINVAL,
     "a fingerprint that is not 16 hex digits"},
    {"evenflow_vip_fingerprint_info{vip=\"10.0.0.10:80/tcp\",fingerprint=\"000000000000000g\"} 1\n",
     -EINVAL, "a fingerprint that is not 16 hex digits"},
    {"evenflow_vip_fingerprint_info{vip=\"10.0.0.10:80/tcp\"} 1\n", -EINVAL,
     "a fingerprint line without its vip and fingerprint labels"},
    {"evenflow_vip_fingerprint_info{vip=\"10.0.0.10:80/tcp\",fingerprint=\"0000000000000001} 1\n",
     -EINVAL, "a fingerprint line without its vip and fingerprint labels"},
    {"evenflow_vip_fingerprint_info{vip=\"10.0.0.300:80/tcp\",fingerprint=\"0000000000000001\"} "
     "1\n",
     -EINVAL, "a fingerprint line whose vip label is not a VIP"},
    {"evenflow_build_info{version=\"1\"} 1\n", -EINVAL,
     "a build_info line without its flow_hash_version label"},
    {"evenflow_dataplane_loaded yes\n", -EINVAL,
     "an evenflow_dataplane_loaded line without 0 or 1"},
    {"evenflow_address_announced{address=\"10.0.0.300\"} 1\n", -EINVAL,
     "an evenflow_address_announced line without an address label"},
    {"evenflow_address_announced{address=\"10.0.0.3\"}\n", -EINVAL,
     "an evenflow_address_announced line without 0 or 1"},
    {"<html>not found</html>\n", -EPROTO,
     "no evenflow_dataplane_loaded line: not an evenflow metrics page"},
    {"evenflow_dataplane_loaded 1\n"
     "evenflow_vip_fingerprint_info{vip=\"10.0.0.10:80/tcp\",fingerprint=\"0000000000000001\"} 1\n"
     "evenflow_vip_fingerprint_info{vip=\"10.0.0.10:80/tcp\",fingerprint=\"0000000000000002\"} 1\n",
     -EPROTO, "a VIP listed twice"},
};

static void test_bad(void **state)
{
	size_t failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct ef_sib_page pg;
		const char *why = "";
		int err;

		ef_sib_page_init(&pg);
		err = ef_sib_page_parse(&pg, bads[i].page, strlen(bads[i].page), &why);
		if (!err)
			err = ef_sib_page_done(&pg, &why);
		if (err != bads[i].err || strcmp(why, bads[i].why)) {
			print_error("case %zu: got %d '%s', want %d '%s'\n", i, err, why,
				    bads[i].err, bads[i].why);
			failed++;
		}
		ef_sib_page_free(&pg);
	}
	assert_int_equal(failed, 0);
}

/* A page of a sibling whose data plane is not loaded: every VIP of ours is
 * missing there. */
static void test_not_loaded(void **state)
{
	static const char page[] = "evenflow_build_info{version=\"1\",flow_hash_version=\"3\"} 1\n"
				   "evenflow_dataplane_loaded 0\n";
	struct ef_sib_page pg;
	struct ef_sib_cmp *cmp;
	const char *why;
	struct cfg a;
	size_t n;

	(void)state;
	build(&a);
	ef_sib_page_init(&pg);
	assert_int_equal(ef_sib_page_parse(&pg, page, strlen(page), &why), 0);
	assert_int_equal(ef_sib_page_done(&pg, &why), 0);
	assert_false(pg.loaded);
	assert_int_equal(ef_sib_compare(&a.conf, &pg, &cmp, &n), 0);
	assert_int_equal(n, NV);
	assert_int_equal(cmp[0].diff, EF_SIB_ONLY_HERE);
	assert_int_equal(cmp[1].diff, EF_SIB_ONLY_HERE);
	free(cmp);
	ef_sib_page_free(&pg);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_own_page),
	    cmocka_unit_test(test_lines),
	    cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_not_loaded),
	};

	if (ef_test_select(argc, argv))
		return 2;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
