// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* vips.c: VIPs, address filter and Maglev tables in the maps; see vips.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "addr.h"
#include "backends.h"
#include "lib/hash.h"
#include "log.h"
#include "maglev.h"
#include "lib/vip_index.h"
#include "vips.h"

int ef_vip_get(struct ef_dp *dp, const struct ef_vip_key *key, struct ef_vip *vip)
{
	char s[EF_VIP_STRLEN];

	if (!bpf_map_lookup_elem(dp->vips, key, vip))
		return 0;
	if (errno == ENOENT)
		return ef_err(-ENOENT, "vip %s: no such VIP", ef_vip_str(key, s, sizeof(s)));
	return ef_err(-errno, "vip %s: %s", ef_vip_str(key, s, sizeof(s)), strerror(errno));
}

static int cmp_entry(const void *a, const void *b)
{
	const struct ef_vip_entry *x = a, *y = b;
	int c = ef_addr_cmp(&x->key.addr, x->key.family, &y->key.addr, y->key.family);

	if (c)
		return c;
	if (x->key.proto != y->key.proto)
		return x->key.proto < y->key.proto ? -1 : 1;
	return ntohs(x->key.port) < ntohs(y->key.port)	 ? -1
	       : ntohs(x->key.port) > ntohs(y->key.port) ? 1
							 : 0;
}

int ef_vip_list(struct ef_dp *dp, struct ef_vip_entry **out, size_t *n)
{
	struct ef_vip_key cur, next;
	struct ef_vip_entry *v, *tmp;
	size_t cnt = 0, cap = 16;
	void *prev = NULL;

	v = malloc(cap * sizeof(*v));
	if (!v)
		return ef_err(-ENOMEM, "out of memory");
	while (!bpf_map_get_next_key(dp->vips, prev, &next)) {
		cur = next;
		prev = &cur;
		if (cnt == cap) {
			cap *= 2;
			tmp = realloc(v, cap * sizeof(*v));
			if (!tmp) {
				free(v);
				return ef_err(-ENOMEM, "out of memory");
			}
			v = tmp;
		}
		if (bpf_map_lookup_elem(dp->vips, &cur, &v[cnt].vip))
			continue; /* deleted meanwhile */
		v[cnt].key = cur;
		cnt++;
	}
	qsort(v, cnt, sizeof(*v), cmp_entry);
	*out = v;
	*n = cnt;
	return 0;
}

__u32 ef_vip_table_size(const struct ef_vip *vip, size_t n_backends)
{
	return vip->table_size ? vip->table_size : ef_maglev_default_size(n_backends);
}

void ef_table_discard(struct ef_table *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

int ef_table_prepare(const struct ef_vip *vip, const struct ef_backend *all, struct ef_table *t)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = BPF_F_INNER_MAP);
	struct ef_mg_backend *bes = NULL;
	__u32 *keys = NULL, *vals = NULL, i, count;
	size_t n = 0, id;
	int err, fd = -1;

	t->fd = -1;
	t->nup = 0;
	bes = calloc(EF_MAX_BACKENDS, sizeof(*bes));
	if (!bes)
		return ef_err(-ENOMEM, "out of memory");
	for (id = 0; id < EF_MAX_BACKENDS; id++) {
		const struct ef_backend *b = &all[id];

		if (b->vip_id != vip->id || b->state == EF_BE_FREE || b->state == EF_BE_REMOVED)
			continue;
		bes[n].addr = b->addr;
		bes[n].family = b->family;
		bes[n].weight = b->weight;
		bes[n].state = b->state;
		bes[n].id = (__u32)id;
		n++;
	}
	t->size = ef_vip_table_size(vip, n);
	if (!t->size || n > t->size) {
		err = ef_err(-E2BIG, "table size %u too small for %zu backends", t->size, n);
		goto out;
	}
	vals = malloc(((size_t)t->size + 1) * sizeof(*vals));
	if (!vals) {
		err = ef_err(-ENOMEM, "out of memory");
		goto out;
	}
	err = ef_maglev_fill(bes, n, t->size, vals + 1);
	if (err < 0) {
		ef_err(err, "cannot fill the Maglev table: %s", strerror(-err));
		goto out;
	}
	t->nup = err;
	err = 0;
	if (!t->nup)
		goto out; /* no backend up: the table is removed */
	vals[0] = t->size;
	keys = malloc(((size_t)t->size + 1) * sizeof(*keys));
	if (!keys) {
		err = ef_err(-ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i <= t->size; i++)
		keys[i] = i;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ef_maglev_tbl", sizeof(__u32), sizeof(__u32),
			    t->size + 1, &mo);
	if (fd < 0) {
		err = ef_err(-errno, "cannot create a Maglev table of %u slots: %s", t->size,
			     strerror(errno));
		goto out;
	}
	count = t->size + 1;
	if (bpf_map_update_batch(fd, keys, vals, &count, NULL)) {
		err = ef_err(-errno, "cannot fill a Maglev table: %s", strerror(errno));
		close(fd);
		goto out;
	}
	t->fd = fd;
