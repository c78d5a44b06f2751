// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* commit.c: a whole configuration written into the inactive generation,
 * then one word flipped; see commit.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "core/commit.h"
#include "core/image.h"
#include "core/maglev.h"
#include "dp/maps.h"
#include "lib/ct_entry.h"
#include "lib/gen_key.h"
#include "lib/hash.h"
#include "lib/vip_index.h"
#include "util/addr.h"
#include "util/log.h"
#include "util/route.h"

/* What a commit builds before its first write. */
struct commit_work {
	__u32 gen;			/* the active generation */
	struct ef_image old, other, nw; /* active, inactive (as it is), to write */
	__u32 *vip_id;			/* per want->vips[i] */
	bool vip_kept[EF_MAX_VIPS];	/* id carries over from the active generation */
	bool be_kept[EF_MAX_BACKENDS];
	int table_fd[EF_MAX_VIPS]; /* the new generation's tables, -1: none */
	struct ef_vip_bucket *index;
	bool *ct_ref; /* backend ids some connection entry names (lazily) */
};

static int vip_id_of(const struct ef_image *img, const struct ef_vip_key *key)
{
	for (int id = 0; id < EF_MAX_VIPS; id++)
		if (img->vips[id].key.family && !memcmp(&img->vips[id].key, key, sizeof(*key)))
			return id;
	return -1;
}

/* Ids for the VIPs: kept where the VIP stays, else the lowest id unused in
 * the active generation (so counters of a removed VIP are not inherited in
 * the same commit), else any unassigned id. */
static int assign_vip_ids(const struct ef_conf *want, struct commit_work *p)
{
	bool taken[EF_MAX_VIPS] = {};

	for (size_t i = 0; i < want->n_vips; i++) {
		int id = vip_id_of(&p->old, &want->vips[i].key);

		p->vip_id[i] = id < 0 ? EF_MAX_VIPS : (__u32)id;
		if (id >= 0)
			taken[id] = p->vip_kept[id] = true;
	}
	for (size_t i = 0; i < want->n_vips; i++) {
		__u32 id;

		if (p->vip_id[i] < EF_MAX_VIPS)
			continue;
		for (id = 0; id < EF_MAX_VIPS; id++)
			if (!taken[id] && !p->old.vips[id].key.family)
				break;
		for (__u32 j = 0; id == EF_MAX_VIPS && j < EF_MAX_VIPS; j++)
			if (!taken[j])
				id = j;
		if (id == EF_MAX_VIPS)
			return ef_err(-ENOSPC, "no free VIP id (%d at most)", EF_MAX_VIPS);
		taken[id] = true;
		p->vip_id[i] = id;
	}
	return 0;
}

/* Backend ids some connection entry still names: a new backend avoids them
 * (and gets a new gen anyway, so a stale entry never follows an id to it). */
static int read_ct_refs(struct ef_dp *dp, struct commit_work *p)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct ef_ct_bucket *b;
	int err;

	p->ct_ref = calloc(EF_MAX_BACKENDS, sizeof(*p->ct_ref));
	if (!p->ct_ref)
		return ef_err(-ENOMEM, "out of memory");
	if (bpf_obj_get_info_by_fd(dp->conntrack, &info, &len))
		return ef_err(-errno, "cannot inspect the connection table: %s", strerror(errno));
	b = calloc(info.max_entries, sizeof(*b));
	if (!b)
		return ef_err(-ENOMEM, "out of memory");
	err = ef_array_read(dp->conntrack, 0, info.max_entries, sizeof(*b), b);
	for (__u32 i = 0; !err && i < info.max_entries; i++)
		for (int w = 0; w < EF_CT_WAYS; w++)
			if (b[i].way[w] & EF_CT_VALID)
				p->ct_ref[ef_ct_id(b[i].way[w])] = true;
	free(b);
	if (err)
		return ef_err(err, "cannot read the connection table: %s", strerror(-err));
	return 0;
}

