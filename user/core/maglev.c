// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* maglev.c: weighted Maglev fill; see maglev.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/maglev.h"
#include "lib/hash.h"
#include "util/addr.h"

/* Each about twice the one before, so 100 slots per backend or more. */
const __u32 ef_maglev_sizes[] = {65537, 131071, 262139, 524287, 1048573, 2097143, 4194301};
const size_t ef_maglev_nsizes = sizeof(ef_maglev_sizes) / sizeof(ef_maglev_sizes[0]);

bool ef_is_prime(__u32 n)
{
	__u32 d;

	if (n < 2)
		return false;
	if (n % 2 == 0)
		return n == 2;
	for (d = 3; (__u64)d * d <= n; d += 2)
		if (n % d == 0)
			return false;
	return true;
}

__u32 ef_maglev_default_size(size_t n_backends)
{
	size_t i;

	for (i = 0; i < ef_maglev_nsizes; i++)
		if (ef_maglev_sizes[i] >= 100 * (__u64)n_backends)
			return ef_maglev_sizes[i];
	return 0;
}

int ef_maglev_check_size(__u32 m)
{
	if (m < EF_MIN_TABLE_SIZE || m > EF_MAX_TABLE_SIZE)
		return -ERANGE;
	return ef_is_prime(m) ? 0 : -EINVAL;
}

/* A backend during the fill. */
struct mg_work {
	const struct ef_mg_backend *be;
	__u64 rem;   /* remainder of M*w/W, for the largest-remainder rounding */
	__u32 quota; /* slots still to claim */
	__u32 cur;   /* current position of its permutation walk */
	__u32 skip;
	__u32 order; /* rank in (family, address) order */
};

static int cmp_addr(const void *a, const void *b)
{
	const struct mg_work *x = a, *y = b;

	return ef_addr_cmp(&x->be->addr, x->be->family, &y->be->addr, y->be->family);
}

/* Largest remainder first; equal remainders in address order. */
static int cmp_rem(const void *a, const void *b)
{
	const struct mg_work *x = *(const struct mg_work *const *)a;
	const struct mg_work *y = *(const struct mg_work *const *)b;

	if (x->rem != y->rem)
		return x->rem > y->rem ? -1 : 1;
	return x->order < y->order ? -1 : (x->order > y->order);
}

/* Slots per backend: floor(M*w/W), then one more for the largest remainders
 * until they add up to M. Every quota is within one slot of M*w/W. */
static int set_quotas(struct mg_work *w, size_t n, __u32 m)
{
	struct mg_work **byrem;
	__u64 total = 0, given = 0;
	size_t i;

	for (i = 0; i < n; i++)
		total += w[i].be->weight;
	for (i = 0; i < n; i++) {
		__u64 prod = (__u64)m * w[i].be->weight;

		w[i].quota = (__u32)(prod / total);
		w[i].rem = prod % total;
		given += w[i].quota;
	}
	byrem = malloc(n * sizeof(*byrem));
	if (!byrem)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		byrem[i] = &w[i];
	qsort(byrem, n, sizeof(*byrem), cmp_rem);
	/* m - given < n: each floor lost less than one slot */
	for (i = 0; given < m; i++, given++)
		byrem[i]->quota++;
	free(byrem);
	return 0;
}

int ef_maglev_fill(const struct ef_mg_backend *bes, size_t n, __u32 m, __u32 *table)
{
	struct mg_work *w = NULL;
	size_t i, nup = 0, nactive;
	__u32 filled = 0;
	int err = 0;

	if (ef_maglev_check_size(m))
		return -EINVAL;
	for (i = 0; i < m; i++)
		table[i] = EF_NO_BACKEND;
	for (i = 0; i < n; i++) {
		if (bes[i].state != EF_BE_UP)
			continue;
		if (!bes[i].weight)
			return -EINVAL;
		nup++;
	}
	if (!nup)
		return 0;
	if (nup > m)
		return -EINVAL;
	w = calloc(nup, sizeof(*w));
	if (!w)
		return -ENOMEM;
	for (i = 0, nup = 0; i < n; i++)
		if (bes[i].state == EF_BE_UP)
			w[nup++].be = &bes[i];
	qsort(w, nup, sizeof(*w), cmp_addr);
	for (i = 0; i < nup; i++) {
		const struct ef_mg_backend *be = w[i].be;

		if (i && !cmp_addr(&w[i - 1], &w[i])) {
			err = -EINVAL; /* the same address twice */
			goto out;
		}
		w[i].order = (__u32)i;
		w[i].cur = ef_hash_addr(&be->addr, be->family, EF_SEED_OFFSET) % m;
		w[i].skip = ef_hash_addr(&be->addr, be->family, EF_SEED_SKIP) % (m - 1) + 1;
	}
	err = set_quotas(w, nup, m);
	if (err)
		goto out;

	/*
	 * Rounds: every backend with slots still to claim takes the next free
	 * slot of its permutation (cur, cur+skip, ... mod M; M prime, so the
	 * walk visits every slot). Backends whose quota is met leave the round
	 * list, so the heavy ones finish alone.
	 */
	for (i = 0, nactive = 0; i < nup; i++)
		if (w[i].quota) /* a tiny weight among heavy ones may round to 0 */
			w[nactive++] = w[i];
	while (filled < m) {
		size_t keep = 0;

		for (i = 0; i < nactive; i++) {
			struct mg_work *b = &w[i];
			__u32 c = b->cur;

			while (table[c] != EF_NO_BACKEND) {
				c += b->skip;
				if (c >= m)
					c -= m;
			}
			table[c] = b->be->id;
			filled++;
			c += b->skip;
			b->cur = c >= m ? c - m : c;
			if (--b->quota)
				w[keep++] = *b;
		}
		nactive = keep;
	}
	err = (int)nup;
out:
	free(w);
	return err;
}