out:
	free(keys);
	free(vals);
	free(bes);
	return err;
}

int ef_table_commit(struct ef_dp *dp, __u32 vip_id, struct ef_table *t)
{
	int err = 0;

	if (t->fd >= 0) {
		if (bpf_map_update_elem(dp->maglev, &vip_id, &t->fd, BPF_ANY))
			err =
			    ef_err(-errno, "cannot install the Maglev table: %s", strerror(errno));
	} else if (bpf_map_delete_elem(dp->maglev, &vip_id) && errno != ENOENT) {
		err = ef_err(-errno, "cannot remove the Maglev table: %s", strerror(errno));
	}
	ef_table_discard(t);
	return err;
}

int ef_table_read(struct ef_dp *dp, __u32 vip_id, __u32 **table, __u32 *m)
{
	__u32 inner_id, key = 0, size, *vals = NULL, *keys = NULL, count, i;
	int fd, err = 0;

	*table = NULL;
	*m = 0;
	if (bpf_map_lookup_elem(dp->maglev, &vip_id, &inner_id))
		return errno == ENOENT
			   ? -ENOENT
			   : ef_err(-errno, "cannot read the Maglev table: %s", strerror(errno));
	fd = bpf_map_get_fd_by_id(inner_id);
	if (fd < 0)
		return ef_err(-errno, "cannot open Maglev table %u: %s", inner_id, strerror(errno));
	if (bpf_map_lookup_elem(fd, &key, &size) || size < 1) {
		err = ef_err(-EIO, "Maglev table %u has no size", inner_id);
		goto out;
	}
	vals = malloc(((size_t)size + 1) * sizeof(*vals));
	keys = malloc(((size_t)size + 1) * sizeof(*keys));
	if (!vals || !keys) {
		err = ef_err(-ENOMEM, "out of memory");
		goto out;
	}
	count = size + 1;
	if (bpf_map_lookup_batch(fd, NULL, &key, keys, vals, &count, NULL) && errno != ENOENT) {
		err = ef_err(-errno, "cannot read Maglev table %u: %s", inner_id, strerror(errno));
		goto out;
	}
	if (count != size + 1) {
		/* fall back to one lookup per slot */
		for (i = 0; i <= size; i++)
			if (bpf_map_lookup_elem(fd, &i, &vals[i])) {
				err = ef_err(-errno, "cannot read Maglev table %u", inner_id);
				goto out;
			}
	}
	*table = malloc((size_t)size * sizeof(**table));
	if (!*table) {
		err = ef_err(-ENOMEM, "out of memory");
		goto out;
	}
	memcpy(*table, vals + 1, (size_t)size * sizeof(**table));
	*m = size;
out:
	free(keys);
	free(vals);
	close(fd);
	return err;
}

