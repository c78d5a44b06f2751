// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* imbalance.c: the daemon's imbalance detector and its log lines; see
 * state.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/snapshot.h"
#include "daemon/dlog.h"
#include "daemon/state.h"
#include "util/log.h"

void daemon_imbalance_configure(struct daemon *d, const struct ef_config *cfg)
{
	struct ef_imb_cfg ic;
	struct ef_imb *imb;

	ef_imb_cfg_default(&ic);
	ic.window_s = cfg->imbalance.window_s;
	ic.factor = cfg->imbalance.factor;
	ic.margin = cfg->imbalance.tolerance;
	ic.min_flows = cfg->imbalance.min_flows;
	imb = ef_imb_new(&ic);
	if (!imb) {
		ef_dlog(EF_DLOG_ERR, "imbalance detector: invalid settings or out of memory");
		return;
	}
	ef_imb_free(d->imb);
	d->imb = imb;
	free(d->flags);
	d->flags = NULL;
	d->n_flags = 0;
}

static struct vip_flag *flag_of(struct daemon *d, const struct ef_vip_key *key)
{
	struct vip_flag *f;
	size_t i;

	for (i = 0; i < d->n_flags; i++)
		if (!memcmp(&d->flags[i].key, key, sizeof(*key)))
			return &d->flags[i];
	f = realloc(d->flags, (d->n_flags + 1) * sizeof(*f));
	if (!f)
		return NULL;
	d->flags = f;
	f = &d->flags[d->n_flags++];
	f->key = *key;
	f->flagged = false;
	return f;
}

void daemon_imbalance_sample(struct daemon *d)
{
	struct ef_snap s = {};
	size_t i, j;
	int err;

	if (!d->imb)
		return;
	err = ef_snap_sample(d->pin_dir, &s, d->imb);
	if (err) {
		if (err != -ENOENT)
			daemon_log_error("imbalance sample", err);
		ef_err_clear();
		goto out;
	}
	for (i = 0; i < s.n_vips; i++) {
		struct vip_flag *f = flag_of(d, &s.vips[i].key);
		bool now = ef_imb_vip_flagged(d->imb, s.vips[i].vip.id);

		if (!f || f->flagged == now)
			continue;
		f->flagged = now;
		if (!now) {
			ef_dlog(EF_DLOG_INFO, "imbalance over: vip %s is back within tolerance",
				s.vips[i].name);
			continue;
		}
		for (j = 0; j < s.n_backends; j++) {
			const struct ef_imb_result *r = ef_imb_find(d->imb, s.backends[j].id);
			char why[160];

			if (s.backends[j].vip != i || !r || !r->flagged)
				continue;
			ef_dlog(EF_DLOG_WARNING, "imbalance: vip %s: %s", s.vips[i].name,
				ef_imb_describe(&s.backends[j], r, why, sizeof(why)));
		}
	}
out:
	ef_snap_free(&s);
}
