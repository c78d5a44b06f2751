// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* safety.c: a change judged by its harm to live traffic; see safety.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/safety.h"
#include "util/addr.h"
#include "util/log.h"

/* Slack on a share's growth and on the slots that move: a share is a count
 * of table slots, and an equal split of an odd table is not exactly half. */
#define SHARE_SLACK 0.005

void ef_safety_default(struct ef_safety *lim)
{
	lim->max_move = EF_MAX_MOVE_DEFAULT;
	lim->max_shift = EF_MAX_SHIFT_DEFAULT;
	lim->max_weight_ratio = EF_MAX_WEIGHT_RATIO_DEFAULT;
}

static int refuse(struct ef_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(struct ef_plan *p, const char *fmt, ...)
{
	char(*w)[EF_PLAN_WARN_LEN];
	va_list ap;

	w = realloc(p->warnings, (p->n_warnings + 1) * sizeof(*w));
	if (!w)
		return -ENOMEM;
	p->warnings = w;
	va_start(ap, fmt);
	vsnprintf(w[p->n_warnings++], EF_PLAN_WARN_LEN, fmt, ap);
	va_end(ap);
	return 0;
}

static int cmp_u16(const void *a, const void *b)
{
	return (int)*(const __u16 *)a - (int)*(const __u16 *)b;
}

/* The median weight of the VIP's up backends after the change, but b;
 * 0 when b has no sibling. */
static double sibling_median(const struct ef_plan_vip *pv, size_t b)
{
	__u16 *w = calloc(pv->n_bes ? pv->n_bes : 1, sizeof(*w));
	size_t n = 0;
	double m = 0;

	if (!w)
		return 0;
	for (size_t i = 0; i < pv->n_bes; i++)
		if (i != b && pv->bes[i].state_after == EF_BE_UP)
			w[n++] = pv->bes[i].weight_after;
	qsort(w, n, sizeof(*w), cmp_u16);
	if (n)
		m = n % 2 ? w[n / 2] : (w[n / 2 - 1] + w[n / 2]) / 2.0;
	free(w);
	return m;
}

/* A backend that starts taking new flows: its weight against its
 * siblings'. */
static int judge_newcomer(struct ef_plan *p, const struct ef_plan_vip *pv, size_t i,
			  const struct ef_safety *lim, const char *vs)
{
	const struct ef_plan_backend *b = &pv->bes[i];
	double median = sibling_median(pv, i);
	char a[EF_ADDR_STRLEN];

	if (!median || b->weight_after <= lim->max_weight_ratio * median)
		return 0;
	return refuse(p,
		      "vip %s: backend %s would take %.1f%% of new flows (now %.1f%%): its weight "
		      "%u is over %g times its siblings' (median %g)",
		      vs, ef_addr_str(&b->addr, b->family, a, sizeof(a)), 100.0 * b->share_after,
		      100.0 * b->share_before, b->weight_after, lim->max_weight_ratio, median);
}

/* A backend taking new flows now: how much its share grows. */
static int judge_share(struct ef_plan *p, const struct ef_plan_backend *b,
		       const struct ef_safety *lim, const char *vs)
{
	char a[EF_ADDR_STRLEN];

	ef_addr_str(&b->addr, b->family, a, sizeof(a));
	if (b->share_after > 2 * b->share_before + SHARE_SLACK)
		return refuse(
		    p,
		    "vip %s: backend %s would take %.1f%% of new flows (now %.1f%%): more "
		    "than twice its share",
		    vs, a, 100.0 * b->share_after, 100.0 * b->share_before);
	if (b->share_after - b->share_before > lim->max_shift + SHARE_SLACK)
		return refuse(
		    p,
		    "vip %s: backend %s would take %.1f%% of new flows (now %.1f%%): more "
		    "than %g points more (apply.max-shift)",
		    vs, a, 100.0 * b->share_after, 100.0 * b->share_before, 100.0 * lim->max_shift);
	return 0;
}

static int judge_vip(struct ef_plan *p, const struct ef_plan_vip *pv, const struct ef_safety *lim)
{
	char vs[EF_VIP_STRLEN];
	int err = 0;

	ef_vip_str(&pv->key, vs, sizeof(vs));
	if (pv->change == EF_PLAN_CHANGED && pv->up_before && !pv->up_after)
		return refuse(p, "vip %s would have no backend up (now %zu)", vs, pv->up_before);
	for (size_t i = 0; !err && i < pv->n_bes; i++) {
		const struct ef_plan_backend *b = &pv->bes[i];

		if (b->state_after != EF_BE_UP)
			continue;
		if (pv->change == EF_PLAN_CHANGED && b->share_before > 0)
			err = judge_share(p, b, lim, vs);
		else
			err = judge_newcomer(p, pv, i, lim, vs);
	}
	if (!err && pv->change == EF_PLAN_CHANGED && pv->moved > lim->max_move + SHARE_SLACK)
		err =
		    refuse(p, "%.0f%% of the slots of %s would move (limit %.0f%%, apply.max-move)",
			   100.0 * pv->moved, vs, 100.0 * lim->max_move);
	return err;
}

static bool named(const struct ef_removals *r, const struct ef_vip_key *key)
{
	for (size_t i = 0; r && i < r->n; i++)
		if (!memcmp(&r->keys[i], key, sizeof(*key)))
			return true;
	return false;
}

/* The VIPs the change would remove without the operator naming them. */
static int judge_removals(struct ef_plan *p, const struct ef_removals *removals)
{
	char list[EF_PLAN_WARN_LEN / 2] = "", vs[EF_VIP_STRLEN];
	size_t n = 0, o = 0;

	for (size_t i = 0; i < p->n_vips; i++) {
		const struct ef_plan_vip *pv = &p->vips[i];

		if (pv->change != EF_PLAN_REMOVED || named(removals, &pv->key))
			continue;
		if (o < sizeof(list))
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", n ? ", " : "",
					      ef_vip_str(&pv->key, vs, sizeof(vs)));
		n++;
	}
	if (!n)
		return 0;
	return refuse(p,
		      "would remove %zu VIP%s (%s%s): name them with --remove VIP or use --force",
		      n, n > 1 ? "s" : "", list, o >= sizeof(list) ? "..." : "");
}

int ef_safety_plan(const struct ef_conf *running, struct ef_conf *want, const struct ef_safety *lim,
		   const struct ef_removals *removals, struct ef_plan *plan)
{
	int err;

	ef_conf_effective(want, running);
	err = ef_plan_build(running, want, plan);
	if (!err && lim && ef_safety_judge(plan, lim, removals)) {
		ef_plan_free(plan);
		return ef_err(-ENOMEM, "out of memory");
	}
	return err;
}

int ef_safety_judge(struct ef_plan *p, const struct ef_safety *lim,
		    const struct ef_removals *removals)
{
	int err = judge_removals(p, removals);

	for (size_t i = 0; !err && i < p->n_vips; i++)
		if (p->vips[i].change != EF_PLAN_REMOVED)
			err = judge_vip(p, &p->vips[i], lim);
	return err;
}
