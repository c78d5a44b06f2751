/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ct_entry.h: a connection-table entry, shared by the data plane and
 * `evenflow lookup`.
 *
 * The table is an array of buckets of EF_CT_WAYS 64-bit ways; a flow's
 * bucket is its hash modulo the bucket count and its fingerprint (30 bits of
 * a second, independent 32-bit hash) tells it apart from the others in the
 * bucket. Bucket index and fingerprint together identify a flow by some 45+
 * bits (49 at the default size); a false match also needs the same VIP (the
 * backend's VIP is checked), so it cannot send a flow to another VIP's
 * backend.
 *
 *   63        34 33       20 19    13  12     11      10      9     8      0
 *   | fingerprint | backend id | gen    | valid | estab | closing | udp | seen   |
 *
 * gen:     low 7 bits of the backend's gen when the flow was pinned to it.
 * valid:   the way holds a flow.
 * estab:   the flow was seen in more than one packet: only an entry without
 *          it may be evicted while live (the flood guard, README
 *          "Connection table").
 * closing: a TCP FIN or RST was seen: the entry ages out after a short grace.
 * udp:     a UDP flow (the idle timeout that applies).
 * seen:    the last packet's time, 9 bits of jiffies >> EF_CT_SEEN_SHIFT, or
 *          of jiffies >> EF_CT_SEEN_SHIFT_LONG for an open established TCP
 *          flow, whose idle timeout is hours (lib/time.h).
 */
#ifndef EF_CT_ENTRY_H
#define EF_CT_ENTRY_H

#include "hash.h"

#define EF_CT_FP_SHIFT	      34
#define EF_CT_FP_MASK	      0x3fffffffU
#define EF_CT_ID_SHIFT	      20
#define EF_CT_ID_MASK	      0x3fffULL
#define EF_CT_GEN_SHIFT	      13
#define EF_CT_GEN_MASK	      0x7fULL
#define EF_CT_VALID	      (1ULL << 12)
#define EF_CT_ESTAB	      (1ULL << 11)
#define EF_CT_CLOSING	      (1ULL << 10)
#define EF_CT_UDP	      (1ULL << 9)
#define EF_CT_SEEN_MASK	      0x1ffULL
#define EF_CT_SEEN_SHIFT      8	 /* seen counts units of 256 jiffies... */
#define EF_CT_SEEN_SHIFT_LONG 16 /* ...or of 65536 (open established TCP) */

/* A valid entry: flow fp on backend id (of this gen), with the state bits
 * `flags` (EF_CT_ESTAB, EF_CT_CLOSING, EF_CT_UDP), seen at `seen`. */
static __always_inline __u64 ef_ct_entry(__u32 fp, __u32 id, __u32 gen, __u64 flags, __u64 seen)
{
	return ((__u64)(fp & EF_CT_FP_MASK) << EF_CT_FP_SHIFT) |
	       (((__u64)id & EF_CT_ID_MASK) << EF_CT_ID_SHIFT) |
	       (((__u64)gen & EF_CT_GEN_MASK) << EF_CT_GEN_SHIFT) | EF_CT_VALID | flags |
	       (seen & EF_CT_SEEN_MASK);
}

static __always_inline int ef_ct_is(__u64 e, __u32 fp)
{
	return (e & EF_CT_VALID) && (__u32)(e >> EF_CT_FP_SHIFT) == (fp & EF_CT_FP_MASK);
}

static __always_inline __u32 ef_ct_id(__u64 e)
{
	return (e >> EF_CT_ID_SHIFT) & EF_CT_ID_MASK;
}

static __always_inline __u32 ef_ct_gen(__u64 e)
{
	return (e >> EF_CT_GEN_SHIFT) & EF_CT_GEN_MASK;
}

static __always_inline __u32 ef_ct_seen(__u64 e)
{
	return e & EF_CT_SEEN_MASK;
}

/* Does the entry's seen count the long units (an open established TCP
 * flow, idle timeout in hours)? */
static __always_inline int ef_ct_long(__u64 e)
{
	return (e & (EF_CT_ESTAB | EF_CT_CLOSING | EF_CT_UDP)) == EF_CT_ESTAB;
}

/* Does an entry's gen field match the backend's current gen? */
static __always_inline int ef_ct_gen_ok(__u64 e, __u32 backend_gen)
{
	return ef_ct_gen(e) == (backend_gen & EF_CT_GEN_MASK);
}

#endif /* EF_CT_ENTRY_H */
