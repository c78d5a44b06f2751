// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* edit.c: read, change one VIP or backend, judge, commit; see edit.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/commit.h"
#include "core/edit.h"
#include "core/live.h"
#include "core/plan.h"
#include "util/addr.h"
#include "util/log.h"

/* One change in the making: what runs, and what is to run. */
struct edit {
	struct ef_conf running, want;
};

static void edit_free(struct edit *e)
{
	ef_conf_free(&e->running);
	ef_conf_free(&e->want);
}

/* The running configuration, twice: as it is and to change. */
static int edit_start(struct ef_dp *dp, struct edit *e)
{
	int err;

	memset(e, 0, sizeof(*e));
	err = ef_conf_read(dp, &e->running);
	if (!err && ef_conf_copy(&e->running, &e->want))
		err = ef_err(-ENOMEM, "out of memory");
	/* room for one more VIP (vip add) */
	if (!err &&
	    !(e->want.vips = realloc(e->want.vips, (e->want.n_vips + 1) * sizeof(*e->want.vips))))
		err = ef_err(-ENOMEM, "out of memory");
	if (err)
		edit_free(e);
	return err;
}

/* The VIP of key in want, or -ENOENT recorded. */
static int find_vip(struct edit *e, const struct ef_vip_key *key, struct ef_conf_vip **vip)
{
	char v[EF_VIP_STRLEN];

	*vip = ef_conf_find_vip(&e->want, key);
	if (*vip)
		return 0;
	return ef_err(-ENOENT, "vip %s: no such VIP", ef_vip_str(key, v, sizeof(v)));
}

/* The backend (addr, family) of VIP key in want, or -ENOENT recorded. */
static int find_backend(struct edit *e, const struct ef_vip_key *key, const struct ef_addr *addr,
			__u8 family, struct ef_conf_vip **vip, struct ef_conf_backend **be)
{
	char a[EF_ADDR_STRLEN], v[EF_VIP_STRLEN];
	int err = find_vip(e, key, vip);

	if (err)
		return err;
	*be = ef_conf_find_backend(*vip, addr, family);
	if (*be)
		return 0;
	return ef_err(-ENOENT, "backend %s: not a backend of %s",
		      ef_addr_str(addr, family, a, sizeof(a)), ef_vip_str(key, v, sizeof(v)));
}

/* Judges the change (unless forced), commits it, frees e. */
static int edit_commit(struct ef_dp *dp, struct edit *e, const struct ef_safety *limits,
		       const struct ef_removals *removals)
{
	struct ef_plan plan;
	int err;

	err = ef_safety_plan(&e->running, &e->want, limits, removals, &plan);
	if (!err) {
		if (plan.n_warnings)
			err = ef_err(-EPERM, "refused: %s%s (--force applies it anyway)",
				     plan.warnings[0], plan.n_warnings > 1 ? ", and more" : "");
		else
			err = ef_conf_commit(dp, &e->want);
		ef_plan_free(&plan);
	}
	edit_free(e);
	return err;
}

int ef_vip_add(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_vip *vip)
{
	char s[EF_VIP_STRLEN];
	const char *why;
	struct edit e;
	int err = edit_start(dp, &e);

	if (err)
		return err;
	ef_vip_str(key, s, sizeof(s));
	why = ef_addr_unusable(&key->addr, key->family, EF_ADDR_VIP);
	if (why)
		err = ef_err(-EINVAL, "vip %s: %s can never be a VIP", s, why);
	else if (ef_conf_find_vip(&e.want, key))
		err = ef_err(-EEXIST, "vip %s: already exists", s);
	else if (e.want.n_vips == EF_MAX_VIPS)
		err = ef_err(-ENOSPC, "vip %s: %d VIPs at most", s, EF_MAX_VIPS);
	if (err) {
		edit_free(&e);
		return err;
	}
	e.want.vips[e.want.n_vips++] = (struct ef_conf_vip){.key = *key, .vip = *vip};
	return edit_commit(dp, &e, NULL, NULL);
}

int ef_vip_del(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_safety *limits)
{
	const struct ef_removals named = {.keys = key, .n = 1};
	struct ef_conf_vip *v;
	struct edit e;
	int err = edit_start(dp, &e);

	if (!err && (err = find_vip(&e, key, &v)))
		edit_free(&e);
	if (err)
		return err;
	/* its backends go with it: their flows are hashed again (to nothing) */
	free(v->backends);
	*v = e.want.vips[--e.want.n_vips];
	return edit_commit(dp, &e, limits, &named);
}

int ef_backend_add(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
		   __u8 family, __u16 weight, const struct ef_safety *limits)
{
	char a[EF_ADDR_STRLEN], v[EF_VIP_STRLEN];
	struct ef_conf_backend *nb = NULL;
	struct ef_conf_vip *vip;
	const char *why;
	struct edit e;
	int err = edit_start(dp, &e);

	if (err)
		return err;
	ef_addr_str(addr, family, a, sizeof(a));
	err = find_vip(&e, key, &vip);
	if (!err && (why = ef_addr_unusable(addr, family, EF_ADDR_BACKEND)))
		err = ef_err(-EINVAL, "backend %s: %s can never be a backend", a, why);
	else if (!err && !ef_backend_family_ok(key, &vip->vip, family, &why))
		err = ef_err(-EAFNOSUPPORT, "backend %s: %s", a, why);
	else if (!err && ef_conf_find_backend(vip, addr, family))
		err = ef_err(-EEXIST, "backend %s: already a backend of %s", a,
			     ef_vip_str(key, v, sizeof(v)));
	else if (!err && !(nb = realloc(vip->backends, (vip->n_backends + 1) * sizeof(*nb))))
		err = ef_err(-ENOMEM, "out of memory");
	if (err) {
		edit_free(&e);
		return err;
	}
	vip->backends = nb;
	nb[vip->n_backends++] = (struct ef_conf_backend){
	    .addr = *addr, .family = family, .admin = EF_BE_UP, .weight = weight};
	return edit_commit(dp, &e, limits, NULL);
}

/* An edit started on the backend addr of VIP key (*vip, *be); nothing left
 * to free on failure. */
static int edit_backend(struct ef_dp *dp, struct edit *e, const struct ef_vip_key *key,
			const struct ef_addr *addr, __u8 family, struct ef_conf_vip **vip,
			struct ef_conf_backend **be)
{
	int err = edit_start(dp, e);

	if (!err && (err = find_backend(e, key, addr, family, vip, be)))
		edit_free(e);
	return err;
}

int ef_backend_set(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
		   __u8 family, __u16 weight, __u8 admin, const struct ef_safety *limits)
{
	struct ef_conf_backend *be;
	struct ef_conf_vip *vip;
	struct edit e;
	int err = edit_backend(dp, &e, key, addr, family, &vip, &be);

	if (err)
		return err;
	if (weight)
		be->weight = weight;
	if (admin != EF_BE_FREE)
		be->admin = admin;
	return edit_commit(dp, &e, limits, NULL);
}

int ef_backend_del(struct ef_dp *dp, const struct ef_vip_key *key, const struct ef_addr *addr,
		   __u8 family, const struct ef_safety *limits)
{
	struct ef_conf_backend *be;
	struct ef_conf_vip *vip;
	struct edit e;
	int err = edit_backend(dp, &e, key, addr, family, &vip, &be);

	if (err)
		return err;
	/* like down: its flows are hashed again; its id is given out again
	 * only when no connection entry names it (and with a new gen) */
	*be = vip->backends[--vip->n_backends];
	return edit_commit(dp, &e, limits, NULL);
}
