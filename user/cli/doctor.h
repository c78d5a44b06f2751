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
	unsigned mtu;	    /* the largest packet a client sends (backend side) */
	const char *config; /* --config: the file this host should run */
};

enum { EF_DOCTOR_LB, EF_DOCTOR_BACKEND };
enum ef_step_result { EF_STEP_OK, EF_STEP_FAIL, EF_STEP_SKIP };

struct ef_config;

struct ef_doctor {
	const char *pin_dir;
	const struct ef_doctor_args *args;
	/* the configuration this host runs: --config, else the running
	 * daemon's file; NULL when neither (its devices and announce: are
	 * then not checked) */
	const struct ef_config *cfg;
	/* what the daemon of the pin dir says it announces, NULL: no daemon */
	const char *announcing;
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
/* The announce step of the LB side, when the configuration has announce:
 * (dp: the data plane open; ndevs: the devices it runs on). */
struct ef_dp;
int ef_doctor_announce(struct ef_doctor *d, struct ef_dp *dp, size_t ndevs);

/* The devices a program runs on (prog_id, 0: none loaded) against those
 * the configuration asks for (want, may be NULL) and their mode: one
 * "attached" step per device; a program on no device and none asked for
 * is a failure (fix: what attaches it). *n: the devices it runs on; the
 * largest MTU among them is returned. */
struct ef_config_devices;
unsigned ef_doctor_devices(struct ef_doctor *d, __u32 prog_id, const struct ef_config_devices *want,
			   const char *fix, size_t *n);
int ef_doctor_backend(struct ef_doctor *d);

#endif /* EF_DOCTOR_H */
