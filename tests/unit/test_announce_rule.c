// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_announce_rule: which VIP addresses the daemon announces
 * (user/daemon/announce_rule.c).
 *
 * An address qualifies when every VIP on it has min-up backends whose
 * effective state is up and whose verdict is not unhealthy: unchecked
 * counts, drain and down do not, and neither does a backend kept up only
 * because its VIP fails open. Several VIPs on one address make one verdict
 * naming the first VIP that falls short; min-up 0 always qualifies; a
 * detached data plane, maintenance or a stop withdraws every address. The
 * siblings' gate on an address not announced yet: a fresh sibling that
 * agrees lets it through; otherwise it waits for every sibling's fresh poll,
 * and then passes only if none that was read announces the address.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../select.h"

#include "daemon/announce_rule.h"
#include "util/addr.h"

#define NV 4
#define NB 3

/* 10.0.0.10:80/tcp, 10.0.0.10:443/tcp, 10.0.0.11:80/tcp, [fd00::10]:80/tcp
 * (as ef_conf_read sorts them), three backends each, up and healthy. */
struct cfg {
	struct ef_conf conf;
	struct ef_conf_vip vips[NV];
	struct ef_conf_backend bes[NV][NB];
	__u32 min_up[NV];
};

static void build(struct cfg *c)
{
	static const char *vips[NV] = {"10.0.0.10:80/tcp", "10.0.0.10:443/tcp", "10.0.0.11:80/tcp",
				       "[fd00::10]:80/tcp"};
	const char *why;

	memset(c, 0, sizeof(*c));
	c->conf.vips = c->vips;
	c->conf.n_vips = NV;
	for (int i = 0; i < NV; i++) {
		assert_int_equal(ef_vip_parse(vips[i], &c->vips[i].key, &why), 0);
		c->vips[i].backends = c->bes[i];
		c->vips[i].n_backends = NB;
		c->min_up[i] = 1;
		for (int j = 0; j < NB; j++) {
			struct ef_conf_backend *b = &c->bes[i][j];

			b->family = EF_FAMILY_V4;
			b->addr.a32[0] = htonl(0x0ac80000 | (uint32_t)(i << 8 | j));
			b->weight = 1;
			b->admin = b->state = EF_BE_UP;
			b->health = EF_HEALTH_HEALTHY;
		}
	}
}

static struct ef_ann_verdict *decide(struct cfg *c, enum ef_ann_why global, size_t *n)
{
	struct ef_ann_verdict *v;

	assert_int_equal(ef_ann_decide(&c->conf, c->min_up, global, &v, n), 0);
	return v;
}

static void test_all_healthy(void **state)
{
	struct ef_ann_verdict *v;
	struct cfg c;
	char a[EF_ADDR_STRLEN];
	size_t n;

	(void)state;
	build(&c);
	v = decide(&c, EF_ANN_YES, &n);
	assert_int_equal(n, 3); /* 10.0.0.10 (two VIPs), 10.0.0.11, fd00::10 */
	assert_string_equal(ef_addr_str(&v[0].addr.addr, v[0].addr.family, a, sizeof(a)),
			    "10.0.0.10");
	assert_int_equal(v[0].n_vips, 2);
	assert_string_equal(ef_addr_str(&v[1].addr.addr, v[1].addr.family, a, sizeof(a)),
			    "10.0.0.11");
	assert_string_equal(ef_addr_str(&v[2].addr.addr, v[2].addr.family, a, sizeof(a)),
			    "fd00::10");
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v[i].why, EF_ANN_YES);
	free(v);
}

/* What counts toward min-up. */
static void test_counts(void **state)
{
	struct cfg c;

	(void)state;
	build(&c);
	assert_int_equal(ef_ann_healthy(&c.vips[0]), 3);
	c.bes[0][0].health = EF_HEALTH_UNCHECKED; /* no check: counts */
	c.bes[0][1].state = EF_BE_DRAIN;	  /* takes no new flows */
	c.bes[0][2].state = EF_BE_DOWN;
	assert_int_equal(ef_ann_healthy(&c.vips[0]), 1);
	/* failing open: state up, verdict unhealthy */
	build(&c);
	for (int j = 0; j < NB; j++)
		c.bes[0][j].health = EF_HEALTH_UNHEALTHY;
	c.vips[0].vip.flags |= EF_VIP_F_FAIL_OPEN;
	assert_int_equal(ef_ann_healthy(&c.vips[0]), 0);
}

/* One VIP of a shared address falls short: the address goes, naming it;
 * the other addresses stay. */
