/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * topo.h: the private network the packet tests run in.
 *
 * topo_enter() moves the process into new network and mount namespaces,
 * mounts a bpffs for the pinned maps and builds the devices, routes and
 * permanent neighbours that bpf_fib_lookup() answers from:
 *
 *   in0  192.0.2.1/24    2001:db8:1::1/64   ingress; backends .21 / ::21 behind it (XDP_TX)
 *   out0 198.51.100.1/24 2001:db8:2::1/64   egress;  backends .11-.14 / ::11 ::12 ::21
 *                                            gateway .254 / ::fe to 10.99.0.0/24, 2001:db8:99::/64
 *                                            .99 / ::99 on-link with no neighbour entry
 *   nf0  100.64.0.1/24   2001:db8:3::1/64   forwarding disabled
 *
 * Nothing routes to 203.0.113.0/24 or 2001:db8:dead::/48 (FIB miss).
 */
#ifndef TOPO_H
#define TOPO_H

#include <stdint.h>

/* Source MAC of every client frame. */
extern const uint8_t topo_client_mac[6];

/* Enter the namespaces and build everything; returns 0 or -1. */
int topo_enter(void);
/* Unmount and remove the bpffs directory. */
void topo_leave(void);
/* The bpffs directory the objects pin their maps in. */
const char *topo_pin_dir(void);

int topo_ifindex(const char *dev);
/* MAC of one of our devices (in0, out0, nf0). */
const uint8_t *topo_dev_mac(const char *dev);
/* MAC of a permanent neighbour (a backend or gateway address); aborts if none. */
const uint8_t *topo_neigh_mac(const char *addr);

#endif /* TOPO_H */
