/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * commit_work.h: inside the commit (core/commit.h), shared by its two
 * halves: commit.c builds a generation from a configuration (ids, gens,
 * Maglev tables), commit_write.c writes a built generation and flips.
 */
#ifndef EF_COMMIT_WORK_H
#define EF_COMMIT_WORK_H

#include <stdbool.h>

#include "core/image.h"
#include "dp/lb.h"

/* What a commit builds before its first write. */
struct commit_work {
	__u32 gen;			/* the active generation */
	struct ef_image old, other, nw; /* active, inactive (as it is), to write */
	__u32 *vip_id;			/* per want->vips[i] */
	bool vip_kept[EF_MAX_VIPS];	/* id carries over from the active generation */
	bool be_kept[EF_MAX_BACKENDS];
	int table_fd[EF_MAX_VIPS]; /* the new generation's tables, -1: none */
	struct ef_vip_bucket *index;
	bool *ct_ref; /* backend ids some connection entry names (lazily) */
};

/* A new work: the active generation and both images as they are, an empty
 * new one, no tables yet; NULL with *err on failure. */
struct commit_work *ef_commit_start(struct ef_dp *dp, int *err);
/* Unless err: the VIP index built from p->nw, the inactive generation
 * written, then the flip. p is freed either way; returns the result. */
int ef_commit_end(struct ef_dp *dp, struct commit_work *p, int err);

#endif /* EF_COMMIT_WORK_H */
