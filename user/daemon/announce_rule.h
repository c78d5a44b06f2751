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
 */
#ifndef EF_ANNOUNCE_RULE_H
#define EF_ANNOUNCE_RULE_H

#include <stddef.h>

#include "core/model.h"
#include "daemon/announce.h"

/* Why an address is, or is not, announced. */
enum ef_ann_why {
	EF_ANN_YES,	    /* announced: every VIP on it qualifies */
	EF_ANN_DETACHED,    /* the data plane runs on no device */
	EF_ANN_MAINTENANCE, /* the operator asked (SIGUSR1) */
	EF_ANN_STOPPING,    /* SIGTERM: withdrawn while the daemon drains */
	EF_ANN_TOO_FEW,	    /* a VIP on it has fewer than min-up up and healthy */
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
};

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

/* "announced", "the data plane is attached to no device", ... */
const char *ef_ann_why_str(enum ef_ann_why why);

#endif /* EF_ANNOUNCE_RULE_H */
