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

#include "util/addr.h"
#include "core/backends.h"
#include "core/conf.h"
#include "util/log.h"
#include "core/vips.h"

const char *ef_state_str(__u8 state)
{
	switch (state) {
	case EF_BE_UP:
		return "up";
	case EF_BE_DRAIN:
		return "drain";
	case EF_BE_DOWN:
		return "down";
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
	struct ef_backend *vals = calloc(EF_MAX_BACKENDS, sizeof(*vals));
	__u32 gen;
	int err;

	*all = NULL;
	if (!vals)
		return ef_err(-ENOMEM, "out of memory");
	err = ef_dp_gen(dp, &gen);
	if (err)
		goto fail;
	err = ef_array_read(dp->backends, gen * EF_MAX_BACKENDS, EF_MAX_BACKENDS, sizeof(*vals),
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

size_t ef_backend_count(const struct ef_backend *all, __u32 vip_id)
{
	size_t id, n = 0;

	for (id = 0; id < EF_MAX_BACKENDS; id++)
		n += all[id].vip_id == vip_id && all[id].state != EF_BE_FREE;
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

/* The VIP's entry in a configuration read whole (an error recorded if it
 * has none) and the backend's index in it, or -1. */
static int find_in_conf(struct ef_conf *c, const struct ef_vip_key *key, const struct ef_addr *addr,
			__u8 family, struct ef_conf_vip **vip, int *backend)
{
	char v[EF_VIP_STRLEN];

	ef_vip_str(key, v, sizeof(v));
	*vip = NULL;
	*backend = -1;
	for (size_t i = 0; i < c->n_vips; i++)
		if (!memcmp(&c->vips[i].key, key, sizeof(*key)))
			*vip = &c->vips[i];
	if (!*vip)
		return ef_err(-ENOENT, "vip %s: no such VIP", v);
	for (size_t j = 0; j < (*vip)->n_backends; j++) {
		const struct ef_conf_backend *b = &(*vip)->backends[j];

		if (b->family == family && !memcmp(&b->addr, addr, sizeof(*addr)))
			*backend = (int)j;
	}
	return 0;
}

int ef_backend_add(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
		   __u8 family, __u16 weight)
{
	char a[EF_ADDR_STRLEN], v[EF_VIP_STRLEN];
	struct ef_conf_backend *nb;
	struct ef_conf_vip *vip;
	struct ef_conf c;
	const char *why;
	int j, err;

	ef_addr_str(addr, family, a, sizeof(a));
	ef_vip_str(key, v, sizeof(v));
	if (!weight)
		return ef_usage("backend %s: weight must be 1..65535", a);
	err = ef_conf_read(dp, &c);
	if (err)
		return err;
	err = find_in_conf(&c, key, addr, family, &vip, &j);
	if (err)
		goto out;
	if (!ef_backend_family_ok(key, &vip->vip, family, &why)) {
		err = ef_err(-EAFNOSUPPORT, "backend %s: %s", a, why);
		goto out;
	}
	if (j >= 0) {
		err = ef_err(-EEXIST, "backend %s: already a backend of %s", a, v);
		goto out;
	}
	nb = realloc(vip->backends, (vip->n_backends + 1) * sizeof(*nb));
	if (!nb) {
		err = ef_err(-ENOMEM, "out of memory");
		goto out;
	}
	vip->backends = nb;
	nb[vip->n_backends++] = (struct ef_conf_backend){
	    .addr = *addr, .family = family, .state = EF_BE_UP, .weight = weight};
	err = ef_conf_commit(dp, &c);
out:
	ef_conf_free(&c);
	return err;
}

/* The configuration read whole into c (freed again on failure) and the
 * backend in it: its VIP's entry and its index; -ENOENT recorded if the VIP
 * or the backend is not there. */
static int read_backend(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
			__u8 family, struct ef_conf *c, struct ef_conf_vip **vip, int *j)
{
	char a[EF_ADDR_STRLEN], v[EF_VIP_STRLEN];
	int err;

	err = ef_conf_read(dp, c);
	if (err)
		return err;
	err = find_in_conf(c, key, addr, family, vip, j);
	if (!err && *j < 0)
		err =
		    ef_err(-ENOENT, "backend %s: not a backend of %s",
			   ef_addr_str(addr, family, a, sizeof(a)), ef_vip_str(key, v, sizeof(v)));
	if (err)
		ef_conf_free(c);
	return err;
}

int ef_backend_set(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
		   __u8 family, __u16 weight, __u8 state)
{
	struct ef_conf_vip *vip;
	struct ef_conf c;
	int j, err;

	err = read_backend(dp, key, addr, family, &c, &vip, &j);
	if (err)
		return err;
	if (weight)
		vip->backends[j].weight = weight;
	if (state != EF_BE_FREE)
		vip->backends[j].state = state;
	err = ef_conf_commit(dp, &c);
	ef_conf_free(&c);
	return err;
}

int ef_backend_del(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
		   __u8 family)
{
	struct ef_conf_vip *vip;
	struct ef_conf c;
	int j, err;

	err = read_backend(dp, key, addr, family, &c, &vip, &j);
	if (err)
		return err;
	/* like down: its flows are hashed again; its id is given out again
	 * only when no connection entry names it (and with a new gen) */
	vip->backends[j] = vip->backends[--vip->n_backends];
	err = ef_conf_commit(dp, &c);
	ef_conf_free(&c);
	return err;
}
