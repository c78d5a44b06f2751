/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* route.h: what the kernel's routing says about a backend. */
#ifndef EF_ROUTE_H
#define EF_ROUTE_H

#include <stdbool.h>

#include "evenflow.h"

/* The kernel's choice of source address toward addr (UDP connect()); with
 * poke, also sends one byte to its discard port so that its neighbour
 * entry (ARP/ND) is resolved before the first packet. A negative errno
 * (nothing recorded) when there is no route. */
int ef_route_src(const struct ef_addr *addr, __u8 family, bool poke, struct ef_addr *src);

#endif /* EF_ROUTE_H */
