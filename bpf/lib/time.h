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

#endif /* EF_TIME_H */
