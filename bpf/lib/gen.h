/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * gen.h: which configuration generation a packet reads (see evenflow.h,
 * "Configuration generations"). A packet reads evenflow_gen once and uses
 * that generation for every configuration lookup.
 */
#ifndef EF_GEN_H
#define EF_GEN_H

#include "gen_key.h"
#include "maps.h"

static __always_inline __u32 ef_active_gen(void)
{
	__u32 zero = 0, *gen = bpf_map_lookup_elem(&evenflow_gen, &zero);

	return gen ? *gen & 1 : 0;
}

#endif /* EF_GEN_H */
