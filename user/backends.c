// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* backends.c: backends in evenflow_backends and their tables; see backends.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "addr.h"
#include "backends.h"
#include "log.h"
#include "vips.h"

const char *ef_state_str(__u8 state)
{
	switch (state) {
	case EF_BE_UP:
		return "up";
	case EF_BE_DRAIN:
		return "drain";
	case EF_BE_DOWN:
		return "down";
	case EF_BE_REMOVED:
		return "removed";
	default:
		return "free";
	}
}

int ef_state_parse(const char *s)
{
	if (!strcmp(s, "up"))
		return EF_BE_UP;
	if (!strcmp(s, "down"))
		return EF_BE_DOWN;
	if (!strcmp(s, "drain"))
		return EF_BE_DRAIN;
	return -1;
}

int ef_backends_read(struct ef_dp *dp, struct ef_backend **all)
{
	struct ef_backend *vals;
	__u32 *keys, out_batch = 0, count = EF_MAX_BACKENDS, i;
	int err = 0;

	vals = calloc(EF_MAX_BACKENDS, sizeof(*vals));
	keys = calloc(EF_MAX_BACKENDS, sizeof(*keys));
	if (!vals || !keys) {
		err = ef_err(-ENOMEM, "out of memory");
		goto out;
	}
	if (bpf_map_lookup_batch(dp->backends, NULL, &out_batch, keys, vals, &count, NULL) &&
	    errno != ENOENT)
		count = 0;
	if (count != EF_MAX_BACKENDS) {
		/* no batch support: one lookup per id */
		for (i = 0; i < EF_MAX_BACKENDS; i++)
			if (bpf_map_lookup_elem(dp->backends, &i, &vals[i])) {
				err =
				    ef_err(-errno, "cannot read the backends: %s", strerror(errno));
				goto out;
			}
	} else {
		for (i = 0; i < count; i++)
			if (keys[i] != i) {
				err = ef_err(-EIO, "backend map read out of order");
				goto out;
			}
	}
out:
	free(keys);
	if (err) {
		free(vals);
		vals = NULL;
	}
	*all = vals;
	return err;
}

int ef_backend_find(const struct ef_backend *all, __u32 vip_id, const struct ef_addr *addr,
		    __u8 family, bool with_removed)
{
	int id;

	for (id = 0; id < EF_MAX_BACKENDS; id++) {
		const struct ef_backend *b = &all[id];

		if (b->state == EF_BE_FREE || (b->state == EF_BE_REMOVED && !with_removed))
			continue;
		if (b->vip_id == vip_id && b->family == family &&
		    !memcmp(&b->addr, addr, sizeof(*addr)))
			return id;
	}
	return -1;
}

size_t ef_backend_count(const struct ef_backend *all, __u32 vip_id)
{
	size_t id, n = 0;

	for (id = 0; id < EF_MAX_BACKENDS; id++)
		if (all[id].vip_id == vip_id && all[id].state != EF_BE_FREE &&
		    all[id].state != EF_BE_REMOVED)
			n++;
	return n;
}

bool ef_backend_family_ok(const struct ef_vip_key *key, const struct ef_vip *vip, __u8 family,
			  const char **why)
{
	if (vip->forward == EF_FWD_L2 && family != key->family) {
		*why = "l2 forwarding needs a backend of the VIP's address family";
		return false;
	}
	if (key->family == EF_FAMILY_V6 && family != EF_FAMILY_V6) {
		*why = "an IPv6 VIP needs IPv6 backends (no IPv6-in-IPv4)";
		return false;
	}
	return true;
}

int ef_route_src(const struct ef_addr *addr, __u8 family, bool poke, struct ef_addr *src)
{
	struct sockaddr_storage ss = {};
	socklen_t len;
	int fd, err = 0;

	memset(src, 0, sizeof(*src));
	if (family == EF_FAMILY_V6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(9); /* discard */
		memcpy(&s6->sin6_addr, addr->a8, 16);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(9);
		s4->sin_addr.s_addr = addr->a32[0];
		len = sizeof(*s4);
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ss, len)) {
		err = -errno;
		goto out;
	}
	/* One byte to the discard port makes the kernel resolve the neighbour
	 * (ARP/ND) now, so the first packets of the data plane find it. */
	if (poke && send(fd, "", 1, MSG_DONTWAIT) < 0)
		pr_debug("neighbour poke failed: %s", strerror(errno));
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len)) {
		err = -errno;
		goto out;
	}
	if (family == EF_FAMILY_V6)
		memcpy(src->a8, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
	else
		src->a32[0] = ((struct sockaddr_in *)&ss)->sin_addr.s_addr;
out:
	close(fd);
	return err;
}

/* Outer source toward a backend; an error only when the data plane would
 * need it (ipip without an override on the VIP). */
static int backend_src(const struct ef_vip *vip, const struct ef_addr *addr, __u8 family,
		       struct ef_addr *src)
{
	bool override = (family == EF_FAMILY_V4 && (vip->flags & EF_VIP_F_SRC4)) ||
			(family == EF_FAMILY_V6 && (vip->flags & EF_VIP_F_SRC6));
	char a[EF_ADDR_STRLEN];
	int err = ef_route_src(addr, family, true, src);

	if (!err)
		return 0;
	ef_addr_str(addr, family, a, sizeof(a));
	if (override || vip->forward == EF_FWD_L2) {
		pr_warn("backend %s: %s (no route yet)", a, strerror(-err));
		return 0;
	}
	return ef_err(err, "backend %s: no source address toward it: %s", a, strerror(-err));
}

/* The backend entry id is written before the table when it becomes usable
 * (a table never points at an entry that is not there yet), after the table
 * when it stops being usable. */
