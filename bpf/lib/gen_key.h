/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * gen_key.h: the keys of the per-generation maps (see evenflow.h,
 * "Configuration generations"), shared by the BPF program and user space:
 * entry i of generation gen is at gen * N + i. Every reader and writer
 * computes these keys here, so none can read the other generation by
 * mistake.
 */
#ifndef EF_GEN_KEY_H
#define EF_GEN_KEY_H

#include "../evenflow.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* evenflow_vip_info and evenflow_maglev: VIP vip_id of generation gen. */
static __always_inline __u32 ef_gen_vip(__u32 gen, __u32 vip_id)
{
	return gen * EF_MAX_VIPS + vip_id;
}

/* evenflow_backends: backend backend_id of generation gen. */
static __always_inline __u32 ef_gen_backend(__u32 gen, __u32 backend_id)
{
	return gen * EF_MAX_BACKENDS + backend_id;
}

/* evenflow_vip_index: bucket of generation gen. */
static __always_inline __u32 ef_gen_bucket(__u32 gen, __u32 bucket)
{
	return gen * EF_VIP_INDEX_BUCKETS + bucket;
}

#endif /* EF_GEN_KEY_H */
