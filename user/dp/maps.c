// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* maps.c: reading and writing whole stretches of maps; see maps.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "dp/maps.h"
#include "lib/ct_entry.h"

/* The values of a BPF_F_MMAPABLE array map, mapped (NULL if it is not one,
 * or has fewer than `upto` entries: the caller then goes by syscalls, which
 * refuse keys past the end); each value takes its size rounded up to 8 bytes. */
static void *array_map(int fd, __u32 upto, size_t *len, size_t *stride)
{
	struct bpf_map_info info = {};
	__u32 ilen = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);
	void *mem;

	if (bpf_obj_get_info_by_fd(fd, &info, &ilen) || !(info.map_flags & BPF_F_MMAPABLE) ||
	    upto > info.max_entries)
		return NULL;
	*stride = (info.value_size + 7) & ~7U;
	*len = ((size_t)*stride * info.max_entries + page - 1) & ~(size_t)(page - 1);
	mem = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	return mem == MAP_FAILED ? NULL : mem;
}

int ef_array_read(int fd, __u32 start, __u32 n, size_t value_size, void *vals)
{
	__u32 *keys, prev = start - 1, out = 0, count = n, i;
	size_t len, stride;
	char *mem = array_map(fd, start + n, &len, &stride);
	int err = 0;

	if (mem) {
		for (i = 0; i < n; i++)
			memcpy((char *)vals + (size_t)i * value_size,
			       mem + (size_t)(start + i) * stride, value_size);
		munmap(mem, len);
		return 0;
	}
	keys = calloc(n ? n : 1, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	/* a batch starts after the key it is given */
	if (bpf_map_lookup_batch(fd, start ? &prev : NULL, &out, keys, vals, &count, NULL) &&
	    errno != ENOENT)
		count = 0;
	for (i = 0; i < count && count == n; i++)
		if (keys[i] != start + i)
			count = 0;
	if (count != n) {
		for (i = 0; i < n; i++) {
			__u32 key = start + i;

			if (bpf_map_lookup_elem(fd, &key, (char *)vals + (size_t)i * value_size)) {
				err = -errno;
				break;
			}
		}
	}
	free(keys);
	return err;
}

int ef_array_write(int fd, __u32 start, __u32 n, size_t value_size, const void *vals)
{
	__u32 *keys, count = n, i;
	size_t len, stride;
	char *mem = array_map(fd, start + n, &len, &stride);
	int err = 0;

	if (mem) {
		for (i = 0; i < n; i++)
			memcpy(mem + (size_t)(start + i) * stride,
			       (const char *)vals + (size_t)i * value_size, value_size);
		munmap(mem, len);
		return 0;
	}
	keys = calloc(n ? n : 1, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		keys[i] = start + i;
	if (bpf_map_update_batch(fd, keys, vals, &count, NULL) || count != n) {
		for (i = 0; i < n; i++) {
			if (bpf_map_update_elem(fd, &keys[i],
						(const char *)vals + (size_t)i * value_size,
						BPF_ANY)) {
				err = -errno;
				break;
			}
		}
	}
	free(keys);
	return err;
}

int ef_percpu_sum(int fd, __u32 key, int ncpus, size_t nwords, __u64 *out)
{
	__u64 *vals = calloc((size_t)ncpus * nwords, sizeof(__u64));
	size_t c, w;

	if (!vals)
		return -ENOMEM;
	memset(out, 0, nwords * sizeof(*out));
	if (bpf_map_lookup_elem(fd, &key, vals)) {
		int err = -errno;

		free(vals);
		return err;
	}
	for (c = 0; c < (size_t)ncpus; c++)
		for (w = 0; w < nwords; w++)
			out[w] += vals[c * nwords + w];
	free(vals);
	return 0;
}

int ef_percpu_zero(int fd, __u32 key, int ncpus, size_t value_size)
{
	/* per-CPU values are laid out every round_up(value_size, 8) bytes */
	size_t stride = (value_size + 7) & ~(size_t)7;
	void *vals = calloc((size_t)ncpus, stride);
	int err = 0;

	if (!vals)
		return -ENOMEM;
	if (bpf_map_update_elem(fd, &key, vals, BPF_ANY))
		err = -errno;
	free(vals);
	return err;
}
long ef_map_count(int fd, size_t key_size)
{
	char cur[256], next[256];
	void *prev = NULL;
	long n = 0;

	if (key_size > sizeof(cur))
		return -EINVAL;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(cur, next, key_size);
		prev = cur;
		n++;
	}
	return n;
}

static void fill_add(struct ef_ct_fill *fill, const struct ef_ct_bucket *b)
{
	for (int w = 0; w < EF_CT_WAYS; w++) {
		fill->used += (b->way[w] & EF_CT_VALID) != 0;
		fill->established +=
		    (b->way[w] & (EF_CT_VALID | EF_CT_ESTAB)) == (EF_CT_VALID | EF_CT_ESTAB);
	}
}

int ef_conntrack_fill(int conntrack_fd, struct ef_ct_fill *fill)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), i;
	struct ef_ct_bucket b;
	size_t mlen, stride;
	char *mem;

	memset(fill, 0, sizeof(*fill));
	if (bpf_obj_get_info_by_fd(conntrack_fd, &info, &len))
		return -errno;
	fill->slots = (__u64)info.max_entries * EF_CT_WAYS;
	mem = array_map(conntrack_fd, info.max_entries, &mlen, &stride);
	for (i = 0; i < info.max_entries; i++) {
		if (mem) {
			fill_add(fill, (const struct ef_ct_bucket *)(mem + (size_t)i * stride));
			continue;
		}
		if (bpf_map_lookup_elem(conntrack_fd, &i, &b))
			return -errno;
		fill_add(fill, &b);
	}
	if (mem)
		munmap(mem, mlen);
	return 0;
}

bool ef_outer_holds(int outer, __u32 key, int inner_fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), id;

	return !bpf_map_lookup_elem(outer, &key, &id) &&
	       !bpf_obj_get_info_by_fd(inner_fd, &info, &len) && info.id == id;
}

int ef_outer_update(int outer, const __u32 *keys, const int *inner_fds, __u32 n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 count = n;

	if (!n || !bpf_map_update_batch(outer, keys, inner_fds, &count, &opts))
		return 0;
	for (__u32 i = 0; i < n; i++)
		if (bpf_map_update_elem(outer, &keys[i], &inner_fds[i], BPF_ANY))
			return -errno;
	return 0;
}

int ef_outer_delete(int outer, const __u32 *keys, __u32 n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 count = n;

	if (!n || !bpf_map_delete_batch(outer, keys, &count, &opts))
		return 0;
	for (__u32 i = 0; i < n; i++)
		if (bpf_map_delete_elem(outer, &keys[i]) && errno != ENOENT)
			return -errno;
	return 0;
}
