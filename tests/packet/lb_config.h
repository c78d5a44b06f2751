/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * lb_config.h: the VIPs and backends every LB case runs against (see
 * lb_config.c for the whole table), named so that a case row says which VIP
 * must match.
 */
#ifndef LB_CONFIG_H
#define LB_CONFIG_H

enum lb_vip_id {
	VIP_TCP4 = 1,	/* 10.0.0.10:80/tcp ipip, backends .11 .12 .13 on out0 */
	VIP_UDP4_ANY,	/* 10.0.0.10:0/udp ipip (every port) */
	VIP_TCP6,	/* [2001:db8::10]:443/tcp ipip, IPv6 backends on out0 */
	VIP_UDP4_TO6,	/* 10.0.0.11:53/udp ipip to an IPv6 backend (IPv4-in-IPv6) */
	VIP_TCP4_TX,	/* 10.0.0.12:80/tcp ipip, backend behind in0, outer source set on the VIP */
	VIP_TCP6_BAD,	/* [2001:db8::11]:80/tcp with an IPv4 backend */
	VIP_L2_TCP4,	/* 10.0.0.13:80/tcp l2, backends on out0 */
	VIP_L2_TCP4_TX, /* 10.0.0.13:81/tcp l2, backend behind in0 */
	VIP_L2_TCP6,	/* [2001:db8::12]:80/tcp l2 */
	VIP_NO_NEIGH,	/* 10.0.0.14:80/tcp ipip, on-link backend with no neighbour entry */
	VIP_L2_NO_NEIGH,   /* 10.0.0.14:81/tcp l2, same backend */
	VIP_NO_ROUTE,	   /* 10.0.0.15:80/tcp ipip, unroutable backend */
	VIP_VIA_GW,	   /* 10.0.0.16:80/tcp ipip, backend behind a gateway */
	VIP_L2_VIA_GW,	   /* 10.0.0.16:81/tcp l2, backend behind a gateway */
	VIP_NO_TABLE,	   /* 10.0.0.17:80/tcp, no Maglev table, echo off */
	VIP_ALL_DOWN,	   /* 10.0.0.17:81/tcp, table names only a DOWN backend, echo off */
	VIP_TCP6_TX,	   /* [2001:db8::13]:80/tcp ipip, behind in0, outer source set on the VIP */
	VIP_UDP6_ANY_GW,   /* [2001:db8::13]:0/udp ipip, behind a gateway */
	VIP_TCP6_NO_ROUTE, /* [2001:db8::14]:80/tcp ipip, unroutable */
	VIP_TCP6_NO_NEIGH, /* [2001:db8::14]:81/tcp ipip, no neighbour entry */
	VIP_TCP4_ANY,	   /* 10.0.0.13:0/tcp ipip: ports other than VIP_L2_TCP4's and _TX's */
};

/* Backends of VIP_TCP4 (the conntrack stories move flows among them). */
enum { BE_TCP4_A = 1, BE_TCP4_B = 2, BE_TCP4_C = 3, BE_UDP4_A = 4, BE_UDP4_B = 5 };

/* Fill lbfix_vips and lbfix_backends. */
void lb_config_init(void);

#endif /* LB_CONFIG_H */
