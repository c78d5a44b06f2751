// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_safety: the one safety check (user/core/safety.c) on the changes an
 * operator makes, from issue 11's list of what must pass and what must be
 * refused, and the effective states with the fail-open rule
 * (user/core/model.c, ef_conf_effective).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../select.h"

#include "core/model.h"
#include "core/plan.h"
#include "core/safety.h"

/* The tables below name only the fields a case is about. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define MAXB 8

/* A VIP 10.0.0.<vip>:80/tcp with backends {weight, admin state, health,
 * address 10.1.0.<id> (default: its place, from 1)}; weight 0 ends the
 * list. */
struct be_spec {
	__u16 w;
	__u8 admin, health, id;
};

struct vip_spec {
	__u8 vip; /* 0 ends the list */
	struct be_spec bes[MAXB];
	__u32 table_size;
};

struct conf_buf {
	struct ef_conf c;
	struct ef_conf_vip v[4];
	struct ef_conf_backend b[4][MAXB];
};

static void build(struct conf_buf *cb, const struct vip_spec *vs)
{
	memset(cb, 0, sizeof(*cb));
	cb->c.vips = cb->v;
	for (size_t i = 0; i < 4 && vs[i].vip; i++) {
		struct ef_conf_vip *v = &cb->v[cb->c.n_vips++];

		v->key.family = EF_FAMILY_V4;
		v->key.addr.a32[0] = htonl(0x0a000000 | vs[i].vip);
		v->key.port = htons(80);
		v->key.proto = IPPROTO_TCP;
		v->vip.table_size = vs[i].table_size;
		v->backends = cb->b[i];
		for (size_t j = 0; j < MAXB && vs[i].bes[j].w; j++) {
			struct ef_conf_backend *b = &cb->b[i][v->n_backends++];

			b->family = EF_FAMILY_V4;
			b->addr.a32[0] =
			    htonl(0x0a010000 + (vs[i].bes[j].id ? vs[i].bes[j].id : j + 1));
			b->weight = vs[i].bes[j].w;
			b->admin = vs[i].bes[j].admin ? vs[i].bes[j].admin : EF_BE_UP;
			b->health = vs[i].bes[j].health;
		}
	}
}

/* running -> want through the safety check with the default limits: the
 * refusals, joined by " | " into out. */
static size_t judge(const struct vip_spec *running, const struct vip_spec *want,
		    const struct ef_removals *removals, char *out, size_t len)
{
	struct conf_buf r, w;
	struct ef_safety lim;
	struct ef_plan plan;
	size_t n, o = 0;

	build(&r, running);
	build(&w, want);
	ef_conf_effective(&r.c, NULL);
	ef_safety_default(&lim);
	assert_int_equal(ef_safety_plan(&r.c, &w.c, &lim, removals, &plan), 0);
	out[0] = '\0';
	for (size_t i = 0; i < plan.n_warnings; i++)
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? " | " : "", plan.warnings[i]);
	n = plan.n_warnings;
	ef_plan_free(&plan);
	return n;
}

#define UP    EF_BE_UP
#define DRAIN EF_BE_DRAIN
#define DOWN  EF_BE_DOWN

struct change {
	const char *name;
	struct vip_spec running[2], want[2];
	const char *refusal; /* NULL: must pass; else a part of the first refusal */
};

