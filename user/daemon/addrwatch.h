/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * addrwatch.h: the host's address changes, heard from the kernel (the
 * rtnetlink groups of IPv4 and IPv6 addresses, through libmnl), so that the
 * daemon keeps the decap program's map of local addresses right without
 * being told: a VIP added to lo later is decapsulated at once.
 */
#ifndef EF_ADDRWATCH_H
#define EF_ADDRWATCH_H

#include <stdbool.h>

struct ef_addrwatch;

/* A netlink socket in those groups, non-blocking; NULL with -errno in
 * *err (nothing recorded). */
struct ef_addrwatch *ef_addrwatch_open(int *err);
/* Its descriptor, for epoll. */
int ef_addrwatch_fd(const struct ef_addrwatch *w);
/* Reads what is queued: true if an address was added or removed, or if
 * the kernel dropped events (the socket overran: anything may have
 * changed). */
bool ef_addrwatch_changed(struct ef_addrwatch *w);
void ef_addrwatch_close(struct ef_addrwatch *w);

#endif /* EF_ADDRWATCH_H */
