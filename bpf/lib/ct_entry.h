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

/* ---- Age (the arithmetic; the clock and the timeouts are the caller's:
 * lib/time.h and lib/select.h in the data plane, `evenflow lookup` in user
 * space) ---- */

/* Longest duration `seen` can measure, in its units (below its wrap). */
#define EF_SEEN_MAX_UNITS 500

/* Jiffies `now` in the units of a `seen` field of `shift` (EF_CT_SEEN_SHIFT
 * or EF_CT_SEEN_SHIFT_LONG). */
static __always_inline __u32 ef_seen_at(__u64 now, __u32 shift)
{
	return (now >> shift) & EF_CT_SEEN_MASK;
}

/* A duration in seconds at `hz` jiffies a second, in `seen` units of
 * `shift` (rounded up, at most the max). */
static __always_inline __u32 ef_seen_units_hz(__u32 seconds, __u32 shift, __u64 hz)
{
	__u64 units = ((__u64)seconds * hz + (1ULL << shift) - 1) >> shift;

	return units < EF_SEEN_MAX_UNITS ? units : EF_SEEN_MAX_UNITS;
}

/* The timeout that applies to entry e, in seconds, and its seen field's
 * units (shift): UDP's, an open established TCP flow's (long units), else
 * (one packet so far, or closing) the grace. */
static __always_inline __u32 ef_ct_timeout_of(__u64 e, __u32 udp_s, __u32 tcp_s, __u32 *shift)
{
	*shift = EF_CT_SEEN_SHIFT;
	if (e & EF_CT_UDP)
		return udp_s;
	if (!ef_ct_long(e))
		return EF_CT_GRACE_S;
	*shift = EF_CT_SEEN_SHIFT_LONG;
	return tcp_s;
}

/* Has entry e, whose timeout is `secs` in units of `shift`, idled out at
 * jiffies `now` (hz a second)? */
static __always_inline int ef_ct_idled(__u64 e, __u64 now, __u32 secs, __u32 shift, __u64 hz)
{
	return ((ef_seen_at(now, shift) - ef_ct_seen(e)) & EF_CT_SEEN_MASK) >
	       ef_seen_units_hz(secs, shift, hz);
}

#endif /* EF_CT_ENTRY_H */
