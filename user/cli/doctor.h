/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * doctor.h: evenflow doctor, the set-up checked step by step (README,
 * "evenflow doctor"). Each step prints one line, ok, FAIL or skip (a step
 * whose prerequisite failed: the cause is named once, where it is), with
 * the fix under a failed one; -j: the same as an array "steps".
 */
#ifndef EF_DOCTOR_H
#define EF_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "evenflow.h"

#define EF_DOCTOR_VIPS 32

struct ef_doctor_args {
	int side; /* EF_DOCTOR_LB or EF_DOCTOR_BACKEND */
	struct ef_vip_key vips[EF_DOCTOR_VIPS];
	size_t n_vips;
	unsigned mtu; /* the largest packet a client sends (backend side) */
};

enum { EF_DOCTOR_LB, EF_DOCTOR_BACKEND };
enum ef_step_result { EF_STEP_OK, EF_STEP_FAIL, EF_STEP_SKIP };

struct ef_doctor {
	const char *pin_dir;
	const struct ef_doctor_args *args;
	size_t failed;
};

/* One step about subject: detail says what was found; fix (failed steps)
 * what to do. */
__attribute__((format(printf, 6, 7))) void ef_step(struct ef_doctor *d, enum ef_step_result r,
						   const char *step, const char *subject,
						   const char *fix, const char *fmt, ...);

/* A sysctl under /proc/sys ("net/ipv4/ip_forward"): its value, -1 if it
 * cannot be read. */
int ef_sysctl(const char *path);
/* A device's MTU, 0 if it cannot be read. */
unsigned ef_dev_mtu(const char *dev);

/* The checks of each side. 0, or a negative errno (recorded) when a check
 * could not run at all. */
int ef_doctor_lb(struct ef_doctor *d);
int ef_doctor_backend(struct ef_doctor *d);

#endif /* EF_DOCTOR_H */
