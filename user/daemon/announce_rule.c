// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* announce_rule.c: which VIP addresses to announce; see announce_rule.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/announce_rule.h"

size_t ef_ann_healthy(const struct ef_conf_vip *v)
{
	size_t n = 0;

	for (size_t i = 0; i < v->n_backends; i++)
		n += v->backends[i].state == EF_BE_UP &&
		     v->backends[i].health != EF_HEALTH_UNHEALTHY;
	return n;
}

static bool same_addr(const struct ef_vip_key *a, const struct ef_vip_key *b)
{
	return a->family == b->family && !memcmp(&a->addr, &b->addr, sizeof(a->addr));
}

int ef_ann_decide(const struct ef_conf *c, const __u32 *min_up, enum ef_ann_why global,
		  struct ef_ann_verdict **out, size_t *n)
{
	struct ef_ann_verdict *v = NULL;
	size_t k = 0;

	*out = NULL;
	*n = 0;
	if (c->n_vips && !(v = calloc(c->n_vips, sizeof(*v))))
		return -ENOMEM;
	for (size_t i = 0; i < c->n_vips; i++) {
		const struct ef_conf_vip *cv = &c->vips[i];
		size_t healthy = ef_ann_healthy(cv);

		if (!k || !same_addr(&cv->key, &c->vips[i - 1].key)) {
			v[k++] = (struct ef_ann_verdict){
			    .addr = {.addr = cv->key.addr, .family = cv->key.family},
			    .why = global};
		}
		v[k - 1].n_vips++;
		if (v[k - 1].why == EF_ANN_YES && healthy < min_up[i]) {
			v[k - 1].why = EF_ANN_TOO_FEW;
			v[k - 1].vip = cv->key;
			v[k - 1].healthy = healthy;
			v[k - 1].min_up = min_up[i];
		}
	}
	*out = v;
	*n = k;
	return 0;
}

enum ef_ann_why ef_ann_gate(const struct ef_ann_peer *peers, size_t n)
{
	bool waiting = false, announced = false;

	for (size_t i = 0; i < n; i++) {
		if (!peers[i].fresh) {
			waiting = true;
			continue;
		}
		if (!peers[i].read)
			continue;
		if (peers[i].agrees)
			return EF_ANN_YES;
		announced |= peers[i].announces;
	}
	return waiting || announced ? EF_ANN_SIBLINGS : EF_ANN_YES;
}

const char *ef_ann_why_str(enum ef_ann_why why)
{
	switch (why) {
	case EF_ANN_YES:
		return "every VIP on it has its min-up backends up and healthy";
	case EF_ANN_DETACHED:
		return "the data plane is attached to no device";
	case EF_ANN_MAINTENANCE:
		return "maintenance (SIGUSR1; SIGUSR2 ends it)";
	case EF_ANN_STOPPING:
		return "stopping (SIGTERM): draining";
	case EF_ANN_SIBLINGS:
		return "waiting until a sibling agrees on its VIPs, or none announces it";
	default:
		return "too few backends up and healthy";
	}
}

__u32 *ef_ann_min_ups(const struct ef_config *cfg, const struct ef_conf *c)
{
	__u32 *m = calloc(c->n_vips ? c->n_vips : 1, sizeof(*m));

	for (size_t i = 0; m && i < c->n_vips; i++) {
		const struct ef_conf_vip *v = ef_conf_find_vip(&cfg->conf, &c->vips[i].key);

		m[i] = v ? cfg->vx[v - cfg->conf.vips].min_up : cfg->announce.min_up;
	}
	return m;
}
