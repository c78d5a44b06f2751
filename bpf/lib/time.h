/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * time.h: the data plane's clock: jiffies, which cost about 1 ns to read
 * here (bpf_ktime_get_ns costs about 30 ns, the coarse variant about 14).
 */
#ifndef EF_TIME_H
#define EF_TIME_H

#include <bpf/bpf_helpers.h>
#include "ct_entry.h"

/* The kernel's tick rate, from its configuration at load (0 if unknown). */
extern unsigned int CONFIG_HZ __kconfig __weak;

static __always_inline __u64 ef_hz(void)
{
	return CONFIG_HZ ? CONFIG_HZ : 250;
}

/* Jiffies `now` in the units of a `seen` field of `shift` (EF_CT_SEEN_SHIFT
 * or EF_CT_SEEN_SHIFT_LONG). */
static __always_inline __u32 ef_seen_at(__u64 now, __u32 shift)
{
	return (now >> shift) & EF_CT_SEEN_MASK;
}

/* Longest duration `seen` can measure, in its units (below its wrap). */
#define EF_SEEN_MAX_UNITS 500

/* A duration in seconds, in `seen` units of `shift` (rounded up, at most the
 * max). */
static __always_inline __u32 ef_seen_units(__u32 seconds, __u32 shift)
{
	__u64 units = ((__u64)seconds * ef_hz() + (1ULL << shift) - 1) >> shift;

	return units < EF_SEEN_MAX_UNITS ? units : EF_SEEN_MAX_UNITS;
}

#endif /* EF_TIME_H */
