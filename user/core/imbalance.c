// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* imbalance.c: sliding-window share-of-new-flows detector; see imbalance.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/imbalance.h"
#include "evenflow.h"

/* Shares are compared with this slack so that exact boundaries do not flap
 * on rounding. */
#define SHARE_EPS 1e-9

struct sample {
	double t;
	struct ef_imb_point *pts; /* sorted by (vip_id, backend_id) */
	size_t n;
};

struct ef_imb {
	struct ef_imb_cfg cfg;
	struct sample *s; /* oldest first */
	size_t ns, cap;
	struct ef_imb_result *res;
	size_t nres;
};

void ef_imb_cfg_default(struct ef_imb_cfg *cfg)
{
	cfg->window_s = EF_IMB_WINDOW_DEFAULT;
	cfg->factor = EF_IMB_FACTOR_DEFAULT;
	cfg->margin = EF_IMB_MARGIN_DEFAULT;
	cfg->min_flows = EF_IMB_MIN_FLOWS_DEFAULT;
}

struct ef_imb *ef_imb_new(const struct ef_imb_cfg *cfg)
{
	struct ef_imb *imb;

	if (cfg && (!(cfg->window_s > 0) || !(cfg->factor >= 1.0) || !(cfg->margin >= 0) ||
		    !(cfg->margin <= 1.0)))
		return NULL;
	imb = calloc(1, sizeof(*imb));
	if (!imb)
		return NULL;
	if (cfg)
		imb->cfg = *cfg;
	else
		ef_imb_cfg_default(&imb->cfg);
	return imb;
}

void ef_imb_free(struct ef_imb *imb)
{
	size_t i;

	if (!imb)
		return;
	for (i = 0; i < imb->ns; i++)
		free(imb->s[i].pts);
	free(imb->s);
	free(imb->res);
	free(imb);
}

static int point_cmp(const void *a, const void *b)
{
	const struct ef_imb_point *x = a, *y = b;

	if (x->vip_id != y->vip_id)
		return x->vip_id < y->vip_id ? -1 : 1;
	if (x->backend_id != y->backend_id)
		return x->backend_id < y->backend_id ? -1 : 1;
	return 0;
}

/* [*lo, *hi) = the points of vip_id in s. */
static void vip_range(const struct sample *s, uint32_t vip_id, size_t *lo, size_t *hi)
{
	size_t l = 0, h = s->n;

	while (l < h) {
		size_t m = l + (h - l) / 2;

		if (s->pts[m].vip_id < vip_id)
			l = m + 1;
		else
			h = m;
	}
	*lo = l;
	while (l < s->n && s->pts[l].vip_id == vip_id)
		l++;
	*hi = l;
}

static const struct ef_imb_point *point_find(const struct sample *s, uint32_t vip_id,
					     uint32_t backend_id)
{
	struct ef_imb_point key = {.vip_id = vip_id, .backend_id = backend_id};

	return bsearch(&key, s->pts, s->n, sizeof(key), point_cmp);
}

/* Whether vip_id has the same backends, weights and states in a and b. */
static bool same_config(const struct sample *a, const struct sample *b, uint32_t vip_id)
{
	size_t alo, ahi, blo, bhi, i;

	vip_range(a, vip_id, &alo, &ahi);
	vip_range(b, vip_id, &blo, &bhi);
	if (ahi - alo != bhi - blo)
		return false;
	for (i = 0; i < ahi - alo; i++) {
		const struct ef_imb_point *x = &a->pts[alo + i], *y = &b->pts[blo + i];

		if (x->backend_id != y->backend_id || x->weight != y->weight ||
		    x->state != y->state)
			return false;
	}
	return true;
}

/* Counter increase from old to now; a counter that went back was reset. */
static uint64_t delta(uint64_t now, uint64_t old)
{
	return now >= old ? now - old : now;
}

static const struct ef_imb_result *result_in(const struct ef_imb_result *res, size_t n,
					     uint32_t vip_id, uint32_t backend_id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (res[i].vip_id == vip_id && res[i].backend_id == backend_id)
			return &res[i];
	return NULL;
}

