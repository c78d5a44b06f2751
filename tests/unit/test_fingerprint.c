// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_fingerprint: the sibling-agreement fingerprint (user/fingerprint.c).
 *
 * Equal configurations agree whatever the order of their VIPs and backends;
 * one weight, state, table size or VIP key apart, they differ (that VIP and
 * the whole), and only that VIP; what does not decide a new flow's backend
 * (drain vs down, a weight out of the table, the forwarding mode) does not
 * count. The flow hash, the Maglev fill and the fingerprint of this
 * EF_FLOW_HASH_VERSION are pinned: changing any of them without bumping the
 * version fails here.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../select.h"

#include "core/fingerprint.h"
#include "lib/hash.h"
#include "core/maglev.h"

#define NB 5 /* backends per VIP */
#define NV 3 /* VIPs */

/* One configuration of NV VIPs with NB backends each, storage included. */
struct cfg {
	struct ef_conf conf;
	struct ef_conf_vip vips[NV];
	struct ef_conf_backend bes[NV][NB];
};

static void v4(struct ef_addr *a, __u8 x, __u8 y)
{
	memset(a, 0, sizeof(*a));
	a->a8[0] = 10;
	a->a8[1] = 200;
	a->a8[2] = x;
	a->a8[3] = y;
}

static void v6(struct ef_addr *a, __u8 x, __u8 y)
{
	memset(a, 0, sizeof(*a));
	a->a8[0] = 0xfd;
	a->a8[1] = 0x00;
	a->a8[14] = x;
	a->a8[15] = y;
}

/* VIP 0: 10.0.0.10:80/tcp, VIP 1: 10.0.0.10:443/tcp, VIP 2:
 * [fd00::10]:53/udp; backend j of VIP i at 10.200.i.j / fd00::i:j, weight
 * j + 1, all up. */
static void build(struct cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->conf.vips = c->vips;
	c->conf.n_vips = NV;
	for (int i = 0; i < NV; i++) {
		struct ef_conf_vip *v = &c->vips[i];

		v->key.family = i < 2 ? EF_FAMILY_V4 : EF_FAMILY_V6;
		v->key.proto = i < 2 ? IPPROTO_TCP : IPPROTO_UDP;
		v->key.port = htons(i == 0 ? 80 : i == 1 ? 443 : 53);
		if (i < 2) { /* 10.0.0.10 */
			v->key.addr.a8[0] = 10;
			v->key.addr.a8[3] = 10;
		} else {
			v6(&v->key.addr, 0, 0x10);
		}
		v->backends = c->bes[i];
		v->n_backends = NB;
		for (int j = 0; j < NB; j++) {
			struct ef_conf_backend *b = &c->bes[i][j];

			b->family = v->key.family;
			if (i < 2)
				v4(&b->addr, (__u8)i, (__u8)(j + 1));
			else
				v6(&b->addr, (__u8)i, (__u8)(j + 1));
			b->weight = (__u16)(j + 1);
			b->state = EF_BE_UP;
		}
	}
}

/* The same configuration with VIPs and backends in another order (a
 * rotation by r of each list, and the backends reversed). */
static void shuffled(const struct cfg *src, struct cfg *dst, int r)
{
	memset(dst, 0, sizeof(*dst));
	dst->conf.vips = dst->vips;
	dst->conf.n_vips = NV;
	for (int i = 0; i < NV; i++) {
		int from = (i + r) % NV;

		dst->vips[i] = src->vips[from];
		dst->vips[i].backends = dst->bes[i];
		for (int j = 0; j < NB; j++)
			dst->bes[i][j] = src->bes[from][NB - 1 - (j + r) % NB];
	}
}

/* The VIPs of a and b whose fingerprints differ, as a bit mask. */
static unsigned differing(const struct cfg *a, const struct cfg *b)
{
	__u64 fa[NV], fb[NV];
	unsigned mask = 0;

	ef_fingerprint(&a->conf, fa);
	ef_fingerprint(&b->conf, fb);
	for (int i = 0; i < NV; i++)
		if (fa[i] != fb[i])
			mask |= 1u << i;
	return mask;
}

