// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* model.c: a configuration in memory and its rules; see model.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/maglev.h"
#include "core/model.h"
#include "util/addr.h"
#include "util/log.h"

void ef_conf_free(struct ef_conf *c)
{
	for (size_t i = 0; i < c->n_vips; i++)
		free(c->vips[i].backends);
	free(c->vips);
	c->vips = NULL;
	c->n_vips = 0;
}

int ef_conf_copy(const struct ef_conf *src, struct ef_conf *dst)
{
	memset(dst, 0, sizeof(*dst));
	dst->vips = calloc(src->n_vips ? src->n_vips : 1, sizeof(*dst->vips));
	if (!dst->vips)
		return -ENOMEM;
	for (size_t i = 0; i < src->n_vips; i++) {
		const struct ef_conf_vip *s = &src->vips[i];
		struct ef_conf_vip *d = &dst->vips[dst->n_vips++];

		*d = *s;
		d->backends = NULL;
		if (!s->n_backends)
			continue;
		d->backends = malloc(s->n_backends * sizeof(*s->backends));
		if (!d->backends) {
			d->n_backends = 0;
			ef_conf_free(dst);
			return -ENOMEM;
		}
		memcpy(d->backends, s->backends, s->n_backends * sizeof(*s->backends));
	}
	return 0;
}

struct ef_conf_vip *ef_conf_find_vip(const struct ef_conf *c, const struct ef_vip_key *key)
{
	for (size_t i = 0; c && i < c->n_vips; i++)
		if (!memcmp(&c->vips[i].key, key, sizeof(*key)))
			return &c->vips[i];
	return NULL;
}

struct ef_conf_backend *ef_conf_find_backend(const struct ef_conf_vip *v,
					     const struct ef_addr *addr, __u8 family)
{
	for (size_t j = 0; v && j < v->n_backends; j++)
		if (v->backends[j].family == family &&
		    !memcmp(&v->backends[j].addr, addr, sizeof(*addr)))
			return &v->backends[j];
	return NULL;
}

int ef_conf_vip_cmp(const void *a, const void *b)
{
	const struct ef_conf_vip *x = a, *y = b;
	int c = ef_addr_cmp(&x->key.addr, x->key.family, &y->key.addr, y->key.family);

	if (c)
		return c;
	if (x->key.proto != y->key.proto)
		return x->key.proto < y->key.proto ? -1 : 1;
	return (ntohs(x->key.port) > ntohs(y->key.port)) -
	       (ntohs(x->key.port) < ntohs(y->key.port));
}

int ef_conf_backend_cmp(const void *a, const void *b)
{
	const struct ef_conf_backend *x = a, *y = b;

	return ef_addr_cmp(&x->addr, x->family, &y->addr, y->family);
}

