/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * announce_rule.h: which VIP addresses this load balancer offers to its
 * routers (daemon/announce.h carries the decision to the routing daemon).
 * Pure: no I/O.
 *
 * An address is announced only while
 *   - the data plane is attached (its program runs on a device),
 *   - the daemon is neither in maintenance nor stopping, and
 *   - every VIP on that address has at least its min-up backends up and
 *     healthy here: effective state up, and a health verdict that is not
 *     unhealthy (unchecked counts: without a check the operator's state is
 *     all there is to know).
 * A backend kept up only because its VIP fails open (every backend fails
 * its checks here, so the last good ones stay in the table) does not count:
 * failing open keeps forwarding what still arrives, announcing would attract
 * more traffic to an LB that cannot check its backends.
 *
 * Several VIPs on one address (other ports or protocols): routers send the
 * address, not the port, so an LB that cannot serve one of them would take
 * its traffic into a dead end; the address is announced only if every VIP
 * on it qualifies. A VIP with min-up 0 always qualifies (a service that
 * must never withdraw its address for the others).
 *
 * With siblings, an address that qualifies but is not announced yet (at
 * start, after a withdrawal, after maintenance) is announced only once a
 * sibling agrees on every VIP on it (its fingerprints equal ours), judged
 * from polls that started after the address qualified; or once no sibling
 * read that fresh announces it (somebody must serve it). An LB coming back
 * from isolation has marked backends down while it could not reach them;
 * its checks pass again one by one, and announcing on the first one would
 * send the flows that move to it to other backends than their own. An
 * address already announced is never withdrawn for a difference (the
 * fingerprint alarm reports those): the rule only delays announcing.
 */
#ifndef EF_ANNOUNCE_RULE_H
#define EF_ANNOUNCE_RULE_H

#include <stddef.h>

#include "core/config.h"
#include "core/model.h"
#include "daemon/announce.h"

/* Why an address is, or is not, announced. */
enum ef_ann_why {
	EF_ANN_YES,	    /* announced: every VIP on it qualifies */
	EF_ANN_DETACHED,    /* the data plane runs on no device */
	EF_ANN_MAINTENANCE, /* the operator asked (SIGUSR1) */
	EF_ANN_STOPPING,    /* SIGTERM: withdrawn while the daemon drains */
	EF_ANN_TOO_FEW,	    /* a VIP on it has fewer than min-up up and healthy */
	EF_ANN_SIBLINGS,    /* qualifies; waits until a sibling agrees (ef_ann_gate) */
};

/* The verdict on one address. */
struct ef_ann_verdict {
	struct ef_announce_addr addr;
	enum ef_ann_why why;
	size_t n_vips; /* VIPs on the address */
	/* EF_ANN_TOO_FEW: the first VIP on it that falls short, its backends
	 * up and healthy, and its min-up */
	struct ef_vip_key vip;
	size_t healthy;
	__u32 min_up;
	__u64 since; /* EF_ANN_SIBLINGS: when it qualified (ms; the caller's) */
};

/* What one sibling says about an address that qualifies here. */
struct ef_ann_peer {
	bool fresh;	/* its last finished poll started after the address qualified */
	bool read;	/* that poll read its page */
	bool agrees;	/* every VIP on the address has our fingerprint there */
	bool announces; /* it announces the address */
};

/* EF_ANN_YES when a fresh sibling agrees, or every sibling is fresh and
 * none read announces the address (no sibling: EF_ANN_YES); else
 * EF_ANN_SIBLINGS (wait: a poll is due, or they announce it differently). */
enum ef_ann_why ef_ann_gate(const struct ef_ann_peer *peers, size_t n);

/* The backends of v that count toward its min-up. */
size_t ef_ann_healthy(const struct ef_conf_vip *v);

/*
 * One verdict per address of c (the running configuration, VIPs sorted by
 * family and address as ef_conf_read returns them), in that order; min_up[i]
 * is c->vips[i]'s. global is EF_ANN_YES, or the reason every address is
 * withdrawn (detached, maintenance, stopping). *out is malloc'd (NULL when
 * n is 0). 0 or -ENOMEM.
 */
int ef_ann_decide(const struct ef_conf *c, const __u32 *min_up, enum ef_ann_why global,
		  struct ef_ann_verdict **out, size_t *n);

/* min-up of every VIP of c (the running configuration) under the file cfg:
 * the file's (its own or announce.min-up), else announce.min-up for a VIP
 * the file does not hold (added with the CLI). malloc'd; NULL: no memory. */
__u32 *ef_ann_min_ups(const struct ef_config *cfg, const struct ef_conf *c);

/* "announced", "the data plane is attached to no device", ... */
const char *ef_ann_why_str(enum ef_ann_why why);

#endif /* EF_ANNOUNCE_RULE_H */
