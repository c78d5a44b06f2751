// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* commit_write.c: a built generation written into the inactive half of
 * the maps, then the flip; and ef_image_commit, which starts from an image
 * given whole. See commit.h and commit_work.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "core/commit.h"
#include "core/commit_work.h"
#include "dp/maps.h"
#include "lib/gen_key.h"
#include "lib/hash.h"
#include "lib/vip_index.h"
#include "util/addr.h"
#include "util/log.h"

/* The new generation's VIP index, from its image: each VIP in the
 * emptier of its buckets. */
static int build_index(struct commit_work *p)
{
	p->index = calloc(EF_VIP_INDEX_BUCKETS, sizeof(*p->index));
	if (!p->index)
		return ef_err(-ENOMEM, "out of memory");
	for (__u32 id = 0; id < EF_MAX_VIPS; id++) {
		const struct ef_vip_key *key = &p->nw.vips[id].key;
		__u32 h, b[2];
		int free_ways[2] = {0, 0}, best;
		char vs[EF_VIP_STRLEN];

		if (!key->family)
			continue;
		h = ef_vip_hash(key);
		b[0] = ef_vip_bucket1(h);
		b[1] = ef_vip_bucket2(h);
		for (int k = 0; k < 2; k++)
			for (int w = 0; w < EF_VIP_INDEX_WAYS; w++)
				free_ways[k] += !p->index[b[k]].way[w];
		if (!free_ways[0] && !free_ways[1])
			return ef_err(-ENOSPC, "vip %s: the VIP index has no room for its key",
				      ef_vip_str(key, vs, sizeof(vs)));
		best = free_ways[1] > free_ways[0];
		for (int w = 0; w < EF_VIP_INDEX_WAYS; w++) {
			if (!p->index[b[best]].way[w]) {
				p->index[b[best]].way[w] = ef_vip_way(h, id);
				break;
			}
		}
	}
	return 0;
}

static void work_free(struct commit_work *p)
{
	for (int i = 0; i < EF_MAX_VIPS; i++)
		if (p->table_fd[i] >= 0)
			close(p->table_fd[i]);
	ef_image_free(&p->old);
	ef_image_free(&p->other);
	ef_image_free(&p->nw);
	free(p->vip_id);
	free(p->index);
	free(p->ct_ref);
	free(p);
}

struct commit_work *ef_commit_start(struct ef_dp *dp, int *err)
{
	struct commit_work *p = calloc(1, sizeof(*p));

	if (!p) {
		*err = ef_err(-ENOMEM, "out of memory");
		return NULL;
	}
	for (int i = 0; i < EF_MAX_VIPS; i++)
		p->table_fd[i] = -1;
	*err = ef_dp_gen(dp, &p->gen);
	if (!*err)
		*err = ef_image_read(dp, p->gen, &p->old);
	if (!*err)
		*err = ef_image_read(dp, !p->gen, &p->other);
	if (!*err)
		*err = ef_image_alloc(&p->nw);
	if (*err) {
		work_free(p);
		return NULL;
	}
	return p;
}

/* The new generation's Maglev tables, in two batches: the slots that take
 * a table, the slots left without one. A generation has tables only for its
 * own VIPs; a slot that already holds its table is left alone. */
static int write_tables(struct ef_dp *dp, const struct commit_work *p, __u32 gen)
{
	struct table_batch {
		__u32 keys[EF_MAX_VIPS];
		int fds[EF_MAX_VIPS];
		__u32 n;
	} *set = calloc(1, sizeof(*set)), *del = calloc(1, sizeof(*del));
	__u32 unused;
	int err = -ENOMEM;

	if (!set || !del)
		goto out;
	for (__u32 id = 0; id < EF_MAX_VIPS; id++) {
		__u32 key = ef_gen_vip(gen, id);

		if (!p->nw.vips[id].key.family && !p->other.vips[id].key.family)
			continue;
		if (p->table_fd[id] >= 0 && ef_outer_holds(dp->maglev, key, p->table_fd[id]))
			continue;
		if (p->table_fd[id] >= 0) {
			set->keys[set->n] = key;
			set->fds[set->n++] = p->table_fd[id];
		} else if (!bpf_map_lookup_elem(dp->maglev, &key, &unused)) {
			del->keys[del->n++] = key;
		}
	}
	err = ef_outer_update(dp->maglev, set->keys, set->fds, set->n);
	if (!err)
		err = ef_outer_delete(dp->maglev, del->keys, del->n);
out:
	free(set);
	free(del);
	return err;
}

/* The inactive generation, whole. */
static int write_generation(struct ef_dp *dp, struct commit_work *p, __u32 gen)
{
	int err;

	err = ef_image_write(dp, gen, &p->nw);
	if (err)
		return err;
	err = write_tables(dp, p, gen);
	if (!err)
		err = ef_array_write(dp->vip_index, ef_gen_bucket(gen, 0), EF_VIP_INDEX_BUCKETS,
				     sizeof(*p->index), p->index);
	if (err)
		return ef_err(err, "cannot write configuration generation %u: %s", gen,
			      strerror(-err));
	return 0;
}

/* evenflow_vip_addrs and the filter bitmap serve both generations: before the
 * flip they gain the addresses of img, the new one (union: the map holds two
 * generations' worth); after it, they lose the others (exact). A commit that
 * fails before its flip puts the active generation's back, exactly. The
 * bitmap is written whole through a mapping: a word the data plane reads
 * meanwhile holds, byte by byte, the old or the new value, and either covers
 * the generation it reads. */