static void test_shared_address(void **state)
{
	struct ef_ann_verdict *v;
	struct cfg c;
	size_t n;

	(void)state;
	build(&c);
	for (int j = 0; j < NB; j++)
		c.bes[1][j].health = EF_HEALTH_UNHEALTHY; /* 10.0.0.10:443, failing open */
	c.vips[1].vip.flags |= EF_VIP_F_FAIL_OPEN;
	v = decide(&c, EF_ANN_YES, &n);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].why, EF_ANN_TOO_FEW);
	assert_memory_equal(&v[0].vip, &c.vips[1].key, sizeof(v[0].vip));
	assert_int_equal(v[0].healthy, 0);
	assert_int_equal(v[0].min_up, 1);
	assert_int_equal(v[1].why, EF_ANN_YES);
	assert_int_equal(v[2].why, EF_ANN_YES);
	free(v);

	/* min-up 0 on that VIP: it never withdraws the address */
	c.min_up[1] = 0;
	v = decide(&c, EF_ANN_YES, &n);
	assert_int_equal(v[0].why, EF_ANN_YES);
	free(v);
}

/* min-up is the number of backends that must qualify. */
static void test_min_up(void **state)
{
	struct ef_ann_verdict *v;
	struct cfg c;
	size_t n;

	(void)state;
	build(&c);
	c.bes[2][0].state = EF_BE_DOWN; /* 10.0.0.11: 2 of 3 */
	c.min_up[2] = 2;
	v = decide(&c, EF_ANN_YES, &n);
	assert_int_equal(v[1].why, EF_ANN_YES);
	free(v);
	c.min_up[2] = 3;
	v = decide(&c, EF_ANN_YES, &n);
	assert_int_equal(v[1].why, EF_ANN_TOO_FEW);
	assert_int_equal(v[1].healthy, 2);
	assert_int_equal(v[1].min_up, 3);
	free(v);
}

/* Detached, maintenance or stopping: every address, whatever its VIPs. */
static void test_global(void **state)
{
	static const enum ef_ann_why whys[] = {EF_ANN_DETACHED, EF_ANN_MAINTENANCE,
					       EF_ANN_STOPPING};
	struct ef_ann_verdict *v;
	struct cfg c;
	size_t n;

	(void)state;
	build(&c);
	for (size_t k = 0; k < sizeof(whys) / sizeof(whys[0]); k++) {
		v = decide(&c, whys[k], &n);
		assert_int_equal(n, 3);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(v[i].why, whys[k]);
		free(v);
	}
	c.conf.n_vips = 0;
	v = decide(&c, EF_ANN_YES, &n);
	assert_int_equal(n, 0);
	assert_null(v);
}

static void test_gate(void **state)
{
	struct ef_ann_peer p[3];

	(void)state;
	assert_int_equal(ef_ann_gate(NULL, 0), EF_ANN_YES); /* no sibling */
	/* one fresh and agreeing is enough, whatever the others */
	memset(p, 0, sizeof(p));
	p[1] = (struct ef_ann_peer){.fresh = true, .read = true, .agrees = true, .announces = true};
	assert_int_equal(ef_ann_gate(p, 3), EF_ANN_YES);
	/* a stale poll (before the address qualified) waits */
	p[1].fresh = false;
	assert_int_equal(ef_ann_gate(p, 3), EF_ANN_SIBLINGS);
	/* all fresh, read, announcing it with other fingerprints: waits */
	for (int i = 0; i < 3; i++)
		p[i] = (struct ef_ann_peer){.fresh = true, .read = true, .announces = true};
	assert_int_equal(ef_ann_gate(p, 3), EF_ANN_SIBLINGS);
	/* ... none announcing it (nobody serves it): goes */
	for (int i = 0; i < 3; i++)
		p[i].announces = false;
	assert_int_equal(ef_ann_gate(p, 3), EF_ANN_YES);
	/* all fresh, none can be read (the others are down): goes */
	for (int i = 0; i < 3; i++)
		p[i] = (struct ef_ann_peer){.fresh = true};
	assert_int_equal(ef_ann_gate(p, 3), EF_ANN_YES);
	/* ... but one not polled since: waits */
	p[2].fresh = false;
	assert_int_equal(ef_ann_gate(p, 3), EF_ANN_SIBLINGS);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_all_healthy),	   cmocka_unit_test(test_counts),
	    cmocka_unit_test(test_shared_address), cmocka_unit_test(test_min_up),
	    cmocka_unit_test(test_global),	   cmocka_unit_test(test_gate),
	};

	if (ef_test_select(argc, argv))
		return 2;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
