// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* plan.c: a configuration change computed in memory; see plan.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/maglev.h"
#include "core/model.h"
#include "core/plan.h"
#include "util/addr.h"
#include "util/log.h"

/* Sample hashes when the two tables differ in size. */
#define PLAN_SAMPLES (1U << 20)

const char *ef_plan_change_str(__u8 change)
{
	switch (change) {
	case EF_PLAN_ADDED:
		return "added";
	case EF_PLAN_REMOVED:
		return "removed";
	case EF_PLAN_CHANGED:
		return "changed";
	default:
		return "unchanged";
	}
}

static bool settings_equal(const struct ef_vip *a, const struct ef_vip *b)
{
	__u8 fa = a->flags & ~EF_VIP_F_FAIL_OPEN, fb = b->flags & ~EF_VIP_F_FAIL_OPEN;

	return a->forward == b->forward && a->table_size == b->table_size && fa == fb &&
	       (!(a->flags & EF_VIP_F_SRC4) || a->src4 == b->src4) &&
	       (!(a->flags & EF_VIP_F_SRC6) || !memcmp(&a->src6, &b->src6, sizeof(a->src6)));
}

static bool backends_equal(const struct ef_conf_vip *a, const struct ef_conf_vip *b)
{
	size_t i;

	if (a->n_backends != b->n_backends)
		return false;
	for (i = 0; i < a->n_backends; i++) {
		const struct ef_conf_backend *x = &a->backends[i];
		const struct ef_conf_backend *y = ef_conf_find_backend(b, &x->addr, x->family);

		if (!y || y->weight != x->weight || y->state != x->state || y->admin != x->admin ||
		    y->health != x->health)
			return false;
	}
	return true;
}

static int cmp_pbe(const void *a, const void *b)
{
	const struct ef_plan_backend *x = a, *y = b;

	return ef_addr_cmp(&x->addr, x->family, &y->addr, y->family);
}

/* The table of one side (before: state_before/weight_before) with slot
 * values = index into bes; *size 0 when the VIP is absent on that side. */
static int fill_side(const struct ef_plan_vip *pv, const struct ef_conf_vip *cv, bool before,
		     __u32 **table, __u32 *size, size_t *up)
{
	struct ef_mg_backend *mg;
	size_t i, n = 0;
	__u32 m;
	int r;

	*table = NULL;
	*size = 0;
	*up = 0;
	if (!cv)
		return 0;
	m = ef_vip_table_size(&cv->vip, cv->n_backends);
	if (!m || ef_maglev_check_size(m))
		return -EINVAL;
	mg = calloc(pv->n_bes ? pv->n_bes : 1, sizeof(*mg));
	*table = malloc((size_t)m * sizeof(**table));
	if (!mg || !*table) {
		free(mg);
		free(*table);
		*table = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < pv->n_bes; i++) {
		const struct ef_plan_backend *b = &pv->bes[i];
		__u8 st = before ? b->state_before : b->state_after;

		if (st == EF_BE_FREE)
			continue;
		mg[n].addr = b->addr;
		mg[n].family = b->family;
		mg[n].id = (__u32)i;
		mg[n].state = st;
		mg[n].weight = before ? b->weight_before : b->weight_after;
		n++;
	}
	r = ef_maglev_fill(mg, n, m, *table);
	free(mg);
	if (r < 0) {
		free(*table);
		*table = NULL;
		return r;
	}
	*up = (size_t)r;
	*size = m;
	return 0;
}

static void shares(struct ef_plan_vip *pv, const __u32 *t, __u32 m, bool before)
{
	size_t *cnt = calloc(pv->n_bes ? pv->n_bes : 1, sizeof(*cnt)), i;
	__u32 s;

	if (!cnt)
		return;
	for (s = 0; s < m; s++)
		if (t[s] < pv->n_bes)
			cnt[t[s]]++;
	for (i = 0; i < pv->n_bes; i++) {
		double v = m ? (double)cnt[i] / m : 0.0;

		if (before)
			pv->bes[i].share_before = v;
		else
			pv->bes[i].share_after = v;
	}
	free(cnt);
}

