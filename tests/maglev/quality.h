/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * quality.h: measures of a Maglev table, for the quality test
 * (tests/unit/test_maglev_quality.c) and the quality report
 * (tests/bench/maglev_report.c).
 */
#ifndef EF_MAGLEV_QUALITY_H
#define EF_MAGLEV_QUALITY_H

#include <stddef.h>

#include "core/maglev.h"

/* How well a table honours its weights. */
struct ef_mq_shares {
	double max_over_min; /* max / min slot share over backends of equal weight */
	double worst_error;  /* max |slot share / weight share - 1| (relative) */
};

/* n backends 10.<a>.<b>.<c> with the given weights (NULL: all 1), state UP,
 * ids 0..n-1. Caller frees. */
struct ef_mg_backend *ef_mq_backends(size_t n, const __u16 *weights);

/* Slot shares of table[0..m-1] against the weights of bes[0..n-1]. */
struct ef_mq_shares ef_mq_measure(const struct ef_mg_backend *bes, size_t n, const __u32 *table,
				  __u32 m);

/* Fraction of slots whose backend differs between two tables. Slots hold
 * ids; `before` and `after` must use the same id for the same backend. */
double ef_mq_moved(const __u32 *before, const __u32 *after, __u32 m);

/* Classic (unweighted) Maglev fill of the paper, with evenflow's permutation
 * hashes: the reference for how many slots a change moves. */
int ef_mq_classic_fill(const struct ef_mg_backend *bes, size_t n, __u32 m, __u32 *table);

/* What a change of one backend does, for evenflow's fill and the classic one. */
struct ef_mq_churn {
	double moved;	      /* evenflow: fraction of slots moved */
	double moved_classic; /* classic Maglev, same size and backends */
	double ideal;	      /* 1/N (remove) or 1/(N+1) (add) */
};

/* Remove (add = 0) or add (add = 1) one backend to n equal backends at size m. */
int ef_mq_churn(size_t n, __u32 m, int add, struct ef_mq_churn *out);

#endif /* EF_MAGLEV_QUALITY_H */
