// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* vips.c: VIPs, address filter and Maglev tables in the maps; see vips.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "util/addr.h"
#include "core/conf.h"
#include "core/backends.h"
#include "lib/hash.h"
#include "util/log.h"
#include "core/maglev.h"
#include "lib/vip_index.h"
#include "core/vips.h"

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

static int cmp_entry(const void *a, const void *b)
{
	const struct ef_vip_entry *x = a, *y = b;
	int c = ef_addr_cmp(&x->key.addr, x->key.family, &y->key.addr, y->key.family);

	if (c)
		return c;
	if (x->key.proto != y->key.proto)
		return x->key.proto < y->key.proto ? -1 : 1;
	return (ntohs(x->key.port) > ntohs(y->key.port)) -
	       (ntohs(x->key.port) < ntohs(y->key.port));
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
	err = ef_array_read(dp->vip_info, gen * EF_MAX_VIPS, EF_MAX_VIPS, sizeof(*info), info);
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

__u32 ef_vip_table_size(const struct ef_vip *vip, size_t n_backends)
{
	return vip->table_size ? vip->table_size : ef_maglev_default_size(n_backends);
}

int ef_table_read(struct ef_dp *dp, __u32 vip_id, __u32 **table, __u32 *m)
{
	__u32 inner_id, key, gen, size;
	int fd, err;

	*table = NULL;
	*m = 0;
	err = ef_dp_gen(dp, &gen);
	if (err)
		return err;
	key = gen * EF_MAX_VIPS + vip_id;
	if (bpf_map_lookup_elem(dp->maglev, &key, &inner_id))
		return errno == ENOENT
			   ? -ENOENT
			   : ef_err(-errno, "cannot read the Maglev table: %s", strerror(errno));
	fd = bpf_map_get_fd_by_id(inner_id);
	if (fd < 0)
		return ef_err(-errno, "cannot open Maglev table %u: %s", inner_id, strerror(errno));
	key = 0;
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

int ef_vip_add(struct ef_dp *dp, const struct ef_vip_key *key, struct ef_vip *vip)
{
	struct ef_conf_vip *v;
	struct ef_conf c;
	char s[EF_VIP_STRLEN];
	int err;

	err = ef_conf_read(dp, &c);
	if (err)
		return err;
	for (size_t i = 0; i < c.n_vips; i++) {
		if (!memcmp(&c.vips[i].key, key, sizeof(*key))) {
			err = ef_err(-EEXIST, "vip %s: already exists",
				     ef_vip_str(key, s, sizeof(s)));
			goto out;
		}
	}
	if (c.n_vips == EF_MAX_VIPS) {
		err = ef_err(-ENOSPC, "vip %s: %d VIPs at most", ef_vip_str(key, s, sizeof(s)),
			     EF_MAX_VIPS);
		goto out;
	}
	v = &c.vips[c.n_vips++]; /* ef_conf_read leaves room for EF_MAX_VIPS */
	*v = (struct ef_conf_vip){.key = *key, .vip = *vip};
	err = ef_conf_commit(dp, &c);
out:
	ef_conf_free(&c);
	return err;
}

int ef_vip_del(struct ef_dp *dp, const struct ef_vip_key *key)
{
	struct ef_conf c;
	char s[EF_VIP_STRLEN];
	size_t i;
	int err;

	err = ef_conf_read(dp, &c);
	if (err)
		return err;
	for (i = 0; i < c.n_vips; i++)
		if (!memcmp(&c.vips[i].key, key, sizeof(*key)))
			break;
	if (i == c.n_vips) {
		err = ef_err(-ENOENT, "vip %s: no such VIP", ef_vip_str(key, s, sizeof(s)));
		goto out;
	}
	/* its backends go with it: their flows are hashed again (to nothing) */
	free(c.vips[i].backends);
	c.vips[i] = c.vips[--c.n_vips];
	err = ef_conf_commit(dp, &c);
out:
	ef_conf_free(&c);
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
	err = ef_dp_open(pin_dir, NULL, &l->dp);
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
