/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * imbalance.h: is a backend taking more new flows than its weight says?
 *
 * Pure computation (no BPF, no I/O, no clock): the caller feeds samples of
 * the cumulative counters of every backend (ef_imb_add) with a monotonic
 * time; the detector keeps a sliding window of them and, for every backend
 * of the newest sample, compares over that window:
 *
 *   actual share   = its new flows / its VIP's new flows
 *   expected share = its weight / sum of the weights of the VIP's UP
 *                    backends (0 for a backend that is drain or down)
 *
 * A backend is flagged ("imbalanced") when its VIP had at least min_flows
 * new flows in the window and
 *
 *   actual > factor * expected   or   actual - expected > margin.
 *
 * The flag is recomputed at every sample, so it clears as soon as the
 * window no longer shows the excess (or holds too few flows to judge).
 * A VIP whose configuration (its backends, weights or states) changed in
 * the window is judged from the change on only: the expected shares of the
 * old configuration do not apply to the flows it handled.
 *
 * Defaults (EF_IMB_*_DEFAULT): window 10 s, factor 2.0, margin 0.20 (20
 * points), min_flows 100. With three equal backends (expected 33%), a
 * backend is flagged above 66.7% of the new flows; with min_flows 100 the
 * chance that fair hashing alone reaches that is negligible.
 */
#ifndef EF_IMBALANCE_H
#define EF_IMBALANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EF_IMB_WINDOW_DEFAULT	 10.0 /* seconds */
#define EF_IMB_FACTOR_DEFAULT	 2.0
#define EF_IMB_MARGIN_DEFAULT	 0.20
#define EF_IMB_MIN_FLOWS_DEFAULT 100

struct ef_imb_cfg {
	double window_s;    /* length of the sliding window, seconds (> 0) */
	double factor;	    /* flag when actual > factor * expected (>= 1) */
	double margin;	    /* flag when actual - expected > margin (0..1) */
	uint64_t min_flows; /* new flows a VIP needs in the window to be judged */
};

/* One backend at one sample: settings and cumulative counters. */
struct ef_imb_point {
	uint32_t vip_id;
	uint32_t backend_id;
	uint16_t weight;
	uint8_t state; /* enum ef_backend_state; only EF_BE_UP is expected to take flows */
	uint64_t packets, bytes, new_flows;
};

/* The verdict on one backend at the newest sample. */
struct ef_imb_result {
	uint32_t vip_id;
	uint32_t backend_id;
	uint16_t weight;
	uint8_t state;
	double span_s;	    /* time the window covers for this VIP */
	uint64_t flows;	    /* new flows of this backend in the window */
	uint64_t vip_flows; /* new flows of its VIP in the window */
	double expected;    /* expected share, 0..1 */
	double actual;	    /* actual share, 0..1 (0 without flows) */
	bool judged;	    /* vip_flows >= min_flows */
	bool flagged;	    /* judged and outside tolerance */
	bool changed;	    /* flagged differs from the previous sample */
	double since;	    /* time of the sample that raised the flag (if flagged) */
	/* rates over the last step (the two newest samples); 0 on the first */
	double pps, bps, fps; /* packets/s, bits/s, new flows/s */
};

struct ef_imb;

/* Fills cfg with the defaults. */
void ef_imb_cfg_default(struct ef_imb_cfg *cfg);
/* NULL cfg: defaults. NULL when out of memory or cfg is invalid. */
struct ef_imb *ef_imb_new(const struct ef_imb_cfg *cfg);
void ef_imb_free(struct ef_imb *imb);

/*
 * Adds a sample taken at time t (seconds, any monotonic origin) of every
 * backend to watch (pts is copied, any order; one point per backend id) and
 * evaluates it. -EINVAL if t is earlier than the previous sample, -ENOMEM.
 */
int ef_imb_add(struct ef_imb *imb, double t, const struct ef_imb_point *pts, size_t n);

/* Results of the newest sample, sorted by VIP id then backend id; valid
 * until the next ef_imb_add or ef_imb_free. Returns their count. */
size_t ef_imb_results(const struct ef_imb *imb, const struct ef_imb_result **out);

/* The result for a backend id, or NULL. */
const struct ef_imb_result *ef_imb_find(const struct ef_imb *imb, uint32_t backend_id);

/* Whether any backend of vip_id is flagged. */
bool ef_imb_vip_flagged(const struct ef_imb *imb, uint32_t vip_id);

#endif /* EF_IMBALANCE_H */
