/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * reply.h: the budget of the replies the data plane sends itself.
 *
 * An ICMP echo reply or "too big" answers a packet whose source anybody can
 * forge: without a limit, a spoofed flood makes the LB reflect as many
 * packets toward the forged source. Each CPU has a token bucket of
 * ef_reply_rate replies a second (set at load, attach --reply-rate), full
 * after a second of quiet; a reply over budget is not sent and its packet is
 * dropped (drop_reply_limit).
 */
#ifndef EF_REPLY_H
#define EF_REPLY_H

#include "maps.h"
#include "time.h"

/* Replies per second per CPU (set at load). */
const volatile __u32 ef_reply_rate = 1000;

/* Take one reply from this CPU's budget: 1 if there was one, else 0. */
static __always_inline int ef_reply_allowed(void)
{
	struct ef_reply_budget *b;
	__u32 zero = 0;
	__u64 now, add;

	b = bpf_map_lookup_elem(&evenflow_reply_budget, &zero);
	if (!b)
		return 0;
	now = bpf_jiffies64();
	add = (now - b->at) * ef_reply_rate / ef_hz();
	if (add) {
		b->tokens = b->tokens + add < ef_reply_rate ? b->tokens + add : ef_reply_rate;
		b->at = now;
	}
	if (!b->tokens)
		return 0;
	b->tokens--;
	return 1;
}

#endif /* EF_REPLY_H */
