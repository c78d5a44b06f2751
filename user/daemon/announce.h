/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * announce.h: the VIP addresses this load balancer offers to its routers,
 * handed to a routing daemon through a kernel routing table.
 *
 * evenflow speaks no BGP. It keeps one host route per announceable VIP
 * address (a /32 or /128 of type blackhole) in a routing table of its own
 * (EF_ANNOUNCE_TABLE_DEFAULT), tagged with a route protocol of its own
 * (EF_ANNOUNCE_PROTO_DEFAULT). The routing daemon learns that table and
 * announces what it holds: BIRD 2 with a `kernel` protocol on the table with
 * `learn`, FRR with `ip import-table` and `redistribute table` (README,
 * "Several load balancers"). No `ip rule` points at the table, so the kernel
 * never forwards by it; blackhole says so if one ever did.
 *
 * The handle owns exactly the routes of its protocol in its table: a set
 * removes those it was not given and adds those missing, with one netlink
 * request per difference, and never touches another protocol's routes.
 * Changes are not atomic as a whole (netlink has no transaction): a call
 * that fails part-way leaves some differences unapplied, and the next call
 * converges from whatever the table then holds.
 *
 * Errors: a negative errno, with one line recorded through ef_err (log.h)
 * naming the table, the address and the kernel's own message if it sent one.
 */
#ifndef EF_ANNOUNCE_H
#define EF_ANNOUNCE_H

#include <stddef.h>

#include "evenflow.h"

/*
 * Table 239 (0xEF): below 253 (default, main and local are 253-255), so its
 * number fits the route header's own byte as well as RTA_TABLE and every
 * tool shows it; not 100-ish, the numbers examples and other software pick
 * first. Protocol 239: not one of iproute2's reserved numbers (rt_protos);
 * not `kernel` (2) or `bird` (12), whose routes BIRD's `learn` ignores, nor
 * `static`/`boot`, which an operator uses by hand: a protocol number that
 * only evenflow writes is what lets it own its routes and nothing else.
 * Name both for `ip`: "239 evenflow" in /etc/iproute2/rt_tables.d/ and
 * rt_protos.d/.
 */
#define EF_ANNOUNCE_TABLE_DEFAULT 239
#define EF_ANNOUNCE_PROTO_DEFAULT 239

/* One announceable address. */
struct ef_announce_addr {
	struct ef_addr addr;
	__u8 family; /* EF_FAMILY_V4 or EF_FAMILY_V6 */
};

/* What a call changed. */
struct ef_announce_change {
	size_t added;	/* routes created */
	size_t removed; /* routes of ours deleted (any of ours that is not one
			 * of the wanted host routes: another prefix length or
			 * type too) */
};

struct ef_announce;

/*
 * A handle on table `table` (1..2^32-1 except 253, 254, 255) and route
 * protocol `proto` (3..255) of the calling thread's network namespace.
 * Reads nothing yet. -EINVAL for a reserved table or protocol, else the
 * netlink socket's error.
 */
int ef_announce_open(__u32 table, __u8 proto, struct ef_announce **out);

/*
 * Makes the routes of the handle's protocol in its table exactly one host
 * route per address of addrs[0..n-1] (duplicates allowed, order free).
 * Before changing anything, refuses (-EEXIST) an address that the table
 * already routes with another protocol: that route is someone else's.
 * -EINVAL for an address of another family than v4/v6. `chg` (may be NULL)
 * receives the counts, also on failure (what was applied).
 */
int ef_announce_set(struct ef_announce *a, const struct ef_announce_addr *addrs, size_t n,
		    struct ef_announce_change *chg);

/* Removes every route of the handle's protocol from its table. */
int ef_announce_withdraw_all(struct ef_announce *a, struct ef_announce_change *chg);

/* The host routes of the handle's protocol in its table now, sorted by
 * (family, address); free(*out) after. */
int ef_announce_read(struct ef_announce *a, struct ef_announce_addr **out, size_t *n);

/* Closes the handle; the routes stay (withdrawing is a decision). NULL is fine. */
void ef_announce_close(struct ef_announce *a);

#endif /* EF_ANNOUNCE_H */
