// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* live.c: reads of the active configuration generation; see live.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "core/image.h"
#include "core/live.h"
#include "dp/maps.h"
#include "lib/gen_key.h"
#include "util/addr.h"
#include "util/log.h"

/* The backends of VIP id in img, appended to v (sorted by the caller). */
static int read_backends(const struct ef_image *img, __u32 id, struct ef_conf_vip *v)
{
	for (__u32 bid = 0; bid < EF_MAX_BACKENDS; bid++) {
		const struct ef_backend *b = &img->bes[bid];
		struct ef_conf_backend *nb;

		if (b->state == EF_BE_FREE || b->vip_id != id)
			continue;
		nb = realloc(v->backends, (v->n_backends + 1) * sizeof(*nb));
		if (!nb)
			return ef_err(-ENOMEM, "out of memory");
		v->backends = nb;
		nb[v->n_backends++] = (struct ef_conf_backend){.addr = b->addr,
							       .family = b->family,
							       .admin = b->admin,
							       .health = b->health,
							       .state = b->state,
							       .weight = b->weight};
	}
	return 0;
}

int ef_conf_read(struct ef_dp *dp, struct ef_conf *out)
{
	struct ef_image img = {};
	__u32 gen;
	int err;

	memset(out, 0, sizeof(*out));
	err = ef_dp_gen(dp, &gen);
	if (!err)
		err = ef_image_read(dp, gen, &img);
	if (err)
		return err;
	out->vips = calloc(EF_MAX_VIPS, sizeof(*out->vips));
	if (!out->vips)
		err = ef_err(-ENOMEM, "out of memory");
	for (__u32 id = 0; !err && id < EF_MAX_VIPS; id++) {
		struct ef_conf_vip *v;

		if (!img.vips[id].key.family)
			continue;
		v = &out->vips[out->n_vips++];
		v->key = img.vips[id].key;
		v->vip = img.vips[id].vip;
		v->vip.id = id;
		err = read_backends(&img, id, v);
	}
	ef_image_free(&img);
	if (err)
		ef_conf_free(out);
	else
		ef_conf_sort(out);
	return err;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct ef_vip_entry *x = a, *y = b;
	struct ef_conf_vip cx = {.key = x->key}, cy = {.key = y->key};

	return ef_conf_vip_cmp(&cx, &cy);
}

int ef_vip_list(struct ef_dp *dp, struct ef_vip_entry **out, size_t *n)
{
	struct ef_vip_info *info = calloc(EF_MAX_VIPS, sizeof(*info));
	struct ef_vip_entry *v = calloc(EF_MAX_VIPS, sizeof(*v));
	size_t cnt = 0;
	__u32 gen;
	int err;

	if (!info || !v) {
		err = ef_err(-ENOMEM, "out of memory");
		goto fail;
	}
	err = ef_dp_gen(dp, &gen);
	if (err)
		goto fail;
	err = ef_array_read(dp->vip_info, ef_gen_vip(gen, 0), EF_MAX_VIPS, sizeof(*info), info);
	if (err) {
		ef_err(err, "cannot read the VIPs: %s", strerror(-err));
		goto fail;
	}
	for (__u32 id = 0; id < EF_MAX_VIPS; id++) {
		if (!info[id].key.family)
			continue;
		v[cnt].key = info[id].key;
		v[cnt].vip = info[id].vip;
		v[cnt].vip.id = id;
		cnt++;
	}
	free(info);
	qsort(v, cnt, sizeof(*v), cmp_entry);
	*out = v;
	*n = cnt;
	return 0;
fail:
	free(info);
	free(v);
	return err;
}

int ef_vip_get(struct ef_dp *dp, const struct ef_vip_key *key, struct ef_vip *vip)
{
	struct ef_vip_entry *v;
	char s[EF_VIP_STRLEN];
	size_t n, i;
	int err = ef_vip_list(dp, &v, &n);

	if (err)
		return err;
	for (i = 0; i < n; i++)
		if (!memcmp(&v[i].key, key, sizeof(*key)))
			break;
	if (i < n)
		*vip = v[i].vip;
	free(v);
	if (i == n)
		return ef_err(-ENOENT, "vip %s: no such VIP", ef_vip_str(key, s, sizeof(s)));
	return 0;
}

