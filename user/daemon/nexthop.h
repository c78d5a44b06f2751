/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * nexthop.h: what the kernel would do with a packet toward an address, read
 * (never changed) over rtnetlink: the route's device and next hop, and the
 * state of that next hop's neighbour entry (ARP/ND). For evenflow doctor.
 */
#ifndef EF_NEXTHOP_H
#define EF_NEXTHOP_H

#include <net/if.h>
#include <stdbool.h>

#include "evenflow.h"

struct ef_route_via {
	char dev[IF_NAMESIZE]; /* the route's output device */
	int ifindex;
	struct ef_addr via; /* the gateway, or the address itself (on link) */
	bool gateway;
	__u16 nud; /* NUD_* of via's neighbour entry on dev; 0: there is none */
};

/* The route toward addr: 0, -ENETUNREACH (nothing recorded) when there is
 * no unicast route, another negative errno recorded on a netlink failure. */
int ef_nexthop_get(const struct ef_addr *addr, __u8 family, struct ef_route_via *nh);

/* A neighbour entry the kernel can send through without resolving first. */
bool ef_nud_resolved(__u16 nud);

#endif /* EF_NEXTHOP_H */
