// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* reconcile.c: health check results turned into backend states; see
 * state.h. */
#include <string.h>

#include "core/commit.h"
#include "core/live.h"
#include "core/model.h"
#include "daemon/dlog.h"
#include "daemon/state.h"
#include "dp/lb.h"
#include "util/addr.h"
#include "util/log.h"

/* Read, modify, commit (all or nothing), like any other change. */
void daemon_reconcile(struct daemon *d)
{
	struct ef_conf running = {};
	char vs[EF_VIP_STRLEN], a[EF_ADDR_STRLEN];
	size_t i, changes = 0;
	struct ef_dp dp;
	int err;

	err = ef_dp_open(d->pin_dir, NULL, &dp);
	if (err) {
		daemon_log_error("cannot open the data plane", err);
		goto retry;
	}
	err = ef_conf_read(&dp, &running);
	for (i = 0; !err && i < ef_health_count(d->health); i++) {
		struct ef_hc_target *t = ef_health_get(d->health, i);
		struct ef_conf_backend *b =
		    ef_conf_find_backend(ef_conf_find_vip(&running, &t->vip), &t->addr, t->family);
		__u8 want = t->healthy ? t->admin_state : EF_BE_DOWN;

		if (!b || b->state == want)
			continue;
		ef_dlog(want == EF_BE_DOWN ? EF_DLOG_WARNING : EF_DLOG_INFO,
			"backend %s of %s marked %s (was %s)",
			ef_addr_str(&t->addr, t->family, a, sizeof(a)),
			ef_vip_str(&t->vip, vs, sizeof(vs)), ef_state_str(want),
			ef_state_str(b->state));
		b->state = want;
		changes++;
	}
	if (!err && changes)
		err = ef_conf_commit(&dp, &running);
	if (!err)
		for (i = 0; i < running.n_vips; i++) {
			size_t j, up = 0;

			for (j = 0; j < running.vips[i].n_backends; j++)
				up += running.vips[i].backends[j].state == EF_BE_UP;
			if (!up && changes)
				ef_dlog(EF_DLOG_WARNING, "vip %s has no backend up",
					ef_vip_str(&running.vips[i].key, vs, sizeof(vs)));
		}
	ef_conf_free(&running);
	ef_dp_close(&dp);
	if (err) {
		daemon_log_error("cannot commit health changes (retrying)", err);
		goto retry;
	}
	d->dirty = false;
	return;
retry:
	d->retry_at = ef_now_ms() + RETRY_MS;
}