/* Evaluates the newest sample into a new result array. */
static int evaluate(struct ef_imb *imb)
{
	const struct sample *now = &imb->s[imb->ns - 1];
	const struct sample *prev = imb->ns > 1 ? &imb->s[imb->ns - 2] : NULL;
	struct ef_imb_result *res;
	size_t lo, hi, i;

	res = calloc(now->n ? now->n : 1, sizeof(*res));
	if (!res)
		return -ENOMEM;
	for (lo = 0; lo < now->n; lo = hi) {
		uint32_t vip = now->pts[lo].vip_id;
		const struct sample *base = now;
		uint64_t wsum = 0, vip_flows = 0;
		size_t j;

		vip_range(now, vip, &lo, &hi);
		/* the oldest sample since which this VIP's configuration holds */
		for (j = imb->ns - 1; j-- > 0;) {
			if (!same_config(&imb->s[j], now, vip))
				break;
			base = &imb->s[j];
		}
		for (i = lo; i < hi; i++) {
			const struct ef_imb_point *p = &now->pts[i];
			const struct ef_imb_point *b = point_find(base, vip, p->backend_id);

			if (p->state == EF_BE_UP)
				wsum += p->weight;
			res[i].flows = b ? delta(p->new_flows, b->new_flows) : 0;
			vip_flows += res[i].flows;
		}
		for (i = lo; i < hi; i++) {
			const struct ef_imb_point *p = &now->pts[i];
			struct ef_imb_result *r = &res[i];
			const struct ef_imb_result *old =
			    result_in(imb->res, imb->nres, vip, p->backend_id);
			const struct ef_imb_point *q =
			    prev ? point_find(prev, vip, p->backend_id) : NULL;

			r->vip_id = vip;
			r->backend_id = p->backend_id;
			r->weight = p->weight;
			r->state = p->state;
			r->span_s = now->t - base->t;
			r->vip_flows = vip_flows;
			r->expected = p->state == EF_BE_UP && wsum ? (double)p->weight / wsum : 0.0;
			r->actual = vip_flows ? (double)r->flows / vip_flows : 0.0;
			r->judged = vip_flows > 0 && vip_flows >= imb->cfg.min_flows;
			r->flagged =
			    r->judged && (r->actual > imb->cfg.factor * r->expected + SHARE_EPS ||
					  r->actual - r->expected > imb->cfg.margin + SHARE_EPS);
			r->changed = r->flagged != (old && old->flagged);
			r->since = r->flagged ? (old && old->flagged ? old->since : now->t) : 0.0;
			if (q && now->t > prev->t) {
				double dt = now->t - prev->t;

				r->pps = delta(p->packets, q->packets) / dt;
				r->bps = 8.0 * delta(p->bytes, q->bytes) / dt;
				r->fps = delta(p->new_flows, q->new_flows) / dt;
			}
		}
	}
	free(imb->res);
	imb->res = res;
	imb->nres = now->n;
	return 0;
}

int ef_imb_add(struct ef_imb *imb, double t, const struct ef_imb_point *pts, size_t n)
{
	struct sample s = {.t = t, .n = n};
	int err;

	if (imb->ns && t < imb->s[imb->ns - 1].t)
		return -EINVAL;
	s.pts = malloc((n ? n : 1) * sizeof(*pts));
	if (!s.pts)
		return -ENOMEM;
	if (n)
		memcpy(s.pts, pts, n * sizeof(*pts));
	qsort(s.pts, n, sizeof(*pts), point_cmp);
	if (imb->ns == imb->cap) {
		size_t cap = imb->cap ? 2 * imb->cap : 8;
		struct sample *ns = realloc(imb->s, cap * sizeof(*ns));

		if (!ns) {
			free(s.pts);
			return -ENOMEM;
		}
		imb->s = ns;
		imb->cap = cap;
	}
	imb->s[imb->ns++] = s;
	/* keep one sample at or before t - window: the window's start */
	while (imb->ns >= 2 && imb->s[1].t <= t - imb->cfg.window_s) {
		free(imb->s[0].pts);
		memmove(&imb->s[0], &imb->s[1], (imb->ns - 1) * sizeof(imb->s[0]));
		imb->ns--;
	}
	err = evaluate(imb);
	if (err)
		free(imb->s[--imb->ns].pts); /* the results stay those of the previous sample */
	return err;
}

size_t ef_imb_results(const struct ef_imb *imb, const struct ef_imb_result **out)
{
	*out = imb->res;
	return imb->nres;
}

const struct ef_imb_result *ef_imb_find(const struct ef_imb *imb, uint32_t backend_id)
{
	size_t i;

	for (i = 0; i < imb->nres; i++)
		if (imb->res[i].backend_id == backend_id)
			return &imb->res[i];
	return NULL;
}

bool ef_imb_vip_flagged(const struct ef_imb *imb, uint32_t vip_id)
{
	size_t i;

	for (i = 0; i < imb->nres; i++)
		if (imb->res[i].vip_id == vip_id && imb->res[i].flagged)
			return true;
	return false;
}