/* splitmix64: the sample hashes. */
static __u64 mix(__u64 *x)
{
	__u64 z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void moved(struct ef_plan_vip *pv, const __u32 *a, __u32 ma, const __u32 *b, __u32 mb)
{
	__u64 held = 0, diff = 0, x = 42, i;

	if (!a || !b)
		return;
	if (ma == mb) {
		for (i = 0; i < ma; i++)
			if (a[i] != EF_NO_BACKEND) {
				held++;
				diff += a[i] != b[i];
			}
	} else {
		pv->moved_sampled = true;
		for (i = 0; i < PLAN_SAMPLES; i++) {
			__u32 h = (__u32)mix(&x), sa = a[h % ma];

			if (sa != EF_NO_BACKEND) {
				held++;
				diff += sa != b[h % mb];
			}
		}
	}
	pv->moved = held ? (double)diff / (double)held : 0.0;
}

/* Backends of both sides, in address order. */
static int merge_backends(struct ef_plan_vip *pv, const struct ef_conf_vip *old,
			  const struct ef_conf_vip *new)
{
	size_t cap = (old ? old->n_backends : 0) + (new ? new->n_backends : 0), i, n = 0;

	pv->bes = calloc(cap ? cap : 1, sizeof(*pv->bes));
	if (!pv->bes)
		return -ENOMEM;
	for (i = 0; old && i < old->n_backends; i++) {
		struct ef_plan_backend *b = &pv->bes[n++];
		const struct ef_conf_backend *o = &old->backends[i];
		const struct ef_conf_backend *w = ef_conf_find_backend(new, &o->addr, o->family);

		b->addr = o->addr;
		b->family = o->family;
		b->state_before = o->state;
		b->weight_before = o->weight;
		if (w) {
			b->state_after = w->state;
			b->weight_after = w->weight;
			b->change = (w->state != o->state || w->weight != o->weight)
					? EF_PLAN_CHANGED
					: EF_PLAN_SAME;
		} else {
			b->change = EF_PLAN_REMOVED;
		}
	}
	for (i = 0; new &&i < new->n_backends; i++) {
		const struct ef_conf_backend *w = &new->backends[i];
		struct ef_plan_backend *b;

		if (ef_conf_find_backend(old, &w->addr, w->family))
			continue;
		b = &pv->bes[n++];
		b->addr = w->addr;
		b->family = w->family;
		b->state_after = w->state;
		b->weight_after = w->weight;
		b->change = EF_PLAN_ADDED;
	}
	pv->n_bes = n;
	qsort(pv->bes, n, sizeof(*pv->bes), cmp_pbe);
	return 0;
}

static int plan_vip(struct ef_plan *p, const struct ef_conf_vip *old, const struct ef_conf_vip *new)
{
	struct ef_plan_vip *pv = &p->vips[p->n_vips];
	__u32 *ta = NULL, *tb = NULL;
	int err;

	memset(pv, 0, sizeof(*pv));
	pv->key = new ? new->key : old->key;
	pv->change = !old ? EF_PLAN_ADDED : !new ? EF_PLAN_REMOVED : EF_PLAN_CHANGED;
	pv->settings_changed = old && new && !settings_equal(&old->vip, &new->vip);
	err = merge_backends(pv, old, new);
	if (!err)
		err = fill_side(pv, old, true, &ta, &pv->size_before, &pv->up_before);
	if (!err)
		err = fill_side(pv, new, false, &tb, &pv->size_after, &pv->up_after);
	if (!err) {
		shares(pv, ta, pv->size_before, true);
		shares(pv, tb, pv->size_after, false);
		moved(pv, ta, pv->size_before, tb, pv->size_after);
		p->n_vips++;
	} else {
		free(pv->bes);
		pv->bes = NULL;
	}
	free(ta);
	free(tb);
	return err;
}

int ef_plan_build(const struct ef_conf *running, const struct ef_conf *want, struct ef_plan *p)
{
	size_t i, cap = (running ? running->n_vips : 0) + want->n_vips;
	int err = 0;

	memset(p, 0, sizeof(*p));
	p->vips = calloc(cap ? cap : 1, sizeof(*p->vips));
	if (!p->vips)
		return ef_err(-ENOMEM, "out of memory");
	for (i = 0; !err && i < want->n_vips; i++) {
		const struct ef_conf_vip *w = &want->vips[i],
					 *o = ef_conf_find_vip(running, &w->key);

		if (o && settings_equal(&o->vip, &w->vip) && backends_equal(o, w)) {
			p->n_same++;
			continue;
		}
		err = plan_vip(p, o, w);
	}
	for (i = 0; !err && running && i < running->n_vips; i++)
		if (!ef_conf_find_vip(want, &running->vips[i].key))
			err = plan_vip(p, &running->vips[i], NULL);
	if (err) {
		char vs[EF_VIP_STRLEN];

		ef_plan_free(p);
		return ef_err(err, "cannot compute the plan of %s: %s",
			      ef_vip_str(&want->vips[i ? i - 1 : 0].key, vs, sizeof(vs)),
			      strerror(-err));
	}
	return 0;
}

void ef_plan_free(struct ef_plan *p)
{
	size_t i;

	for (i = 0; i < p->n_vips; i++)
		free(p->vips[i].bes);
	free(p->vips);
	free(p->warnings);
	memset(p, 0, sizeof(*p));
}
