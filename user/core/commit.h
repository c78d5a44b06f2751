/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * commit.h: a whole configuration committed to the data plane, all or
 * nothing: the one path by which every change (CLI commands, apply, the
 * daemon) reaches the maps.
 *
 * The data plane holds two generations of its configuration maps and reads
 * the one a single word names; a commit writes the whole new configuration
 * into the other generation, then flips that word. A packet therefore sees
 * the old configuration or the new one, never a mix, and a commit killed at
 * any moment leaves the old one running (the half-written generation is
 * rewritten by the next commit). See bpf/lib/gen.h.
 *
 * Backend ids and gens are kept for backends that stay (same VIP, same
 * address), so connection entries keep pointing at the right backend.
 */
#ifndef EF_COMMIT_H
#define EF_COMMIT_H

#include "core/image.h"
#include "core/model.h"
#include "dp/lb.h"

/*
 * Makes `want` the running configuration, all or nothing: validates it
 * (ef_conf_validate), builds every table, writes the inactive generation,
 * flips. Returns 0 or a negative errno (nothing changed then).
 */
int ef_conf_commit(struct ef_dp *dp, const struct ef_conf *want);

/*
 * The second half of a commit, for a caller that chose every id, gen and
 * table itself (the packet tests' fixture): img's VIP and backend entries
 * as given, tables[vip id] (an inner map, slot 0 = its size; -1: none),
 * the VIP index and addresses derived from img, written into the inactive
 * generation, then the flip. Counters of ids whose entry changed start from
 * zero. Nothing is validated.
 */
int ef_image_commit(struct ef_dp *dp, const struct ef_image *img, const int *tables);

#endif /* EF_COMMIT_H */
