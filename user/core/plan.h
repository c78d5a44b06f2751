/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * plan.h: what a new configuration would change, computed in memory before
 * anything is written (apply and the daemon's reload).
 *
 * For every VIP that is added, removed or changed, both Maglev tables (the
 * running one and the new one) are filled with ef_maglev_fill, so each
 * backend's share of the VIP's new flows (its slots / table size) is known
 * before and after, and so is the fraction of the slots whose backend
 * changes: the flows that would be hashed elsewhere. Tables of the same
 * size are compared slot by slot; tables of different sizes by 2^20 sample
 * hashes (a flow hash h lands in slot h mod M).
 *
 * core/safety.h judges the plan: its refusals go to the plan's warnings.
 */
#ifndef EF_PLAN_H
#define EF_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"

enum ef_plan_change {
	EF_PLAN_SAME = 0,
	EF_PLAN_ADDED,
	EF_PLAN_REMOVED,
	EF_PLAN_CHANGED,
};

struct ef_plan_backend {
	struct ef_addr addr;
	__u8 family;
	__u8 change;			/* enum ef_plan_change */
	__u8 state_before, state_after; /* EF_BE_FREE when absent */
	__u16 weight_before, weight_after;
	double share_before, share_after; /* of the VIP's slots, 0..1 */
};

struct ef_plan_vip {
	struct ef_vip_key key;
	__u8 change;		       /* enum ef_plan_change */
	bool settings_changed;	       /* forward, table size or sources */
	__u32 size_before, size_after; /* table sizes (0 when absent) */
	double moved;		       /* fraction of the slots that held a backend */
	bool moved_sampled;	       /* sizes differ: estimated by sampling */
	size_t up_before, up_after;
	struct ef_plan_backend *bes; /* sorted by family and address */
	size_t n_bes;
};

#define EF_PLAN_WARN_LEN 200

struct ef_plan {
	struct ef_plan_vip *vips; /* the touched VIPs, new order then removed */
	size_t n_vips;
	size_t n_same;			    /* VIPs left as they are */
	char (*warnings)[EF_PLAN_WARN_LEN]; /* what the safety check refuses */
	size_t n_warnings;
};

/* Compares the running configuration with want (both with effective
 * states, core/model.h). */
int ef_plan_build(const struct ef_conf *running, const struct ef_conf *want, struct ef_plan *plan);
void ef_plan_free(struct ef_plan *plan);

const char *ef_plan_change_str(__u8 change);

#endif /* EF_PLAN_H */
