// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* run.c: one BPF_PROG_TEST_RUN of an XDP program and the checks of its result. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include "run.h"
#include "topo.h"

uint64_t percpu_u64(int map_fd, uint32_t key)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t values[ncpu], sum = 0;

	assert_true(ncpu > 0);
	if (bpf_map_lookup_elem(map_fd, &key, values))
		fail_msg("reading counter %u: %s", key, strerror(errno));
	for (int i = 0; i < ncpu; i++)
		sum += values[i];
	return sum;
}

static void snapshot(const struct counters *c, uint64_t *out)
{
	assert_true(c->n <= RUN_MAX_COUNTERS);
	for (int i = 0; i < c->n; i++)
		out[i] = percpu_u64(c->map_fd, i);
}

void run_xdp(int prog_fd, const struct counters *c, const struct pkt *in, const char *ingress,
	     struct run *r)
{
	struct xdp_md ctx = {
	    .data_end = in->len,
	    .ingress_ifindex = topo_ifindex(ingress ? ingress : "in0"),
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in->data, .data_size_in = in->len,
		    .data_out = r->out, .data_size_out = sizeof(r->out), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);

	snapshot(c, r->before);
	if (bpf_prog_test_run_opts(prog_fd, &opts))
		fail_msg("BPF_PROG_TEST_RUN on a %zu-byte frame: %s", in->len, strerror(errno));
	r->action = opts.retval;
	r->out_len = opts.data_size_out;
	snapshot(c, r->after);
}

const char *xdp_action_name(int action)
{
	static const char *const names[] = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					    "XDP_REDIRECT"};

	return action >= 0 && action <= XDP_REDIRECT ? names[action] : "XDP_?";
}

void check_action(const struct run *r, int want)
{
	if (r->action != want)
		fail_msg("action %s, want %s", xdp_action_name(r->action), xdp_action_name(want));
}

void check_counters(const struct run *r, const struct counters *c, int want)
{
	for (int i = 0; i < c->n; i++) {
		uint64_t delta = r->after[i] - r->before[i];

		if (delta != (i == want ? 1u : 0u))
			fail_msg("counter %s went up by %llu, want %s +1", c->names[i],
				 (unsigned long long)delta, c->names[want]);
	}
}

void check_frame(const struct run *r, const struct pkt *want)
{
	if (r->out_len == want->len && !memcmp(r->out, want->data, want->len))
		return;
	pb_diff(r->out, r->out_len, want->data, want->len);
	fail_msg("output frame differs (%u bytes, want %zu)", r->out_len, want->len);
}
