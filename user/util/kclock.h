/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * kclock.h: the kernel's jiffies clock as the data plane reads it
 * (bpf_jiffies64), for user space that must judge a connection entry's age
 * the way the data plane does (`evenflow lookup`).
 */
#ifndef EF_KCLOCK_H
#define EF_KCLOCK_H

#include <linux/types.h>

/* The kernel's jiffies now (from /proc/timer_list): 0 or a negative errno
 * (recorded). */
int ef_jiffies(__u64 *now);
/* The kernel's tick rate, CONFIG_HZ (from /proc/config.gz, else
 * /boot/config-RELEASE), as the data plane's kconfig reads it: 0 or a
 * negative errno (recorded). */
int ef_kernel_hz(__u32 *hz);

#endif /* EF_KCLOCK_H */
