// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* snapshot.c: one reading of the data plane's counters; see snapshot.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/fingerprint.h"
#include "core/live.h"
#include "core/snapshot.h"
#include "dp/maps.h"
#include "dp/pindir.h"
#include "dp/xdp.h"
#include "util/addr.h"
#include "util/log.h"

#define EF_VERDICT_NAME(name, str, desc) str,
static const char *const verdict_names[EF_V_MAX] = {EF_VERDICT_LIST(EF_VERDICT_NAME)};
#undef EF_VERDICT_NAME

const char *ef_verdict_name(unsigned v)
{
	return v < EF_V_MAX ? verdict_names[v] : "unknown";
}

#define EF_CT_STAT_NAME(name, str, desc) str,
#define EF_CT_STAT_DESC(name, str, desc) desc,
static const char *const ct_stat_names[EF_CTS_MAX] = {EF_CT_STAT_LIST(EF_CT_STAT_NAME)};
static const char *const ct_stat_descs[EF_CTS_MAX] = {EF_CT_STAT_LIST(EF_CT_STAT_DESC)};
#undef EF_CT_STAT_NAME
#undef EF_CT_STAT_DESC

const char *ef_ct_stat_name(unsigned k)
{
	return k < EF_CTS_MAX ? ct_stat_names[k] : "unknown";
}

const char *ef_ct_stat_desc(unsigned k)
{
	return k < EF_CTS_MAX ? ct_stat_descs[k] : "unknown";
}

double ef_snap_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void ef_snap_free(struct ef_snap *s)
{
	free(s->vips);
	free(s->backends);
	free(s->devices);
	memset(s, 0, sizeof(*s));
}

/* Every VIP's fingerprint and the whole configuration's, over the running
 * configuration (what fingerprint.h is computed from). */
static int read_fingerprints(struct ef_dp *dp, struct ef_snap *s)
{
	struct ef_conf c;
	int err = ef_conf_read(dp, &c);

	if (err)
		return err;
	s->fingerprint = ef_fingerprint(&c, NULL);
	for (size_t i = 0; i < s->n_vips; i++) {
		const struct ef_conf_vip *v = ef_conf_find_vip(&c, &s->vips[i].key);

		s->vips[i].has_fingerprint = v != NULL;
		s->vips[i].fingerprint = v ? ef_fingerprint_vip(v) : 0;
	}
	ef_conf_free(&c);
	return 0;
}

int ef_snap_read(struct ef_dp *dp, struct ef_snap *s)
{
	struct ef_vip_entry *v = NULL;
	struct ef_backend *all = NULL;
	size_t n = 0, i, nb = 0;
	__u32 k;
	int err;

	memset(s, 0, sizeof(*s));
	err = ef_vip_list(dp, &v, &n);
	if (!err)
		err = ef_backends_read(dp, &all);
	if (err)
		goto out;
	s->t = ef_snap_now();
	err = ef_prog_devices(dp->prog_id, &s->devices, &s->n_devices);
	if (err)
		goto out;
	for (k = 0; k < EF_V_MAX; k++)
		ef_percpu_sum(dp->verdicts, k, dp->ncpus, 1, &s->verdicts[k]);
	for (k = 0; k < EF_CTS_MAX; k++)
		ef_percpu_sum(dp->ct_stats, k, dp->ncpus, 1, &s->ct_stats[k]);
	err = ef_conntrack_fill(dp->conntrack, &s->ct_fill);
	if (err) {
		ef_err(err, "cannot read the connection table: %s", strerror(-err));
		goto out;
	}
	s->vips = calloc(n ? n : 1, sizeof(*s->vips));
	if (!s->vips) {
		err = ef_err(-ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct ef_snap_vip *sv = &s->vips[i];

		sv->key = v[i].key;
		sv->vip = v[i].vip;
		ef_vip_str(&sv->key, sv->name, sizeof(sv->name));
		ef_percpu_sum(dp->vip_stats, sv->vip.id, dp->ncpus, EF_T_WORDS, sv->traffic);
		for (k = 0; k < EF_MAX_BACKENDS; k++)
			if (all[k].vip_id == sv->vip.id && all[k].state != EF_BE_FREE)
				nb++;
	}
	s->n_vips = n;
	s->backends = calloc(nb ? nb : 1, sizeof(*s->backends));
	if (!s->backends) {
		err = ef_err(-ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < EF_MAX_BACKENDS && s->n_backends < nb; k++) {
			struct ef_snap_backend *b = &s->backends[s->n_backends];

			if (all[k].vip_id != s->vips[i].vip.id || all[k].state == EF_BE_FREE)
				continue;
			b->id = k;
			b->vip = i;
			b->be = all[k];
			ef_addr_str(&b->be.addr, b->be.family, b->addr, sizeof(b->addr));
			ef_percpu_sum(dp->backend_stats, k, dp->ncpus, EF_T_WORDS, b->traffic);
			s->n_backends++;
		}
	}
	err = read_fingerprints(dp, s);
out:
	free(all);
	free(v);
	return err;
}

int ef_snap_read_dir(const char *pin_dir, struct ef_snap *s)
{
	struct ef_dp dp;
	int err;

	memset(s, 0, sizeof(*s));
	err = ef_dp_open_existing(pin_dir, &dp);
	if (err)
		return err;
	err = ef_snap_read(&dp, s);
	ef_dp_close(&dp);
	return err;
}

int ef_snap_imb_add(const struct ef_snap *s, struct ef_imb *imb)
{
	struct ef_imb_point *pts = calloc(s->n_backends ? s->n_backends : 1, sizeof(*pts));
	size_t i;
	int err;

	if (!pts)
		return -ENOMEM;
	for (i = 0; i < s->n_backends; i++) {
		const struct ef_snap_backend *b = &s->backends[i];

		pts[i].vip_id = b->be.vip_id;
		pts[i].backend_id = b->id;
		pts[i].weight = b->be.weight;
		pts[i].state = b->be.state;
		pts[i].packets = b->traffic[EF_T_PACKETS];
		pts[i].bytes = b->traffic[EF_T_BYTES];
		pts[i].new_flows = b->traffic[EF_T_NEW_FLOWS];
	}
	err = ef_imb_add(imb, s->t, pts, s->n_backends);
	free(pts);
	return err;
}

const char *ef_imb_describe(const struct ef_snap_backend *b, const struct ef_imb_result *r,
			    char *buf, size_t len)
{
	snprintf(buf, len, "backend %s takes %.0f%% of new flows, expected %.0f%%", b->addr,
		 100.0 * r->actual, 100.0 * r->expected);
	return buf;
}

int ef_snap_sample(const char *pin_dir, struct ef_snap *s, struct ef_imb *imb)
{
	int err = ef_snap_read_dir(pin_dir, s);

	if (!err)
		err = ef_snap_imb_add(s, imb);
	return err;
}