static void test_equal_in_any_order(void **state)
{
	struct cfg a, b;
	__u64 fa[NV], fb[NV];

	(void)state;
	build(&a);
	for (int r = 0; r < NV * NB; r++) {
		shuffled(&a, &b, r);
		assert_int_equal(ef_fingerprint(&a.conf, fa), ef_fingerprint(&b.conf, fb));
		/* per VIP: b's VIP i is a's VIP (i + r) % NV */
		for (int i = 0; i < NV; i++)
			assert_int_equal(fb[i], fa[(i + r) % NV]);
	}
	/* the per-VIP values are those of ef_fingerprint_vip */
	for (int i = 0; i < NV; i++)
		assert_int_equal(fa[i], ef_fingerprint_vip(&a.vips[i]));
}

static void test_one_weight_differs(void **state)
{
	struct cfg a, b;

	(void)state;
	build(&a);
	build(&b);
	b.bes[1][3].weight++;
	assert_int_equal(differing(&a, &b), 1u << 1);
	assert_int_not_equal(ef_fingerprint(&a.conf, NULL), ef_fingerprint(&b.conf, NULL));
	/* swapping two backends' weights is a different table too */
	build(&b);
	b.bes[2][0].weight = a.bes[2][1].weight;
	b.bes[2][1].weight = a.bes[2][0].weight;
	assert_int_equal(differing(&a, &b), 1u << 2);
}

static void test_one_state_differs(void **state)
{
	static const __u8 out[] = {EF_BE_DRAIN, EF_BE_DOWN};
	struct cfg a, b, c;

	(void)state;
	build(&a);
	for (size_t k = 0; k < sizeof(out); k++) {
		build(&b);
		b.bes[0][2].state = out[k];
		assert_int_equal(differing(&a, &b), 1u << 0);
		assert_int_not_equal(ef_fingerprint(&a.conf, NULL), ef_fingerprint(&b.conf, NULL));
	}
	/* drain and down both leave the table: the same new-flow choices */
	build(&b);
	build(&c);
	b.bes[0][2].state = EF_BE_DRAIN;
	c.bes[0][2].state = EF_BE_DOWN;
	assert_int_equal(differing(&b, &c), 0);
	/* and a weight out of the table builds no slot */
	c.bes[0][2].weight = 999;
	assert_int_equal(differing(&b, &c), 0);
	/* every backend out of the table: still apart from one up */
	build(&b);
	build(&c);
	for (int j = 0; j < NB; j++)
		b.bes[1][j].state = c.bes[1][j].state = EF_BE_DOWN;
	c.bes[1][4].state = EF_BE_UP;
	assert_int_equal(differing(&b, &c), 1u << 1);
}

static void test_table_size(void **state)
{
	struct cfg a, b;

	(void)state;
	build(&a);
	build(&b);
	/* the default for 5 backends is 65537: the same table as asked for */
	b.vips[0].vip.table_size = 65537;
	assert_int_equal(differing(&a, &b), 0);
	b.vips[0].vip.table_size = 131071;
	assert_int_equal(differing(&a, &b), 1u << 0);
	b.vips[0].vip.table_size = 251;
	assert_int_equal(differing(&a, &b), 1u << 0);
}

static void test_key_differs(void **state)
{
	struct cfg a, b;

	(void)state;
	build(&a);
	build(&b);
	b.vips[0].key.port = htons(81);
	assert_int_equal(differing(&a, &b), 1u << 0);
	build(&b);
	b.vips[1].key.proto = IPPROTO_UDP;
	assert_int_equal(differing(&a, &b), 1u << 1);
	build(&b);
	b.vips[2].key.addr.a8[15]++;
	assert_int_equal(differing(&a, &b), 1u << 2);
	/* a backend moved to another address */
	build(&b);
	b.bes[2][0].addr.a8[8] = 1;
	assert_int_equal(differing(&a, &b), 1u << 2);
}