void ef_conf_sort(struct ef_conf *c)
{
	for (size_t i = 0; i < c->n_vips; i++)
		qsort(c->vips[i].backends, c->vips[i].n_backends, sizeof(*c->vips[i].backends),
		      ef_conf_backend_cmp);
	qsort(c->vips, c->n_vips, sizeof(*c->vips), ef_conf_vip_cmp);
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

__u32 ef_vip_table_size(const struct ef_vip *vip, size_t n_backends)
{
	return vip->table_size ? vip->table_size : ef_maglev_default_size(n_backends);
}

/* Effective states of VIP v; whether it fails open (see model.h). */
static bool vip_effective(struct ef_conf_vip *v, const struct ef_conf_vip *running)
{
	size_t up = 0, admin_up = 0, kept = 0;

	for (size_t j = 0; j < v->n_backends; j++) {
		struct ef_conf_backend *b = &v->backends[j];

		b->state = b->admin;
		if (b->admin == EF_BE_UP && b->health == EF_HEALTH_UNHEALTHY)
			b->state = EF_BE_DOWN;
		admin_up += b->admin == EF_BE_UP;
		up += b->state == EF_BE_UP;
	}
	if (up || !admin_up)
		return false;
	for (size_t j = 0; j < v->n_backends; j++) {
		struct ef_conf_backend *b = &v->backends[j];
		const struct ef_conf_backend *r =
		    ef_conf_find_backend(running, &b->addr, b->family);

		if (b->admin == EF_BE_UP && r && r->state == EF_BE_UP) {
			b->state = EF_BE_UP;
			kept++;
		}
	}
	for (size_t j = 0; !kept && j < v->n_backends; j++)
		if (v->backends[j].admin == EF_BE_UP)
			v->backends[j].state = EF_BE_UP;
	return true;
}

void ef_conf_keep_health(struct ef_conf *want, const struct ef_conf *running)
{
	for (size_t i = 0; i < want->n_vips; i++) {
		struct ef_conf_vip *v = &want->vips[i];
		const struct ef_conf_vip *r = ef_conf_find_vip(running, &v->key);

		for (size_t j = 0; j < v->n_backends; j++) {
			struct ef_conf_backend *b = &v->backends[j];
			const struct ef_conf_backend *rb =
			    ef_conf_find_backend(r, &b->addr, b->family);

			b->health = rb ? rb->health : EF_HEALTH_UNCHECKED;
		}
	}
}

void ef_conf_effective(struct ef_conf *want, const struct ef_conf *running)
{
	for (size_t i = 0; i < want->n_vips; i++) {
		struct ef_conf_vip *v = &want->vips[i];

		if (vip_effective(v, ef_conf_find_vip(running, &v->key)))
			v->vip.flags |= EF_VIP_F_FAIL_OPEN;
		else
			v->vip.flags &= ~EF_VIP_F_FAIL_OPEN;
	}
}

static int validate_backend(const struct ef_conf_vip *v, size_t j, const char *vs)
{
	const struct ef_conf_backend *b = &v->backends[j];
	char as[EF_ADDR_STRLEN];
	const char *why;

	ef_addr_str(&b->addr, b->family, as, sizeof(as));
	if (b->family != EF_FAMILY_V4 && b->family != EF_FAMILY_V6)
		return ef_err(-EINVAL, "vip %s: backend with no address family", vs);
	if (!ef_backend_family_ok(&v->key, &v->vip, b->family, &why))
		return ef_err(-EAFNOSUPPORT, "backend %s of %s: %s", as, vs, why);
	if (!b->weight)
		return ef_err(-EINVAL, "backend %s of %s: weight must be 1..65535", as, vs);
	if (b->admin != EF_BE_UP && b->admin != EF_BE_DRAIN && b->admin != EF_BE_DOWN)
		return ef_err(-EINVAL, "backend %s of %s: unknown state %u", as, vs, b->admin);
	if (b->state != EF_BE_UP && b->state != EF_BE_DRAIN && b->state != EF_BE_DOWN)
		return ef_err(-EINVAL, "backend %s of %s: unknown effective state %u", as, vs,
			      b->state);
	if (b->health > EF_HEALTH_UNHEALTHY)
		return ef_err(-EINVAL, "backend %s of %s: unknown health %u", as, vs, b->health);
	for (size_t k = 0; k < j; k++)
		if (!ef_conf_backend_cmp(&v->backends[k], b))
			return ef_err(-EEXIST, "backend %s of %s: listed twice", as, vs);
	return 0;
}

static int validate_vip(const struct ef_conf_vip *v)
{
	char vs[EF_VIP_STRLEN];
	__u32 size;
	int err;

	ef_vip_str(&v->key, vs, sizeof(vs));
	if ((v->key.family != EF_FAMILY_V4 && v->key.family != EF_FAMILY_V6) ||
	    (v->key.proto != IPPROTO_TCP && v->key.proto != IPPROTO_UDP))
		return ef_err(-EINVAL, "vip %s: not an IPv4/IPv6 TCP/UDP service", vs);
	if (v->vip.forward != EF_FWD_IPIP && v->vip.forward != EF_FWD_L2)
		return ef_err(-EINVAL, "vip %s: unknown forwarding mode %u", vs, v->vip.forward);
	if (v->vip.table_size && ef_maglev_check_size(v->vip.table_size))
		return ef_err(-EINVAL, "vip %s: table size %u is not a prime in %u..%u", vs,
			      v->vip.table_size, EF_MIN_TABLE_SIZE, EF_MAX_TABLE_SIZE);
	size = ef_vip_table_size(&v->vip, v->n_backends);
	if (!size || v->n_backends > size)
		return ef_err(-E2BIG, "vip %s: a %u-slot table cannot hold %zu backends", vs, size,
			      v->n_backends);
	for (size_t j = 0; j < v->n_backends; j++) {
		err = validate_backend(v, j, vs);
		if (err)
			return err;
	}
	return 0;
}

int ef_conf_validate(const struct ef_conf *c)
{
	size_t total = 0;
	int err;

	if (c->n_vips > EF_MAX_VIPS)
		return ef_err(-ENOSPC, "%zu VIPs: %d at most", c->n_vips, EF_MAX_VIPS);
	for (size_t i = 0; i < c->n_vips; i++) {
		char vs[EF_VIP_STRLEN];

		err = validate_vip(&c->vips[i]);
		if (err)
			return err;
		for (size_t k = 0; k < i; k++)
			if (!memcmp(&c->vips[k].key, &c->vips[i].key, sizeof(c->vips[i].key)))
				return ef_err(-EEXIST, "vip %s: listed twice",
					      ef_vip_str(&c->vips[i].key, vs, sizeof(vs)));
		total += c->vips[i].n_backends;
	}
	if (total > EF_MAX_BACKENDS)
		return ef_err(-ENOSPC, "%zu backends: %d at most", total, EF_MAX_BACKENDS);
	return 0;
}

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

const char *ef_health_str(__u8 health)
{
	switch (health) {
	case EF_HEALTH_HEALTHY:
		return "healthy";
	case EF_HEALTH_UNHEALTHY:
		return "unhealthy";
	default:
		return "unchecked";
	}
}

const char *ef_forward_str(__u8 forward)
{
	return forward == EF_FWD_L2 ? "l2" : "ipip";
}

int ef_forward_parse(const char *s)
{
	if (!strcmp(s, "ipip"))
		return EF_FWD_IPIP;
	if (!strcmp(s, "l2"))
		return EF_FWD_L2;
	return -1;
}