int ef_backends_read(struct ef_dp *dp, struct ef_backend **all)
{
	struct ef_backend *vals = calloc(EF_MAX_BACKENDS, sizeof(*vals));
	__u32 gen;
	int err;

	*all = NULL;
	if (!vals)
		return ef_err(-ENOMEM, "out of memory");
	err = ef_dp_gen(dp, &gen);
	if (err)
		goto fail;
	err = ef_array_read(dp->backends, ef_gen_backend(gen, 0), EF_MAX_BACKENDS, sizeof(*vals),
			    vals);
	if (err) {
		ef_err(err, "cannot read the backends: %s", strerror(-err));
		goto fail;
	}
	*all = vals;
	return 0;
fail:
	free(vals);
	return err;
}

int ef_backend_read(struct ef_dp *dp, __u32 id, struct ef_backend *b)
{
	__u32 gen, key;
	int err;

	memset(b, 0, sizeof(*b));
	if (id >= EF_MAX_BACKENDS)
		return 0;
	err = ef_dp_gen(dp, &gen);
	if (err)
		return err;
	key = ef_gen_backend(gen, id);
	if (bpf_map_lookup_elem(dp->backends, &key, b))
		return ef_err(-errno, "cannot read backend %u: %s", id, strerror(errno));
	return 0;
}

size_t ef_backend_count(const struct ef_backend *all, __u32 vip_id)
{
	size_t id, n = 0;

	for (id = 0; id < EF_MAX_BACKENDS; id++)
		n += all[id].vip_id == vip_id && all[id].state != EF_BE_FREE;
	return n;
}

__u32 ef_table_map_id(struct ef_dp *dp, __u32 vip_id)
{
	__u32 gen, key, id = 0;

	if (ef_dp_gen(dp, &gen))
		return 0;
	key = ef_gen_vip(gen, vip_id);
	if (bpf_map_lookup_elem(dp->maglev, &key, &id))
		return 0;
	return id;
}

int ef_table_read(struct ef_dp *dp, __u32 vip_id, __u32 **table, __u32 *m)
{
	__u32 inner_id, key = 0, size;
	int fd, err;

	*table = NULL;
	*m = 0;
	inner_id = ef_table_map_id(dp, vip_id);
	if (!inner_id)
		return -ENOENT;
	fd = bpf_map_get_fd_by_id(inner_id);
	if (fd < 0)
		return ef_err(-errno, "cannot open Maglev table %u: %s", inner_id, strerror(errno));
	if (bpf_map_lookup_elem(fd, &key, &size) || size < 1) {
		err = ef_err(-EIO, "Maglev table %u has no size", inner_id);
		goto out;
	}
	*table = malloc((size_t)size * sizeof(**table));
	if (!*table) {
		err = ef_err(-ENOMEM, "out of memory");
		goto out;
	}
	err = ef_array_read(fd, 1, size, sizeof(**table), *table);
	if (err) {
		free(*table);
		*table = NULL;
		ef_err(err, "cannot read Maglev table %u: %s", inner_id, strerror(-err));
		goto out;
	}
	*m = size;
out:
	close(fd);
	return err;
}

/* The one VIP asked for, as a list of one. */
static int list_one(struct ef_dp *dp, const struct ef_vip_key *key, struct ef_vip_entry **out,
		    size_t *n)
{
	struct ef_vip vip;
	int err;

	err = ef_vip_get(dp, key, &vip);
	if (err)
		return err;
	*out = malloc(sizeof(**out));
	if (!*out)
		return ef_err(-ENOMEM, "out of memory");
	(*out)->key = *key;
	(*out)->vip = vip;
	*n = 1;
	return 0;
}

int ef_listing_open(const char *pin_dir, const struct ef_vip_key *only, struct ef_listing *l)
{
	int err;

	memset(l, 0, sizeof(*l));
	err = ef_dp_open_loaded(pin_dir, &l->dp);
	if (err)
		return err;
	if (only)
		err = list_one(&l->dp, only, &l->vips, &l->n_vips);
	else
		err = ef_vip_list(&l->dp, &l->vips, &l->n_vips);
	if (!err)
		err = ef_backends_read(&l->dp, &l->backends);
	if (err)
		ef_listing_close(l);
	return err;
}

void ef_listing_close(struct ef_listing *l)
{
	free(l->backends);
	free(l->vips);
	ef_dp_close(&l->dp);
}