static int write_backend_and_table(struct ef_dp *dp, const struct ef_vip *vip,
				   struct ef_backend *all, __u32 id, bool entry_first)
{
	struct ef_table t;
	int err;

	err = ef_table_prepare(vip, all, &t);
	if (err)
		return err;
	if (entry_first && bpf_map_update_elem(dp->backends, &id, &all[id], BPF_ANY)) {
		ef_table_discard(&t);
		return ef_err(-errno, "cannot write backend %u: %s", id, strerror(errno));
	}
	err = ef_table_commit(dp, vip->id, &t);
	if (err)
		return err;
	if (!entry_first && bpf_map_update_elem(dp->backends, &id, &all[id], BPF_ANY))
		return ef_err(-errno, "cannot write backend %u: %s", id, strerror(errno));
	return 0;
}

static int lookup_vip_and_backends(struct ef_dp *dp, const struct ef_vip_key *key,
				   struct ef_vip *vip, struct ef_backend **all)
{
	int err = ef_vip_get(dp, key, vip);

	if (err)
		return err;
	return ef_backends_read(dp, all);
}

int ef_backend_add(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
		   __u8 family, __u16 weight)
{
	char a[EF_ADDR_STRLEN], v[EF_VIP_STRLEN];
	struct ef_backend *all = NULL, *b;
	struct ef_vip vip;
	const char *why;
	int id, err;
	__u32 size;

	ef_addr_str(addr, family, a, sizeof(a));
	ef_vip_str(key, v, sizeof(v));
	if (!weight)
		return ef_usage("backend %s: weight must be 1..65535", a);
	err = lookup_vip_and_backends(dp, key, &vip, &all);
	if (err)
		return err;
	if (!ef_backend_family_ok(key, &vip, family, &why)) {
		err = ef_err(-EAFNOSUPPORT, "backend %s: %s", a, why);
		goto out;
	}
	if (ef_backend_find(all, vip.id, addr, family, false) >= 0) {
		err = ef_err(-EEXIST, "backend %s: already a backend of %s", a, v);
		goto out;
	}
	size = ef_vip_table_size(&vip, ef_backend_count(all, vip.id) + 1);
	if (!size || ef_backend_count(all, vip.id) + 1 > size) {
		err = ef_err(-E2BIG, "backend %s: the %u-slot table of %s has no room for more", a,
			     size, v);
		goto out;
	}
	/* the id: this address's old one on this VIP, else lowest FREE, else
	 * lowest REMOVED (see backends.h for why reuse is safe) */
	id = ef_backend_find(all, vip.id, addr, family, true);
	for (__u32 i = 0; id < 0 && i < EF_MAX_BACKENDS; i++)
		if (all[i].state == EF_BE_FREE)
			id = (int)i;
	for (__u32 i = 0; id < 0 && i < EF_MAX_BACKENDS; i++)
		if (all[i].state == EF_BE_REMOVED)
			id = (int)i;
	if (id < 0) {
		err = ef_err(-ENOSPC, "backend %s: no free backend id (%d at most)", a,
			     EF_MAX_BACKENDS);
		goto out;
	}
	b = &all[id];
	err = backend_src(&vip, addr, family, &b->src);
	if (err)
		goto out;
	b->addr = *addr;
	b->family = family;
	b->vip_id = vip.id;
	b->gen++;
	b->weight = weight;
	b->state = EF_BE_UP;

	err = ef_percpu_zero(dp->backend_stats, (__u32)id, dp->ncpus, sizeof(struct ef_traffic));
	if (err) {
		ef_err(err, "backend %s: cannot reset its counters: %s", a, strerror(-err));
		goto out;
	}
	err = write_backend_and_table(dp, &vip, all, (__u32)id, true);
out:
	free(all);
	return err;
}

int ef_backend_set(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
		   __u8 family, __u16 weight, __u8 state)
{
	char a[EF_ADDR_STRLEN], v[EF_VIP_STRLEN];
	struct ef_backend *all = NULL, *b;
	struct ef_vip vip;
	int id, err;

	ef_addr_str(addr, family, a, sizeof(a));
	ef_vip_str(key, v, sizeof(v));
	err = lookup_vip_and_backends(dp, key, &vip, &all);
	if (err)
		return err;
	id = ef_backend_find(all, vip.id, addr, family, false);
	if (id < 0) {
		err = ef_err(-ENOENT, "backend %s: not a backend of %s", a, v);
		goto out;
	}
	b = &all[id];
	if (weight)
		b->weight = weight;
	if (state != EF_BE_FREE)
		b->state = state;
	if (b->state == EF_BE_UP) {
		struct ef_addr src;

		if (!ef_route_src(addr, family, true, &src))
			b->src = src; /* routes may have changed since add */
	}
	err = write_backend_and_table(dp, &vip, all, (__u32)id, b->state == EF_BE_UP);
out:
	free(all);
	return err;
}

int ef_backend_del(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
		   __u8 family)
{
	char a[EF_ADDR_STRLEN], v[EF_VIP_STRLEN];
	struct ef_backend *all = NULL;
	struct ef_vip vip;
	int id, err;

	ef_addr_str(addr, family, a, sizeof(a));
	ef_vip_str(key, v, sizeof(v));
	err = lookup_vip_and_backends(dp, key, &vip, &all);
	if (err)
		return err;
	id = ef_backend_find(all, vip.id, addr, family, false);
	if (id < 0) {
		err = ef_err(-ENOENT, "backend %s: not a backend of %s", a, v);
		goto out;
	}
	/* like down: out of the table first, then marked REMOVED so flows
	 * pinned to it are hashed again; the id is reused only once every FREE
	 * one is taken, and with a new gen */
	all[id].state = EF_BE_REMOVED;
	err = write_backend_and_table(dp, &vip, all, (__u32)id, false);
out:
	free(all);
	return err;
}