static const struct change changes[] = {
    /* what must pass */
    {"drain one of 1:1:3", {{1, {{1}, {1}, {3}}}}, {{1, {{1, DRAIN}, {1}, {3}}}}, NULL},
    {"remove a drained backend",
     {{1, {{1, DRAIN}, {1}, {3}}}},
     {{1, {{1, UP, 0, 2}, {3, UP, 0, 3}}}},
     NULL},
    {"re-add a backend (lowers the big one's share)",
     {{1, {{1, UP, 0, 2}, {3, UP, 0, 3}}}},
     {{1, {{1}, {1}, {3}}}},
     NULL},
    {"drain one of three equal", {{1, {{1}, {1}, {1}}}}, {{1, {{1}, {1}, {1, DRAIN}}}}, NULL},
    {"drain two of four equal (each of the others doubles, +25 points)",
     {{1, {{1}, {1}, {1}, {1}}}},
     {{1, {{1}, {1}, {1, DOWN}, {1, DRAIN}}}},
     NULL},
    {"a second backend for a VIP of one", {{1, {{1}}}}, {{1, {{1}, {1}}}}, NULL},
    {"gradual weight changes: 1:1:1 -> 1:1:2",
     {{1, {{1}, {1}, {1}}}},
     {{1, {{1}, {1}, {2}}}},
     NULL},
    {"a new VIP of weights 10:10:20", {{0}}, {{2, {{10}, {10}, {20}}}}, NULL},
    {"the running configuration again", {{1, {{1}, {1}, {3}}}}, {{1, {{1}, {1}, {3}}}}, NULL},
    {"an up backend unhealthy and another taking its share",
     {{1, {{1}, {1}, {1}}}},
     {{1, {{1}, {1}, {1, UP, EF_HEALTH_UNHEALTHY}}}},
     NULL},
    /* what must be refused */
    {"1:1:1 -> 1:1:100",
     {{1, {{1}, {1}, {1}}}},
     {{1, {{1}, {1}, {100}}}},
     "backend 10.1.0.3 would take 98.0% of new flows (now 33.3%): more than twice its share"},
    {"--weight 65535 among weight-1 siblings",
     {{1, {{1}, {1}, {1}}}},
     {{1, {{1}, {65535}, {1}}}},
     "backend 10.1.0.2 would take 100.0% of new flows (now 33.3%)"},
    {"drain two of three",
     {{1, {{1}, {1}, {1}}}},
     {{1, {{1, DRAIN}, {1}, {1, DRAIN}}}},
     "backend 10.1.0.2 would take 100.0% of new flows (now 33.3%): more than twice"},
    {"drain one of two",
     {{1, {{1}, {1}}}},
     {{1, {{1, DRAIN}, {1}}}},
     "would take 100.0% of new flows (now 50.0%): more than 25 points more"},
    {"every backend down",
     {{1, {{1}, {1}, {1}}}},
     {{1, {{1, DOWN}, {1, DOWN}, {1, DOWN}}}},
     "vip 10.0.0.1:80/tcp would have no backend up (now 3)"},
    {"a new VIP with the typo 1000 for 10",
     {{0}},
     {{2, {{10}, {10}, {1000}}}},
     "backend 10.1.0.3 would take 98.0% of new flows (now 0.0%): its weight 1000 is over 10 "
     "times its siblings' (median 10)"},
    {"a new backend of weight 1000 among 10s",
     {{1, {{10}, {10}}}},
     {{1, {{10}, {10}, {1000}}}},
     "its weight 1000 is over 10 times its siblings'"},
    {"an empty file",
     {{1, {{1}, {1}, {3}}}, {3, {{1}}}},
     {{0}},
     "would remove 2 VIPs (10.0.0.1:80/tcp, 10.0.0.3:80/tcp): name them with --remove VIP or "
     "use --force"},
    {"a smaller table moves most flows",
     {{1, {{1}, {1}, {1}, {1}}}},
     {{1, {{1}, {1}, {1}, {1}}, 251}},
     "of the slots of 10.0.0.1:80/tcp would move (limit 50%, apply.max-move)"},
};

