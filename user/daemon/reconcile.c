// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* reconcile.c: health check verdicts committed to the data plane; see
 * state.h. */
#include <errno.h>
#include <string.h>

#include "core/commit.h"
#include "core/live.h"
#include "core/model.h"
#include "daemon/dlog.h"
#include "daemon/state.h"
#include "dp/lb.h"
#include "util/addr.h"
#include "util/log.h"

/* Logs what changes for the data plane between running and want: each
 * backend whose effective state changes, each VIP that starts or stops
 * failing open. Returns whether anything differs at all (a verdict the
 * effective state hides still goes into the maps, for backend list). */
static bool log_changes(const struct ef_conf *running, const struct ef_conf *want)
{
	char vs[EF_VIP_STRLEN], a[EF_ADDR_STRLEN];
	bool any = false;

	for (size_t i = 0; i < want->n_vips; i++) {
		const struct ef_conf_vip *v = &want->vips[i], *r = &running->vips[i];
		bool open = v->vip.flags & EF_VIP_F_FAIL_OPEN;
		size_t admin_up = 0, up = 0;

		ef_vip_str(&v->key, vs, sizeof(vs));
		for (size_t j = 0; j < v->n_backends; j++) {
			const struct ef_conf_backend *b = &v->backends[j], *o = &r->backends[j];

			admin_up += b->admin == EF_BE_UP;
			up += b->state == EF_BE_UP;
			any |= b->health != o->health || b->state != o->state;
			if (b->state == o->state)
				continue;
			ef_dlog(b->state == EF_BE_DOWN ? EF_DLOG_WARNING : EF_DLOG_INFO,
				"backend %s of %s marked %s (was %s; operator: %s, checks: %s)",
				ef_addr_str(&b->addr, b->family, a, sizeof(a)), vs,
				ef_state_str(b->state), ef_state_str(o->state),
				ef_state_str(b->admin), ef_health_str(b->health));
		}
		if (open == !!(r->vip.flags & EF_VIP_F_FAIL_OPEN))
			continue;
		any = true;
		if (open)
			ef_dlog(
			    EF_DLOG_WARNING,
			    "vip %s fails open: all %zu backends the operator has up fail their "
			    "checks; %zu stay in the table (the last known good)",
			    vs, admin_up, up);
		else
			ef_dlog(EF_DLOG_INFO, "vip %s no longer fails open: %zu backends up", vs,
				up);
	}
	return any;
}

/* Read, lay the verdicts over, commit (all or nothing), like any other
 * change; the operator's states are left as they run. */
void daemon_reconcile(struct daemon *d)
{
	struct ef_conf running = {}, want = {};
	struct ef_dp dp;
	int err;

	err = ef_dp_open(d->pin_dir, NULL, &dp);
	if (err) {
		daemon_log_error("cannot open the data plane", err);
		goto retry;
	}
	err = ef_conf_read(&dp, &running);
	if (!err && ef_conf_copy(&running, &want))
		err = ef_err(-ENOMEM, "out of memory");
	if (!err) {
		daemon_health_verdicts(d->health, &want);
		ef_conf_effective(&want, &running);
		if (log_changes(&running, &want))
			err = ef_conf_commit(&dp, &want);
	}
	ef_conf_free(&want);
	ef_conf_free(&running);
	ef_dp_close(&dp);
	if (err) {
		daemon_log_error("cannot commit health changes (retrying)", err);
		goto retry;
	}
	d->dirty = false;
	d->routing_due = true; /* verdicts decide the announcement too */
	return;
retry:
	d->retry_at = ef_now_ms() + RETRY_MS;
}