static void test_not_counted(void **state)
{
	struct cfg a, b;

	(void)state;
	build(&a);
	build(&b);
	b.vips[0].vip.forward = EF_FWD_L2;
	b.vips[1].vip.flags = EF_VIP_F_SRC4;
	b.vips[1].vip.src4 = htonl(0x0a000001);
	b.vips[2].vip.id = 7;
	assert_int_equal(differing(&a, &b), 0);
	assert_int_equal(ef_fingerprint(&a.conf, NULL), ef_fingerprint(&b.conf, NULL));
}

static void test_vip_set_differs(void **state)
{
	struct cfg a, b;

	(void)state;
	build(&a);
	build(&b);
	b.conf.n_vips = NV - 1;
	assert_int_not_equal(ef_fingerprint(&a.conf, NULL), ef_fingerprint(&b.conf, NULL));
	a.conf.n_vips = b.conf.n_vips = 0;
	assert_int_equal(ef_fingerprint(&a.conf, NULL), ef_fingerprint(&b.conf, NULL));
}

static void test_str(void **state)
{
	char buf[EF_FINGERPRINT_STRLEN];

	(void)state;
	assert_string_equal(ef_fingerprint_str(0x00ab00cd00ef0012ULL, buf, sizeof(buf)),
			    "00ab00cd00ef0012");
}

/*
 * This version's outputs, pinned. A failure here means the flow hash, the
 * Maglev fill or the fingerprint itself changed: instances built before and
 * after would disagree. If that is meant, bump EF_FLOW_HASH_VERSION
 * (bpf/lib/hash.h) and write the new values here.
 */
static void test_version_pinned(void **state)
{
	struct ef_flow_key k = {};
	struct ef_mg_backend bes[3] = {};
	__u32 *table, h, fp;
	__u64 digest = 0;
	struct cfg c;

	(void)state;
	assert_int_equal(EF_FLOW_HASH_VERSION, 3);

	k.family = EF_FAMILY_V4;
	k.proto = IPPROTO_TCP;
	k.src.a32[0] = htonl(0x0a640002); /* 10.100.0.2:40000 -> 10.0.0.10:80 */
	k.dst.a32[0] = htonl(0x0a00000a);
	k.sport = htons(40000);
	k.dport = htons(80);
	ef_flow_hash2(&k, &h, &fp);
	assert_int_equal(h, 0x14bce611U);
	assert_int_equal(fp, 0xfaeb215fU);

	for (int i = 0; i < 3; i++) {
		bes[i].family = EF_FAMILY_V4;
		bes[i].addr.a32[0] = htonl(0x0ac80002 + ((__u32)(i + 1) << 8));
		bes[i].id = (__u32)i;
		bes[i].weight = (__u16)(i + 1);
		bes[i].state = EF_BE_UP;
	}
	table = malloc(251 * sizeof(*table));
	assert_non_null(table);
	assert_int_equal(ef_maglev_fill(bes, 3, 251, table), 3);
	for (int i = 0; i < 251; i++)
		digest = ef_mix64(digest ^ table[i]) + (__u64)i;
	free(table);
	assert_int_equal(digest, 0x5c4ce5397d65de96ULL);

	build(&c);
	assert_int_equal(ef_fingerprint(&c.conf, NULL), 0xc6ca7fead06905ddULL);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_equal_in_any_order), cmocka_unit_test(test_one_weight_differs),
	    cmocka_unit_test(test_one_state_differs),  cmocka_unit_test(test_table_size),
	    cmocka_unit_test(test_key_differs),	       cmocka_unit_test(test_not_counted),
	    cmocka_unit_test(test_vip_set_differs),    cmocka_unit_test(test_str),
	    cmocka_unit_test(test_version_pinned),
	};

	if (ef_test_select(argc, argv))
		return 2;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