static int old_backend_id(const struct ef_image *img, __u32 vip_id, const struct ef_conf_backend *b)
{
	for (int id = 0; id < EF_MAX_BACKENDS; id++) {
		const struct ef_backend *o = &img->bes[id];

		if (o->state != EF_BE_FREE && o->vip_id == vip_id && o->family == b->family &&
		    !memcmp(&o->addr, &b->addr, sizeof(b->addr)))
			return id;
	}
	return -1;
}

static __u32 max_gen(const struct commit_work *p, __u32 id)
{
	__u32 a = p->old.bes[id].gen, b = p->other.bes[id].gen;

	return a > b ? a : b;
}

/* The outer source toward a backend (and, for one new or coming up, a poke
 * that resolves its neighbour). An error only where the data plane needs it:
 * ipip without a source set on the VIP. */
static int backend_src(const struct ef_conf_vip *v, const struct ef_conf_backend *b, bool poke,
		       struct ef_addr *src)
{
	bool override = (b->family == EF_FAMILY_V4 && (v->vip.flags & EF_VIP_F_SRC4)) ||
			(b->family == EF_FAMILY_V6 && (v->vip.flags & EF_VIP_F_SRC6));
	char a[EF_ADDR_STRLEN];
	int err = ef_route_src(&b->addr, b->family, poke, src);

	if (!err)
		return 0;
	ef_addr_str(&b->addr, b->family, a, sizeof(a));
	if (override || v->vip.forward == EF_FWD_L2) {
		pr_warn("backend %s: %s (no route yet)", a, strerror(-err));
		return 0;
	}
	return ef_err(err, "backend %s: no source address toward it: %s", a, strerror(-err));
}

/*
 * An id for a new backend: one free in the running generation that no
 * connection entry names, else one free there, else one a backend leaving
 * with this change holds there: each generation has its own entries, so the
 * id names the old backend in the old one and the new backend in the new
 * one, and the new gen (above any that id had) keeps the old backend's
 * connection entries from matching the new one. So a change that fits the
 * limits once committed always finds ids (9000 backends replaced by 9000
 * others).
 */
static int new_backend_id(struct ef_dp *dp, struct commit_work *p, const bool *taken)
{
	int err;

	if (!p->ct_ref && (err = read_ct_refs(dp, p)))
		return err;
	for (__u32 k = 0; k < EF_MAX_BACKENDS; k++)
		if (!taken[k] && p->old.bes[k].state == EF_BE_FREE && !p->ct_ref[k])
			return (int)k;
	for (__u32 k = 0; k < EF_MAX_BACKENDS; k++)
		if (!taken[k] && p->old.bes[k].state == EF_BE_FREE)
			return (int)k;
	for (__u32 k = 0; k < EF_MAX_BACKENDS; k++)
		if (!taken[k])
			return (int)k;
	return ef_err(-ENOSPC, "no free backend id (%d at most)", EF_MAX_BACKENDS);
}

/* Backend entries of the new generation: staying backends keep id and gen,
 * new ones take a free id with a gen above any it had. */
static int assign_backends(struct ef_dp *dp, const struct ef_conf *want, struct commit_work *p)
{
	bool taken[EF_MAX_BACKENDS] = {};
	int err;

	for (__u32 id = 0; id < EF_MAX_BACKENDS; id++) {
		p->nw.bes[id] = (struct ef_backend){.gen = max_gen(p, id)};
	}
	/* first the ones that stay, so new ones never take their ids */
	for (size_t i = 0; i < want->n_vips; i++) {
		const struct ef_conf_vip *v = &want->vips[i];

		if (!p->vip_kept[p->vip_id[i]])
			continue;
		for (size_t j = 0; j < v->n_backends; j++) {
			int id = old_backend_id(&p->old, p->vip_id[i], &v->backends[j]);

			if (id >= 0)
				taken[id] = p->be_kept[id] = true;
		}
	}
	for (size_t i = 0; i < want->n_vips; i++) {
		const struct ef_conf_vip *v = &want->vips[i];
		__u32 vid = p->vip_id[i];

		for (size_t j = 0; j < v->n_backends; j++) {
			const struct ef_conf_backend *b = &v->backends[j];
			int id = p->vip_kept[vid] ? old_backend_id(&p->old, vid, b) : -1;
			struct ef_backend *e;
			bool poke;

			if (id < 0) {
				id = new_backend_id(dp, p, taken);
				if (id < 0)
					return id;
				taken[id] = true;
				p->nw.bes[id].gen = max_gen(p, id) + 1;
			}
			e = &p->nw.bes[id];
			if (p->be_kept[id])
				e->gen = p->old.bes[id].gen; /* its flows keep matching */
			poke = !p->be_kept[id] ||
			       (b->state == EF_BE_UP && p->old.bes[id].state != EF_BE_UP);
			err = backend_src(v, b, poke, &e->src);
			if (err)
				return err;
			e->addr = b->addr;
			e->family = b->family;
			e->vip_id = vid;
			e->weight = b->weight;
			e->state = b->state;
			e->admin = b->admin;
			e->health = b->health;
		}
	}
	return 0;
}