static int lowest_free_id(struct ef_dp *dp, __u32 *id)
{
	struct ef_vip_entry *v;
	unsigned char *used;
	size_t n, i;
	int err;

	err = ef_vip_list(dp, &v, &n);
	if (err)
		return err;
	used = calloc(EF_MAX_VIPS, 1);
	if (!used) {
		free(v);
		return ef_err(-ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++)
		if (v[i].vip.id < EF_MAX_VIPS)
			used[v[i].vip.id] = 1;
	for (i = 0; i < EF_MAX_VIPS && used[i]; i++)
		;
	free(used);
	free(v);
	if (i == EF_MAX_VIPS)
		return ef_err(-ENOSPC, "no free VIP id (%d VIPs at most)", EF_MAX_VIPS);
	*id = (__u32)i;
	return 0;
}

/* Sets or clears, from every VIP, the filter word of key's address. */
static int filter_update(struct ef_dp *dp, const struct ef_vip_key *key, bool recompute)
{
	__u32 bit = ef_filter_bit(&key->addr, key->family), word = bit / 64;
	__u64 val = 0;

	if (recompute) {
		struct ef_vip_entry *v;
		size_t n, i;
		int err = ef_vip_list(dp, &v, &n);

		if (err)
			return err;
		for (i = 0; i < n; i++) {
			__u32 b = ef_filter_bit(&v[i].key.addr, v[i].key.family);

			if (b / 64 == word)
				val |= 1ULL << (b % 64);
		}
		free(v);
	} else {
		if (bpf_map_lookup_elem(dp->vip_filter, &word, &val))
			return ef_err(-errno, "cannot read the VIP filter: %s", strerror(errno));
		val |= 1ULL << (bit % 64);
	}
	if (bpf_map_update_elem(dp->vip_filter, &word, &val, BPF_ANY))
		return ef_err(-errno, "cannot write the VIP filter: %s", strerror(errno));
	return 0;
}

/*
 * The data plane finds VIPs through evenflow_vip_index (bpf/lib/vip_index.h):
 * evenflow_vip_info[id] is written before the VIP's way in a bucket makes it
 * visible, and cleared after the way is gone. A way is one 32-bit word, so a
 * packet sees the VIP or not, never half of it.
 */
static int index_insert(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_vip *vip)
{
	struct ef_vip_info info = {.key = *key, .vip = *vip};
	__u32 h = ef_vip_hash(key), b[2] = {ef_vip_bucket1(h), ef_vip_bucket2(h)};
	struct ef_vip_bucket bucket[2];
	int best = -1, free_ways[2] = {0, 0};

	for (int i = 0; i < 2; i++) {
		if (bpf_map_lookup_elem(dp->vip_index, &b[i], &bucket[i]))
			return ef_err(-errno, "cannot read the VIP index: %s", strerror(errno));
		for (int w = 0; w < EF_VIP_INDEX_WAYS; w++)
			free_ways[i] += !bucket[i].way[w];
	}
	/* the emptier bucket, so neither fills up early */
	if (free_ways[0] || free_ways[1])
		best = free_ways[1] > free_ways[0];
	if (best < 0)
		return ef_err(-ENOSPC, "the VIP index has no room for this VIP's key (both "
				       "buckets full): remove a VIP first");
	if (bpf_map_update_elem(dp->vip_info, &vip->id, &info, BPF_ANY))
		return ef_err(-errno, "cannot write the VIP: %s", strerror(errno));
	for (int w = 0; w < EF_VIP_INDEX_WAYS; w++) {
		if (!bucket[best].way[w]) {
			bucket[best].way[w] = ef_vip_way(h, vip->id);
			break;
		}
	}
	/* only the one empty way changes: the other ways' words are rewritten
	 * with the same values */
	if (bpf_map_update_elem(dp->vip_index, &b[best], &bucket[best], BPF_ANY))
		return ef_err(-errno, "cannot write the VIP index: %s", strerror(errno));
	return 0;
}

static int index_remove(struct ef_dp *dp, const struct ef_vip_key *key, __u32 id)
{
	__u32 h = ef_vip_hash(key), b[2] = {ef_vip_bucket1(h), ef_vip_bucket2(h)};
	struct ef_vip_info empty = {};
	struct ef_vip_bucket bucket;

	for (int i = 0; i < 2; i++) {
		bool found = false;

		if (bpf_map_lookup_elem(dp->vip_index, &b[i], &bucket))
			return ef_err(-errno, "cannot read the VIP index: %s", strerror(errno));
		for (int w = 0; w < EF_VIP_INDEX_WAYS; w++) {
			if (bucket.way[w] == ef_vip_way(h, id)) {
				bucket.way[w] = 0;
				found = true;
			}
		}
		if (found && bpf_map_update_elem(dp->vip_index, &b[i], &bucket, BPF_ANY))
			return ef_err(-errno, "cannot write the VIP index: %s", strerror(errno));
	}
	if (bpf_map_update_elem(dp->vip_info, &id, &empty, BPF_ANY))
		return ef_err(-errno, "cannot clear the VIP: %s", strerror(errno));
	return 0;
}

int ef_vip_add(struct ef_dp *dp, const struct ef_vip_key *key, struct ef_vip *vip)
{
	struct ef_vip_key akey;
	struct ef_vip old;
	char s[EF_VIP_STRLEN];
	__u32 refs = 0;
	int err;

	ef_vip_str(key, s, sizeof(s));
	if (!bpf_map_lookup_elem(dp->vips, key, &old))
		return ef_err(-EEXIST, "vip %s: already exists", s);
	err = lowest_free_id(dp, &vip->id);
	if (err)
		return err;
	/* A new VIP has no backend yet, so no table: nothing to write first. */
	err = ef_percpu_zero(dp->vip_stats, vip->id, dp->ncpus, sizeof(struct ef_traffic));
	if (err)
		return ef_err(err, "vip %s: cannot reset its counters: %s", s, strerror(-err));
	bpf_map_delete_elem(dp->maglev, &vip->id);

	ef_vip_addr_key(key, &akey);
	if (bpf_map_lookup_elem(dp->vip_addrs, &akey, &refs))
		refs = 0;
	refs++;
	if (bpf_map_update_elem(dp->vip_addrs, &akey, &refs, BPF_ANY))
		return ef_err(-errno, "vip %s: cannot write its address: %s", s, strerror(errno));
	err = filter_update(dp, key, false);
	if (err)
		goto undo_addr;
	err = index_insert(dp, key, vip);
	if (err)
		goto undo_addr;
	if (bpf_map_update_elem(dp->vips, key, vip, BPF_NOEXIST)) {
		err = ef_err(-errno, "vip %s: cannot add: %s", s, strerror(errno));
		index_remove(dp, key, vip->id);
		goto undo_addr;
	}
	return 0;
undo_addr:
	/* the filter may keep a stray bit: it is a superset by design */
	if (--refs)
		bpf_map_update_elem(dp->vip_addrs, &akey, &refs, BPF_ANY);
	else
		bpf_map_delete_elem(dp->vip_addrs, &akey);
	return err;
}

int ef_vip_del(struct ef_dp *dp, const struct ef_vip_key *key)
{
	struct ef_backend *all = NULL;
	struct ef_vip_key akey;
	struct ef_vip vip;
	char s[EF_VIP_STRLEN];
	__u32 refs = 0, id;
	int err;

	ef_vip_str(key, s, sizeof(s));
	err = ef_vip_get(dp, key, &vip);
	if (err)
		return err;
	err = ef_backends_read(dp, &all);
	if (err)
		return err;
	err = index_remove(dp, key, vip.id);
	if (err)
		goto out;
	if (bpf_map_delete_elem(dp->vips, key)) {
		err = ef_err(-errno, "vip %s: cannot delete: %s", s, strerror(errno));
		goto out;
	}
	ef_vip_addr_key(key, &akey);
	if (!bpf_map_lookup_elem(dp->vip_addrs, &akey, &refs) && refs > 1) {
		refs--;
		bpf_map_update_elem(dp->vip_addrs, &akey, &refs, BPF_ANY);
	} else {
		bpf_map_delete_elem(dp->vip_addrs, &akey);
	}
	err = filter_update(dp, key, true);
	if (err)
		goto out;
	if (bpf_map_delete_elem(dp->maglev, &vip.id) && errno != ENOENT)
		pr_warn("vip %s: cannot remove its table: %s", s, strerror(errno));
	/* its backends become REMOVED: connection entries to them miss */
	for (id = 0; id < EF_MAX_BACKENDS; id++) {
		struct ef_backend *b = &all[id];

		if (b->vip_id != vip.id || b->state == EF_BE_FREE || b->state == EF_BE_REMOVED)
			continue;
		b->state = EF_BE_REMOVED;
		if (bpf_map_update_elem(dp->backends, &id, b, BPF_ANY))
			pr_warn("vip %s: cannot remove backend %u: %s", s, id, strerror(errno));
	}
out:
	free(all);
	return err;
}