static int write_addresses(struct ef_dp *dp, const struct ef_image *img, bool exact)
{
	__u64 *words = calloc(EF_VIP_FILTER_WORDS, sizeof(*words));
	struct ef_vip_key cur, next, *prev = NULL;
	int err = 0;

	if (!words)
		return ef_err(-ENOMEM, "out of memory");
	/* the filter is one value: the whole bitmap (bpf/lib/maps.h) */
	if (!exact && (err = ef_array_read(dp->vip_filter, 0, 1,
					   EF_VIP_FILTER_WORDS * sizeof(*words), words)))
		goto out;
	for (__u32 id = 0; id < EF_MAX_VIPS; id++) {
		const struct ef_vip_key *k = &img->vips[id].key;
		struct ef_vip_key a;
		__u32 bit, refs = 0, echo = 0;

		if (!k->family)
			continue;
		bit = ef_filter_bit(&k->addr, k->family);
		words[bit / 64] |= 1ULL << (bit % 64);
		ef_vip_addr_key(k, &a);
		for (__u32 j = 0; j < EF_MAX_VIPS; j++) {
			bool same = img->vips[j].key.family &&
				    !memcmp(&img->vips[j].key.addr, &a.addr, sizeof(a.addr)) &&
				    img->vips[j].key.family == a.family;

			refs += same;
			echo |= same && !(img->vips[j].vip.flags & EF_VIP_F_NO_ECHO);
		}
		refs = (refs & EF_ADDR_VIPS_MASK) | (echo ? EF_ADDR_F_ECHO : 0);
		if (bpf_map_update_elem(dp->vip_addrs, &a, &refs, BPF_ANY)) {
			err = -errno;
			goto out;
		}
	}
	if (exact) {
		/* drop addresses no VIP of the new generation has */
		while (!bpf_map_get_next_key(dp->vip_addrs, prev, &next)) {
			bool keep = false;

			cur = next;
			for (__u32 j = 0; !keep && j < EF_MAX_VIPS; j++)
				keep = img->vips[j].key.family == cur.family &&
				       !memcmp(&img->vips[j].key.addr, &cur.addr, sizeof(cur.addr));
			if (!keep && !bpf_map_delete_elem(dp->vip_addrs, &cur))
				continue; /* deleted: the next key after it is the same */
			prev = &cur;
		}
	}
	err = ef_array_write(dp->vip_filter, 0, 1, EF_VIP_FILTER_WORDS * sizeof(*words), words);
out:
	free(words);
	if (err)
		return ef_err(err, "cannot write the VIP addresses: %s", strerror(-err));
	return 0;
}

/* Counters of ids that change hands start from zero. */
static int zero_new_counters(struct ef_dp *dp, const struct commit_work *p)
{
	int err = 0;

	for (__u32 id = 0; !err && id < EF_MAX_VIPS; id++)
		if (p->nw.vips[id].key.family && !p->vip_kept[id])
			err =
			    ef_percpu_zero(dp->vip_stats, id, dp->ncpus, sizeof(struct ef_traffic));
	for (__u32 id = 0; !err && id < EF_MAX_BACKENDS; id++)
		if (p->nw.bes[id].state != EF_BE_FREE && !p->be_kept[id])
			err = ef_percpu_zero(dp->backend_stats, id, dp->ncpus,
					     sizeof(struct ef_traffic));
	if (err)
		return ef_err(err, "cannot reset counters: %s", strerror(-err));
	return 0;
}

/* The built work written into the inactive generation, then the flip. */
static int work_write(struct ef_dp *dp, struct commit_work *p)
{
	__u32 next = !p->gen, zero = 0;
	int err;

	err = write_generation(dp, p, next);
	if (err)
		return err;
	err = write_addresses(dp, &p->nw, false);
	if (!err)
		err = zero_new_counters(dp, p);
	/* the commit point: one 4-byte write */
	if (!err && bpf_map_update_elem(dp->gen, &zero, &next, BPF_ANY))
		err = ef_err(-errno, "cannot switch to the new configuration: %s", strerror(errno));
	if (err) {
		/* no address the running generation lacks stays behind */
		if (write_addresses(dp, &p->old, true))
			pr_warn("the VIP address filter keeps addresses of the refused change "
				"(harmless superset, until the next commit)");
		return err;
	}
	if (write_addresses(dp, &p->nw, true))
		pr_warn("the VIP address filter keeps old addresses (harmless superset)");
	return 0;
}

int ef_commit_end(struct ef_dp *dp, struct commit_work *p, int err)
{
	if (!err)
		err = build_index(p);
	if (!err)
		err = work_write(dp, p);
	work_free(p);
	return err;
}

int ef_image_commit(struct ef_dp *dp, const struct ef_image *img, const int *table_fd)
{
	int err;
	struct commit_work *p = ef_commit_start(dp, &err);

	if (!p)
		return err;
	for (__u32 id = 0; !err && id < EF_MAX_VIPS; id++) {
		const struct ef_vip_info *o = &p->old.vips[id];

		p->nw.vips[id] = img->vips[id];
		p->vip_kept[id] =
		    o->key.family && !memcmp(&o->key, &img->vips[id].key, sizeof(o->key));
		if (table_fd[id] >= 0 && (p->table_fd[id] = dup(table_fd[id])) < 0)
			err = ef_err(-errno, "cannot take table %u: %s", id, strerror(errno));
	}
	for (__u32 id = 0; !err && id < EF_MAX_BACKENDS; id++) {
		const struct ef_backend *o = &p->old.bes[id], *b = &img->bes[id];

		p->nw.bes[id] = *b;
		p->be_kept[id] = o->state != EF_BE_FREE && o->vip_id == b->vip_id &&
				 o->gen == b->gen && o->family == b->family &&
				 !memcmp(&o->addr, &b->addr, sizeof(o->addr));
	}
	return ef_commit_end(dp, p, err);
}
