// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * doctor_announce.c: evenflow doctor's announce step on a load balancer
 * whose configuration announces the VIP addresses (announce:). The routing daemon
 * (BIRD, FRR) learns them from the kernel table the evenflow daemon writes,
 * so that table is what doctor reads: per VIP address, in it (ok), or why
 * not, judged as the daemon judges (daemon/announce_rule.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/doctor.h"
#include "core/config.h"
#include "core/live.h"
#include "daemon/announce.h"
#include "daemon/announce_rule.h"
#include "util/addr.h"

/* Why the daemon withdraws everything, from what it reports. */
static enum ef_ann_why global_why(const char *summary, size_t ndevs)
{
	if (summary && strstr(summary, "draining"))
		return EF_ANN_STOPPING;
	if (summary && strstr(summary, "maintenance"))
		return EF_ANN_MAINTENANCE;
	return ndevs ? EF_ANN_YES : EF_ANN_DETACHED;
}

static bool in_table(const struct ef_announce_addr *r, size_t n, const struct ef_announce_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].family == a->family && !memcmp(&r[i].addr, &a->addr, sizeof(a->addr)))
			return true;
	return false;
}

/* One step per address of verdicts v[0..n-1] against the routes r[0..nr-1]
 * of table. */
static void report(struct ef_doctor *d, const struct ef_ann_verdict *v, size_t n,
		   const struct ef_announce_addr *r, size_t nr, __u32 table, bool no_daemon)
{
	char a[EF_ADDR_STRLEN], vs[EF_VIP_STRLEN], fix[160];

	for (size_t i = 0; i < n; i++) {
		ef_addr_str(&v[i].addr.addr, v[i].addr.family, a, sizeof(a));
		if (in_table(r, nr, &v[i].addr)) {
			ef_step(d, EF_STEP_OK, "announce", a, NULL, "in routing table %u", table);
		} else if (no_daemon) {
			ef_step(d, EF_STEP_FAIL, "announce", a,
				"systemctl start evenflow (or evenflow daemon --config FILE)",
				"not in routing table %u: no daemon runs for this pin dir", table);
		} else if (v[i].why == EF_ANN_DETACHED) {
			ef_step(d, EF_STEP_SKIP, "announce", a, NULL, "%s",
				ef_ann_why_str(v[i].why));
		} else if (v[i].why == EF_ANN_TOO_FEW) {
			ef_vip_str(&v[i].vip, vs, sizeof(vs));
			snprintf(
			    fix, sizeof(fix),
			    "bring backends of %s up (the health steps say why they are not), or "
			    "lower its min-up",
			    vs);
			ef_step(d, EF_STEP_FAIL, "announce", a, fix,
				"withdrawn: vip %s has %zu backend(s) up and healthy, min-up %u",
				vs, v[i].healthy, v[i].min_up);
		} else if (v[i].why == EF_ANN_MAINTENANCE || v[i].why == EF_ANN_STOPPING) {
			ef_step(d, EF_STEP_FAIL, "announce", a,
				v[i].why == EF_ANN_MAINTENANCE
				    ? "systemctl kill -s SIGUSR2 evenflow (ends maintenance)"
				    : "the daemon is stopping; start it again",
				"withdrawn: %s", ef_ann_why_str(v[i].why));
		} else {
			snprintf(fix, sizeof(fix),
				 "journalctl -u evenflow (the daemon's announce lines)%s",
				 v[i].why == EF_ANN_YES ? "" : "; evenflow check --peer URL");
			ef_step(d, EF_STEP_FAIL, "announce", a, fix, "not in routing table %u: %s",
				table,
				v[i].why == EF_ANN_YES
				    ? "it qualifies, but the daemon did not write it"
				    : ef_ann_why_str(v[i].why));
		}
	}
}

int ef_doctor_announce(struct ef_doctor *d, struct ef_dp *dp, size_t ndevs)
{
	struct ef_announce_addr *routes = NULL;
	struct ef_ann_verdict *v = NULL;
	struct ef_announce *ann = NULL;
	struct ef_conf c = {};
	size_t n = 0, nr = 0;
	__u32 *m = NULL;
	int err;

	if (!d->cfg || !d->cfg->announce.on)
		return 0;
	err = ef_conf_read(dp, &c);
	if (!err && !(m = ef_ann_min_ups(d->cfg, &c)))
		err = -ENOMEM;
	if (!err)
		err = ef_ann_decide(&c, m, global_why(d->announcing, ndevs), &v, &n);
	if (!err)
		err =
		    ef_announce_open(d->cfg->announce.table, (__u8)d->cfg->announce.protocol, &ann);
	if (!err)
		err = ef_announce_read(ann, &routes, &nr);
	if (!err)
		report(d, v, n, routes, nr, d->cfg->announce.table, !d->announcing);
	ef_announce_close(ann);
	free(routes);
	free(v);
	free(m);
	ef_conf_free(&c);
	return err;
}
