// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* quality.c: measures of a Maglev table; see quality.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "quality.h"

struct ef_mg_backend *ef_mq_backends(size_t n, const __u16 *weights)
{
	struct ef_mg_backend *bes = calloc(n ? n : 1, sizeof(*bes));
	size_t i;

	if (!bes)
		return NULL;
	for (i = 0; i < n; i++) {
		bes[i].addr.a32[0] = htonl(0x0a000000U | (__u32)(i + 1));
		bes[i].family = EF_FAMILY_V4;
		bes[i].state = EF_BE_UP;
		bes[i].weight = weights ? weights[i] : 1;
		bes[i].id = (__u32)i;
	}
	return bes;
}

struct ef_mq_shares ef_mq_measure(const struct ef_mg_backend *bes, size_t n, const __u32 *table,
				  __u32 m)
{
	struct ef_mq_shares r = {.max_over_min = 1.0, .worst_error = 0.0};
	__u64 *slots = calloc(n ? n : 1, sizeof(*slots));
	double wsum = 0, lo = INFINITY, hi = 0;
	size_t i;

	if (!slots)
		return (struct ef_mq_shares){.max_over_min = INFINITY, .worst_error = INFINITY};
	for (__u32 s = 0; s < m; s++)
		if (table[s] < n)
			slots[table[s]]++;
	for (i = 0; i < n; i++)
		wsum += bes[i].weight;
	for (i = 0; i < n; i++) {
		double share = (double)slots[i] / m, want = bes[i].weight / wsum;
		double err = fabs(share / want - 1.0);
		/* max/min compares shares per unit of weight */
		double per_weight = share / bes[i].weight;

		if (err > r.worst_error)
			r.worst_error = err;
		if (per_weight < lo)
			lo = per_weight;
		if (per_weight > hi)
			hi = per_weight;
	}
	r.max_over_min = lo > 0 ? hi / lo : INFINITY;
	free(slots);
	return r;
}

double ef_mq_moved(const __u32 *before, const __u32 *after, __u32 m)
{
	__u32 moved = 0;

	for (__u32 s = 0; s < m; s++)
		moved += before[s] != after[s];
	return (double)moved / m;
}

int ef_mq_classic_fill(const struct ef_mg_backend *bes, size_t n, __u32 m, __u32 *table)
{
	__u32 *next = calloc(n ? n : 1, sizeof(*next)), *skip = calloc(n ? n : 1, sizeof(*skip));
	__u32 filled = 0;
	size_t i;

	if (!next || !skip) {
		free(next);
		free(skip);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		next[i] = ef_hash_addr(&bes[i].addr, bes[i].family, EF_SEED_OFFSET) % m;
		skip[i] = ef_hash_addr(&bes[i].addr, bes[i].family, EF_SEED_SKIP) % (m - 1) + 1;
	}
	for (__u32 s = 0; s < m; s++)
		table[s] = EF_NO_BACKEND;
	while (n && filled < m) {
		for (i = 0; i < n && filled < m; i++) {
			__u32 c = next[i];

			while (table[c] != EF_NO_BACKEND)
				c = (c + skip[i]) % m;
			table[c] = bes[i].id;
			next[i] = (c + skip[i]) % m;
			filled++;
		}
	}
	free(next);
	free(skip);
	return 0;
}

/* The classic fill over the UP backends of bes[0..n-1]. */
static int classic_fill_up(const struct ef_mg_backend *bes, size_t n, __u32 m, __u32 *table)
{
	struct ef_mg_backend *up = calloc(n ? n : 1, sizeof(*up));
	size_t i, k = 0;
	int err;

	if (!up)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (bes[i].state == EF_BE_UP)
			up[k++] = bes[i];
	err = ef_mq_classic_fill(up, k, m, table);
	free(up);
	return err;
}

/* Both fills, before and after one backend changes state. */
int ef_mq_churn(size_t n, __u32 m, int add, struct ef_mq_churn *out)
{
	/* add: n up, then one more; remove: n up, then the middle one down */
	size_t total = add ? n + 1 : n, changed = add ? n : n / 2;
	struct ef_mg_backend *bes = ef_mq_backends(total, NULL);
	__u32 *t[4];
	int err = 0, i;

	for (i = 0; i < 4; i++)
		t[i] = malloc(sizeof(__u32) * m);
	if (!bes || !t[0] || !t[1] || !t[2] || !t[3]) {
		err = -ENOMEM;
		goto out;
	}
	bes[changed].state = add ? EF_BE_DOWN : EF_BE_UP;
	if (ef_maglev_fill(bes, total, m, t[0]) < 0 || classic_fill_up(bes, total, m, t[2]) < 0) {
		err = -EINVAL;
		goto out;
	}
	bes[changed].state = add ? EF_BE_UP : EF_BE_DOWN;
	if (ef_maglev_fill(bes, total, m, t[1]) < 0 || classic_fill_up(bes, total, m, t[3]) < 0) {
		err = -EINVAL;
		goto out;
	}
	out->moved = ef_mq_moved(t[0], t[1], m);
	out->moved_classic = ef_mq_moved(t[2], t[3], m);
	out->ideal = 1.0 / (double)(add ? n + 1 : n);
out:
	for (i = 0; i < 4; i++)
		free(t[i]);
	free(bes);
	return err;
}
