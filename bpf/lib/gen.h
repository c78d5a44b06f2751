/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * gen.h: which configuration generation a packet reads (see evenflow.h,
 * "Configuration generations"). A packet reads evenflow_gen once and uses
 * that generation for every configuration lookup.
 */
#ifndef EF_GEN_H
#define EF_GEN_H

#include "maps.h"

static __always_inline __u32 ef_active_gen(void)
{
	__u32 zero = 0, *gen = bpf_map_lookup_elem(&evenflow_gen, &zero);

	return gen ? *gen & 1 : 0;
}

/* Keys of the per-generation maps. */
static __always_inline __u32 ef_gen_vip(__u32 gen, __u32 vip_id)
{
	return gen * EF_MAX_VIPS + vip_id;
}

static __always_inline __u32 ef_gen_backend(__u32 gen, __u32 backend_id)
{
	return gen * EF_MAX_BACKENDS + backend_id;
}

static __always_inline __u32 ef_gen_bucket(__u32 gen, __u32 bucket)
{
	return gen * EF_VIP_INDEX_BUCKETS + bucket;
}

#endif /* EF_GEN_H */
