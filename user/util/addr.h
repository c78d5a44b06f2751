/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * addr.h: parsing and formatting of addresses, VIPs and client endpoints.
 *
 * Pure functions (no I/O, no BPF). A parser returns 0, or -EINVAL with *why
 * set to a short reason ("invalid IPv4 address") for the caller's message.
 */
#ifndef EF_ADDR_H
#define EF_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "evenflow.h"

/* Longest text of an address, a VIP ("[addr]:port/proto") or an endpoint. */
#define EF_ADDR_STRLEN 46
#define EF_VIP_STRLEN  64

/* A bare IPv4 or IPv6 address ("10.0.0.1", "2001:db8::1"). */
int ef_addr_parse(const char *s, struct ef_addr *addr, __u8 *family, const char **why);

/* What an address is to be. */
enum ef_addr_use {
	EF_ADDR_VIP,
	EF_ADDR_BACKEND,
};

/* Why addr can never be a VIP or a backend (use): unspecified, "this
 * network" (0/8), broadcast, multicast, loopback, IPv4-mapped IPv6, and
 * for a VIP link-local; NULL when it can be. */
const char *ef_addr_unusable(const struct ef_addr *addr, __u8 family, enum ef_addr_use use);

/* "ADDR:PORT/PROTO", IPv6 in brackets: "10.0.0.10:80/tcp", "[2001:db8::10]:443/udp". */
int ef_vip_parse(const char *s, struct ef_vip_key *key, const char **why);

/* "ADDR:PORT" or "[ADDR]:PORT"; *port in host byte order. */
int ef_endpoint_parse(const char *s, struct ef_addr *addr, __u8 *family, __u16 *port,
		      const char **why);

/* A decimal number in [min, max], nothing else around it. */
int ef_parse_u32(const char *s, __u32 min, __u32 max, __u32 *out);

/* Formatting: always NUL-terminated; returns buf. */
const char *ef_addr_str(const struct ef_addr *addr, __u8 family, char *buf, size_t len);
const char *ef_vip_str(const struct ef_vip_key *key, char *buf, size_t len);

/* "tcp"/"udp"/"?" and back (IPPROTO_* or -1). */
const char *ef_proto_str(__u8 proto);
int ef_proto_parse(const char *s);

/* Address of a VIP key as the key of evenflow_vip_addrs (port 0, proto 0). */
void ef_vip_addr_key(const struct ef_vip_key *key, struct ef_vip_key *addr_key);

/* Total order on (family, address): the order of the Maglev fill. */
int ef_addr_cmp(const struct ef_addr *a, __u8 fa, const struct ef_addr *b, __u8 fb);

#endif /* EF_ADDR_H */
