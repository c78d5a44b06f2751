/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * vip_index.h: where a VIP sits in evenflow_vip_index, shared by the data
 * plane (lookup) and the control plane (insert, remove).
 *
 * The index is a bucketized two-choice hash table held in an array map, so a
 * lookup is two inlined array reads instead of a hash-map helper call (which
 * costs some 30 ns here). A VIP's key hash names two buckets; the VIP is in a
 * way of one of them as (tag << 16) | (id + 1). The tag (12 bits of the hash)
 * skips most ways whose VIP is not the one sought; the key stored in
 * evenflow_vip_info[id] decides. A way is one 32-bit word, so writers never
 * leave half an entry behind.
 */
#ifndef EF_VIP_INDEX_H
#define EF_VIP_INDEX_H

#include "hash.h"

#define EF_VIP_INDEX_MASK (EF_VIP_INDEX_BUCKETS - 1)

/* The two buckets and the tag of a key hash. */
static __always_inline __u32 ef_vip_bucket1(__u32 h)
{
	return h & EF_VIP_INDEX_MASK;
}

static __always_inline __u32 ef_vip_bucket2(__u32 h)
{
	return (h >> 10) & EF_VIP_INDEX_MASK;
}

static __always_inline __u32 ef_vip_tag(__u32 h)
{
	return h >> 20;
}

/* A way's word for VIP `id` with key hash h, and what a word says. */
static __always_inline __u32 ef_vip_way(__u32 h, __u32 id)
{
	return (ef_vip_tag(h) << 16) | (id + 1);
}

static __always_inline int ef_vip_way_matches(__u32 way, __u32 h)
{
	return way && (way >> 16) == ef_vip_tag(h);
}

static __always_inline __u32 ef_vip_way_id(__u32 way)
{
	return (way & 0xffff) - 1;
}

/* Is a (key) equal to b? Compared word by word (no memcmp in BPF). */
static __always_inline int ef_vip_key_eq(const struct ef_vip_key *a, const struct ef_vip_key *b)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3] && x[4] == y[4];
}

#endif /* EF_VIP_INDEX_H */
