// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* kclock.c: the kernel's jiffies and tick rate; see kclock.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <zlib.h>

#include "util/kclock.h"
#include "util/log.h"

int ef_jiffies(__u64 *now)
{
	FILE *f = fopen("/proc/timer_list", "re");
	char line[256];
	int err = -ENOENT;

	if (!f)
		return ef_err(-errno, "cannot read the kernel's clock: /proc/timer_list: %s",
			      strerror(errno));
	while (err && fgets(line, sizeof(line), f))
		if (sscanf(line, "jiffies: %llu", (unsigned long long *)now) == 1)
			err = 0;
	fclose(f);
	if (err)
		return ef_err(err,
			      "cannot read the kernel's clock: no jiffies in /proc/timer_list");
	return 0;
}

/* CONFIG_HZ from a kernel configuration file, gzipped or not (zlib reads
 * both): 1 found, 0 not found, -errno if it cannot be opened. */
static int hz_in(const char *path, __u32 *hz)
{
	gzFile f = gzopen(path, "rb");
	char line[256];
	int found = 0;

	if (!f)
		return -ENOENT;
	while (!found && gzgets(f, line, sizeof(line)))
		found = sscanf(line, "CONFIG_HZ=%u", hz) == 1 && *hz;
	gzclose(f);
	return found;
}

int ef_kernel_hz(__u32 *hz)
{
	char boot[128];
	struct utsname u;

	if (hz_in("/proc/config.gz", hz) == 1)
		return 0;
	if (!uname(&u)) {
		snprintf(boot, sizeof(boot), "/boot/config-%s", u.release);
		if (hz_in(boot, hz) == 1)
			return 0;
	}
	return ef_err(-ENOENT, "cannot tell the kernel's tick rate (no CONFIG_HZ in "
			       "/proc/config.gz or /boot/config-RELEASE)");
}
