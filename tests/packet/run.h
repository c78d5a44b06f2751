/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * run.h: run an XDP program once on a frame (BPF_PROG_TEST_RUN) and check
 * what came out: the action, the whole frame and the verdict counters.
 */
#ifndef RUN_H
#define RUN_H

#include <stdint.h>
#include "pktbuild.h"

#define RUN_MAX_COUNTERS 32

struct run {
	int action;
	uint8_t out[PB_MAX_LEN];
	uint32_t out_len;
	uint64_t before[RUN_MAX_COUNTERS]; /* verdict counters before the run */
	uint64_t after[RUN_MAX_COUNTERS];  /* and after */
};

/* A program's verdict counters: a per-CPU array of __u64 and their names. */
struct counters {
	int map_fd;
	int n;
	const char *const *names;
};

/* Run `prog_fd` on `in` as received on device `ingress`; fails the test on a
 * syscall error. */
void run_xdp(int prog_fd, const struct counters *c, const struct pkt *in, const char *ingress,
	     struct run *r);

/* Sum of a per-CPU __u64 map entry over the CPUs. */
uint64_t percpu_u64(int map_fd, uint32_t key);

const char *xdp_action_name(int action);

/* Each check fails the running test with a message saying what differed. */
void check_action(const struct run *r, int want);
/* Exactly counter `want` went up by one, every other stayed. */
void check_counters(const struct run *r, const struct counters *c, int want);
/* The output frame equals `want` byte for byte (a hex diff otherwise). */
void check_frame(const struct run *r, const struct pkt *want);

#endif /* RUN_H */
