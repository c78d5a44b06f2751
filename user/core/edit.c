// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* edit.c: read, change one VIP or backend, commit; see edit.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/commit.h"
#include "core/edit.h"
#include "core/live.h"
#include "util/addr.h"
#include "util/log.h"

/* The running configuration in c and the VIP of key in it (-ENOENT
 * recorded if there is none; c is freed again on failure). */
static int read_vip(struct ef_dp *dp, const struct ef_vip_key *key, struct ef_conf *c,
		    struct ef_conf_vip **vip)
{
	char v[EF_VIP_STRLEN];
	int err = ef_conf_read(dp, c);

	if (err)
		return err;
	*vip = ef_conf_find_vip(c, key);
	if (*vip)
		return 0;
	ef_conf_free(c);
	return ef_err(-ENOENT, "vip %s: no such VIP", ef_vip_str(key, v, sizeof(v)));
}

/* The same and the backend (addr, family) of that VIP (-ENOENT recorded if
 * it has none). */
static int read_backend(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
			__u8 family, struct ef_conf *c, struct ef_conf_vip **vip,
			struct ef_conf_backend **be)
{
	char a[EF_ADDR_STRLEN], v[EF_VIP_STRLEN];
	int err = read_vip(dp, key, c, vip);

	if (err)
		return err;
	*be = ef_conf_find_backend(*vip, addr, family);
	if (*be)
		return 0;
	ef_conf_free(c);
	return ef_err(-ENOENT, "backend %s: not a backend of %s",
		      ef_addr_str(addr, family, a, sizeof(a)), ef_vip_str(key, v, sizeof(v)));
}

/* Commits c and frees it. */
static int commit_free(struct ef_dp *dp, struct ef_conf *c)
{
	int err = ef_conf_commit(dp, c);

	ef_conf_free(c);
	return err;
}

int ef_vip_add(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_vip *vip)
{
	struct ef_conf c;
	char s[EF_VIP_STRLEN];
	int err;

	err = ef_conf_read(dp, &c);
	if (err)
		return err;
	ef_vip_str(key, s, sizeof(s));
	if (ef_conf_find_vip(&c, key))
		err = ef_err(-EEXIST, "vip %s: already exists", s);
	else if (c.n_vips == EF_MAX_VIPS)
		err = ef_err(-ENOSPC, "vip %s: %d VIPs at most", s, EF_MAX_VIPS);
	if (err) {
		ef_conf_free(&c);
		return err;
	}
	/* ef_conf_read leaves room for EF_MAX_VIPS */
	c.vips[c.n_vips++] = (struct ef_conf_vip){.key = *key, .vip = *vip};
	return commit_free(dp, &c);
}

int ef_vip_del(struct ef_dp *dp, const struct ef_vip_key *key)
{
	struct ef_conf_vip *v;
	struct ef_conf c;
	int err = read_vip(dp, key, &c, &v);

	if (err)
		return err;
	/* its backends go with it: their flows are hashed again (to nothing) */
	free(v->backends);
	*v = c.vips[--c.n_vips];
	return commit_free(dp, &c);
}

int ef_backend_add(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
		   __u8 family, __u16 weight)
{
	char a[EF_ADDR_STRLEN], v[EF_VIP_STRLEN];
	struct ef_conf_backend *nb;
	struct ef_conf_vip *vip;
	struct ef_conf c;
	const char *why;
	int err;

	ef_addr_str(addr, family, a, sizeof(a));
	ef_vip_str(key, v, sizeof(v));
	err = read_vip(dp, key, &c, &vip);
	if (err)
		return err;
	if (!ef_backend_family_ok(key, &vip->vip, family, &why))
		err = ef_err(-EAFNOSUPPORT, "backend %s: %s", a, why);
	else if (ef_conf_find_backend(vip, addr, family))
		err = ef_err(-EEXIST, "backend %s: already a backend of %s", a, v);
	else if (!(nb = realloc(vip->backends, (vip->n_backends + 1) * sizeof(*nb))))
		err = ef_err(-ENOMEM, "out of memory");
	if (err) {
		ef_conf_free(&c);
		return err;
	}
	vip->backends = nb;
	nb[vip->n_backends++] = (struct ef_conf_backend){
	    .addr = *addr, .family = family, .state = EF_BE_UP, .weight = weight};
	return commit_free(dp, &c);
}

int ef_backend_set(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
		   __u8 family, __u16 weight, __u8 state)
{
	struct ef_conf_backend *be;
	struct ef_conf_vip *vip;
	struct ef_conf c;
	int err = read_backend(dp, key, addr, family, &c, &vip, &be);

	if (err)
		return err;
	if (weight)
		be->weight = weight;
	if (state != EF_BE_FREE)
		be->state = state;
	return commit_free(dp, &c);
}

int ef_backend_del(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
		   __u8 family)
{
	struct ef_conf_backend *be;
	struct ef_conf_vip *vip;
	struct ef_conf c;
	int err = read_backend(dp, key, addr, family, &c, &vip, &be);

	if (err)
		return err;
	/* like down: its flows are hashed again; its id is given out again
	 * only when no connection entry names it (and with a new gen) */
	*be = vip->backends[--vip->n_backends];
	return commit_free(dp, &c);
}
