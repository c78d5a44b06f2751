/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * maglev.h: the weighted Maglev table fill (pure: no BPF, no I/O).
 *
 * A table of M slots (M prime) maps a flow hash to a backend id. Each backend
 * gets exactly round(M * w / W) slots (largest remainder, so the slots add up
 * to M), and the slots it gets are found by Maglev's permutation walk, so that
 * a change of one backend moves few slots of the others.
 *
 * The result depends only on the set of (address, weight, state): backends
 * are placed in (family, address) order, never by id or by the order they
 * were added, so every LB with the same configuration builds the same table.
 */
#ifndef EF_MAGLEV_H
#define EF_MAGLEV_H

#include <stdbool.h>
#include <stddef.h>

#include "evenflow.h"

/* One backend as the fill sees it. */
struct ef_mg_backend {
	struct ef_addr addr;
	__u32 id;     /* what its slots hold */
	__u16 weight; /* 1..65535 */
	__u8 family;  /* enum ef_family */
	__u8 state;   /* only EF_BE_UP backends get slots */
};

/* The default table sizes, ascending primes (see ef_maglev_default_size). */
extern const __u32 ef_maglev_sizes[];
extern const size_t ef_maglev_nsizes;

bool ef_is_prime(__u32 n);

/* Smallest size of ef_maglev_sizes that is >= 100 * n_backends (and so
 * >= 65537); 0 when none is large enough. */
__u32 ef_maglev_default_size(size_t n_backends);

/* 0 if m can be a table size (prime, EF_MIN_TABLE_SIZE..EF_MAX_TABLE_SIZE),
 * else -EINVAL (not prime) or -ERANGE (out of range). */
int ef_maglev_check_size(__u32 m);

/*
 * Fills table[0..m-1] with the ids of the UP backends of bes[0..n-1]
 * (EF_NO_BACKEND everywhere if none is up). Returns the number of UP
 * backends, or -EINVAL (bad size, weight 0, the same address twice, more
 * UP backends than slots) or -ENOMEM.
 */
int ef_maglev_fill(const struct ef_mg_backend *bes, size_t n, __u32 m, __u32 *table);

#endif /* EF_MAGLEV_H */