/* A new inner map holding a table (slot 0 = size). */
static int table_create(const __u32 *slots, __u32 size)
{
	LIBBPF_OPTS(bpf_map_create_opts, mo, .map_flags = BPF_F_INNER_MAP | BPF_F_MMAPABLE);
	__u32 *vals = malloc(((size_t)size + 1) * sizeof(*vals));
	int fd, err;

	if (!vals)
		return ef_err(-ENOMEM, "out of memory");
	vals[0] = size;
	memcpy(vals + 1, slots, (size_t)size * sizeof(*vals));
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ef_maglev_tbl", sizeof(__u32), sizeof(__u32),
			    size + 1, &mo);
	if (fd < 0) {
		err = -errno;
		free(vals);
		return ef_err(err, "cannot create a Maglev table of %u slots: %s", size,
			      strerror(-err));
	}
	err = ef_array_write(fd, 0, size + 1, sizeof(__u32), vals);
	free(vals);
	if (err) {
		close(fd);
		return ef_err(err, "cannot fill a Maglev table: %s", strerror(-err));
	}
	return fd;
}

/* Does the inner map `fd` hold exactly this table (slot 0 = size)? */
static bool table_equals(int fd, const __u32 *slots, __u32 size)
{
	__u32 *have = malloc(((size_t)size + 1) * sizeof(*have));
	bool same;

	if (!have)
		return false;
	same = !ef_array_read(fd, 0, size + 1, sizeof(*have), have) && have[0] == size &&
	       !memcmp(have + 1, slots, (size_t)size * sizeof(*slots));
	free(have);
	return same;
}

/* The new generation's table of VIP vid: the active one when it holds
 * exactly the slots it should (so a commit also repairs a table written
 * behind the CLI's back), else a fresh one; none if no backend is up. */
static int build_table(struct ef_dp *dp, struct commit_work *p, __u32 vid, const char *vs)
{
	struct ef_mg_backend *bes = calloc(EF_MAX_BACKENDS, sizeof(*bes));
	__u32 *slots = NULL, size, key, inner;
	size_t n = 0;
	int err = 0, nup, fd;

	if (!bes)
		return ef_err(-ENOMEM, "out of memory");
	for (__u32 id = 0; id < EF_MAX_BACKENDS; id++) {
		const struct ef_backend *b = &p->nw.bes[id];

		if (b->state == EF_BE_FREE || b->vip_id != vid)
			continue;
		bes[n++] = (struct ef_mg_backend){.addr = b->addr,
						  .id = id,
						  .weight = b->weight,
						  .family = b->family,
						  .state = b->state};
	}
	size = ef_vip_table_size(&p->nw.vips[vid].vip, n);
	slots = malloc((size_t)size * sizeof(*slots));
	if (!slots) {
		err = ef_err(-ENOMEM, "out of memory");
		goto out;
	}
	nup = ef_maglev_fill(bes, n, size, slots);
	if (nup < 0) {
		err = ef_err(nup, "vip %s: cannot fill its Maglev table: %s", vs, strerror(-nup));
		goto out;
	}
	if (!nup)
		goto out;
	p->nw.vips[vid].vip.table_slots = size;
	/* the VIP id's active table, if it already holds exactly these slots
	 * (staying backends keep their ids, so an unchanged VIP's table does) */
	key = ef_gen_vip(p->gen, vid);
	if (!bpf_map_lookup_elem(dp->maglev, &key, &inner)) {
		fd = bpf_map_get_fd_by_id(inner);
		if (fd >= 0 && table_equals(fd, slots, size)) {
			p->table_fd[vid] = fd;
			goto out;
		}
		if (fd >= 0)
			close(fd);
	}
	p->table_fd[vid] = table_create(slots, size);
	if (p->table_fd[vid] < 0)
		err = p->table_fd[vid];
out:
	free(slots);
	free(bes);
	return err;
}