static void test_changes(void **state)
{
	size_t failed = 0;
	char got[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		const struct change *c = &changes[i];
		size_t n = judge(c->running, c->want, NULL, got, sizeof(got));
		bool ok = c->refusal ? n && strstr(got, c->refusal) : !n;

		if (!ok) {
			print_error("%s: got '%s'\n    want %s%s%s\n", c->name, n ? got : "(pass)",
				    c->refusal ? "'" : "", c->refusal ? c->refusal : "a pass",
				    c->refusal ? "'" : "");
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

/* The removals the operator names are not refused; the others are. */
static void test_named_removal(void **state)
{
	const struct vip_spec running[] = {{1, {{1}}}, {3, {{1}}}, {0}}, none[] = {{0}};
	struct ef_vip_key one = {.family = EF_FAMILY_V4, .proto = IPPROTO_TCP};
	const struct ef_removals named = {.keys = &one, .n = 1};
	char got[512];

	(void)state;
	one.addr.a32[0] = htonl(0x0a000001);
	one.port = htons(80);
	assert_int_equal(judge(running, none, &named, got, sizeof(got)), 1);
	assert_string_equal(got, "would remove 1 VIP (10.0.0.3:80/tcp): name them with --remove "
				 "VIP or use --force");
}

/* ---- Effective states ---- */

/* The effective states of want's first VIP after ef_conf_effective against
 * running, as a string of u/d/D (up, drain, down), and its fail-open flag. */
static bool effective(const struct vip_spec *running, const struct vip_spec *want, char *out)
{
	struct conf_buf r, w;

	build(&r, running);
	build(&w, want);
	ef_conf_effective(&r.c, NULL);
	ef_conf_effective(&w.c, &r.c);
	for (size_t j = 0; j < w.v[0].n_backends; j++)
		out[j] = "?udD"[w.b[0][j].state];
	out[w.v[0].n_backends] = '\0';
	return w.v[0].vip.flags & EF_VIP_F_FAIL_OPEN;
}

#define BAD EF_HEALTH_UNHEALTHY
#define OK  EF_HEALTH_HEALTHY

static void test_effective(void **state)
{
	char got[MAXB + 1];

	(void)state;
	/* the operator's drain or down wins over any verdict */
	assert_false(effective(
	    (struct vip_spec[]){{1, {{1}, {1}, {1}}}, {0}},
	    (struct vip_spec[]){{1, {{1, DRAIN, BAD}, {1, DOWN, OK}, {1, UP, OK}}}, {0}}, got));
	assert_string_equal(got, "dDu");
	/* up and unhealthy: down */
	assert_false(effective((struct vip_spec[]){{1, {{1}, {1}}}, {0}},
			       (struct vip_spec[]){{1, {{1, UP, BAD}, {1}}}, {0}}, got));
	assert_string_equal(got, "Du");
	/* all unhealthy at once: the ones up now stay up (fail open) */
	assert_true(effective(
	    (struct vip_spec[]){{1, {{1}, {1}, {1, UP, BAD}}}, {0}},
	    (struct vip_spec[]){{1, {{1, UP, BAD}, {1, UP, BAD}, {1, UP, BAD}}}, {0}}, got));
	assert_string_equal(got, "uuD");
	/* the last good one fails too: it stays */
	assert_true(effective(
	    (struct vip_spec[]){{1, {{1, UP, BAD}, {1}, {1, UP, BAD}}}, {0}},
	    (struct vip_spec[]){{1, {{1, UP, BAD}, {1, UP, BAD}, {1, UP, BAD}}}, {0}}, got));
	assert_string_equal(got, "DuD");
	/* nothing up to keep (a first start with every check failing): every
	 * admin-up backend */
	assert_true(effective(
	    (struct vip_spec[]){{0}, {0}},
	    (struct vip_spec[]){{1, {{1, UP, BAD}, {1, DRAIN, BAD}, {1, UP, BAD}}}, {0}}, got));
	assert_string_equal(got, "udu");
	/* a backend healthy again: fail open ends */
	assert_false(effective((struct vip_spec[]){{1, {{1, UP, BAD}, {1, UP, BAD}}}, {0}},
			       (struct vip_spec[]){{1, {{1, UP, BAD}, {1, UP, OK}}}, {0}}, got));
	assert_string_equal(got, "Du");
	/* the operator drains every backend: dark by choice, not failing open */
	assert_false(effective((struct vip_spec[]){{1, {{1}, {1}}}, {0}},
			       (struct vip_spec[]){{1, {{1, DRAIN, BAD}, {1, DOWN}}}, {0}}, got));
	assert_string_equal(got, "dD");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_changes),
	    cmocka_unit_test(test_named_removal),
	    cmocka_unit_test(test_effective),
	};

	if (ef_test_select(argc, argv))
		return 2;
	return cmocka_run_group_tests_name("safety", tests, NULL, NULL);
}
