/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * safety.h: the one safety check every change of the configuration passes
 * (apply, the daemon's start and reload, the CLI's backend and vip
 * commands): it judges a change by its harm to live traffic relative to
 * what runs now, so harmless changes pass and the seed's outage (one
 * backend given all the traffic) cannot happen by accident. A refused
 * change is applied only with --force. README: "The safety check".
 *
 * Refused, per VIP the plan touches (core/plan.h):
 *   - a VIP that has backends up now left with none;
 *   - a backend taking new flows now whose share would more than double,
 *     or grow by more than max_shift (default 25 points), each with half a
 *     point of slack for the rounding of shares to table slots;
 *   - a backend that takes no new flows now (new, re-added, back up) or of
 *     a new VIP, whose weight is more than max_weight_ratio (default 10)
 *     times the median of its VIP's other up backends (the typo 1000 for
 *     10);
 *   - more than max_move (default 50%) of a VIP's slots moving at once;
 *   - the removal of a VIP the operator did not name (an empty, truncated
 *     or half-written file never wipes the running configuration).
 * Health verdicts are not judged here: they follow the fail-open rule
 * (core/model.h, ef_conf_effective).
 */
#ifndef EF_SAFETY_H
#define EF_SAFETY_H

#include <stddef.h>

#include "core/plan.h"

#define EF_MAX_MOVE_DEFAULT	    0.5
#define EF_MAX_SHIFT_DEFAULT	    0.25
#define EF_MAX_WEIGHT_RATIO_DEFAULT 10.0

/* The limits of a change that is not forced. */
struct ef_safety {
	double max_move;	 /* fraction of a VIP's slots, 0..1 */
	double max_shift;	 /* share points a backend may gain, 0..1 */
	double max_weight_ratio; /* a new backend's weight over its siblings' median */
};

/* VIPs the operator names for removal (apply --remove). */
struct ef_removals {
	const struct ef_vip_key *keys;
	size_t n;
};

void ef_safety_default(struct ef_safety *lim);

/*
 * A change from running to want, ready to judge: want's effective states
 * (core/model.h: from admin and health, with the fail-open rule against
 * running), its plan, and the safety check's refusals in plan->warnings
 * (none when lim is NULL: the change is forced).
 */
int ef_safety_plan(const struct ef_conf *running, struct ef_conf *want, const struct ef_safety *lim,
		   const struct ef_removals *removals, struct ef_plan *plan);

/* Judges the plan: every refusal becomes one of plan->warnings, naming the
 * VIP, the backend and its share before and after. 0 or -ENOMEM. */
int ef_safety_judge(struct ef_plan *plan, const struct ef_safety *lim,
		    const struct ef_removals *removals);

#endif /* EF_SAFETY_H */