/* The new generation's VIP index: each VIP in the emptier of its buckets. */
static int build_index(const struct ef_conf *want, struct commit_work *p)
{
	p->index = calloc(EF_VIP_INDEX_BUCKETS, sizeof(*p->index));
	if (!p->index)
		return ef_err(-ENOMEM, "out of memory");
	for (size_t i = 0; i < want->n_vips; i++) {
		__u32 h = ef_vip_hash(&want->vips[i].key);
		__u32 b[2] = {ef_vip_bucket1(h), ef_vip_bucket2(h)};
		int free_ways[2] = {0, 0}, best;
		char vs[EF_VIP_STRLEN];

		for (int k = 0; k < 2; k++)
			for (int w = 0; w < EF_VIP_INDEX_WAYS; w++)
				free_ways[k] += !p->index[b[k]].way[w];
		if (!free_ways[0] && !free_ways[1])
			return ef_err(-ENOSPC, "vip %s: the VIP index has no room for its key",
				      ef_vip_str(&want->vips[i].key, vs, sizeof(vs)));
		best = free_ways[1] > free_ways[0];
		for (int w = 0; w < EF_VIP_INDEX_WAYS; w++) {
			if (!p->index[b[best]].way[w]) {
				p->index[b[best]].way[w] = ef_vip_way(h, p->vip_id[i]);
				break;
			}
		}
	}
	return 0;
}

/* Everything before the first write. */
static int work_build(struct ef_dp *dp, const struct ef_conf *want, __u32 gen,
		      struct commit_work *p)
{
	int err;

	p->gen = gen;
	for (int i = 0; i < EF_MAX_VIPS; i++)
		p->table_fd[i] = -1;
	p->vip_id = calloc(want->n_vips ? want->n_vips : 1, sizeof(*p->vip_id));
	if (!p->vip_id)
		return ef_err(-ENOMEM, "out of memory");
	err = ef_image_read(dp, gen, &p->old);
	if (!err)
		err = ef_image_read(dp, !gen, &p->other);
	if (!err)
		err = ef_image_alloc(&p->nw);
	if (!err)
		err = assign_vip_ids(want, p);
	for (size_t i = 0; !err && i < want->n_vips; i++) {
		struct ef_vip_info *vi = &p->nw.vips[p->vip_id[i]];

		vi->key = want->vips[i].key;
		vi->vip = want->vips[i].vip;
		vi->vip.id = p->vip_id[i];
		vi->vip.table_slots = 0; /* set with its table */
	}
	if (!err)
		err = assign_backends(dp, want, p);
	for (size_t i = 0; !err && i < want->n_vips; i++) {
		char vs[EF_VIP_STRLEN];

		err = build_table(dp, p, p->vip_id[i],
				  ef_vip_str(&want->vips[i].key, vs, sizeof(vs)));
	}
	if (!err)
		err = build_index(want, p);
	return err;
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

int ef_conf_commit(struct ef_dp *dp, const struct ef_conf *want)
{
	struct commit_work *p;
	__u32 gen, next, zero = 0;
	int err;

	err = ef_conf_validate(want);
	if (err)
		return err;
	err = ef_dp_gen(dp, &gen);
	if (err)
		return err;
	next = !gen;
	p = calloc(1, sizeof(*p));
	if (!p)
		return ef_err(-ENOMEM, "out of memory");
	err = work_build(dp, want, gen, p);
	if (!err)
		err = write_generation(dp, p, next);
	if (err)
		goto out;
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
		goto out;
	}
	if (write_addresses(dp, &p->nw, true))
		pr_warn("the VIP address filter keeps old addresses (harmless superset)");
out:
	work_free(p);
	free(p);
	return err;
}
