// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lb_config.c: the VIPs and backends of the LB cases (see topo.h for the network). */
#include <netinet/in.h>
#include "lb_config.h"
#include "lbfix.h"

#define S4 "198.51.100.1"  /* the LB's address on out0 */
#define S6 "2001:db8:2::1" /* and its IPv6 one */

static const struct lbfix_backend backends[] = {
    [1] = {"198.51.100.11", S4, 0, 1, VIP_TCP4},
    [2] = {"198.51.100.12", S4, 0, 1, VIP_TCP4},
    [3] = {"198.51.100.13", S4, 0, 1, VIP_TCP4},
    [4] = {"198.51.100.14", S4, 0, 1, VIP_UDP4_ANY},
    [5] = {"198.51.100.12", S4, 0, 1, VIP_UDP4_ANY},
    [6] = {"2001:db8:2::11", S6, 0, 1, VIP_TCP6},
    [7] = {"2001:db8:2::12", S6, 0, 1, VIP_TCP6},
    [8] = {"2001:db8:2::21", S6, 0, 1, VIP_UDP4_TO6},
    [9] = {"192.0.2.21", "192.0.2.1", 0, 1, VIP_TCP4_TX},
    [10] = {"198.51.100.11", S4, 0, 1, VIP_TCP6_BAD},
    [11] = {"198.51.100.11", S4, 0, 1, VIP_L2_TCP4},
    [12] = {"198.51.100.12", S4, 0, 1, VIP_L2_TCP4},
    [13] = {"192.0.2.21", "192.0.2.1", 0, 1, VIP_L2_TCP4_TX},
    [14] = {"2001:db8:2::11", S6, 0, 1, VIP_L2_TCP6},
    [15] = {"198.51.100.99", S4, 0, 1, VIP_NO_NEIGH},
    [16] = {"198.51.100.99", S4, 0, 1, VIP_L2_NO_NEIGH},
    [17] = {"203.0.113.5", S4, 0, 1, VIP_NO_ROUTE},
    [18] = {"10.99.0.5", S4, 0, 1, VIP_VIA_GW},
    [19] = {"10.99.0.5", S4, 0, 1, VIP_L2_VIA_GW},
    [20] = {"198.51.100.13", S4, EF_BE_DOWN, 1, VIP_ALL_DOWN},
    [21] = {"2001:db8:1::21", "2001:db8:1::1", 0, 1, VIP_TCP6_TX},
    [22] = {"2001:db8:99::5", S6, 0, 1, VIP_UDP6_ANY_GW},
    [23] = {"2001:db8:dead::5", S6, 0, 1, VIP_TCP6_NO_ROUTE},
    [24] = {"2001:db8:2::99", S6, 0, 1, VIP_TCP6_NO_NEIGH},
    [25] = {"198.51.100.14", S4, 0, 1, VIP_TCP4_ANY},
    [26] = {"198.51.100.13", S4, 0, 1, VIP_TCP4_ANY},
};

#define TCP  IPPROTO_TCP
#define UDP  IPPROTO_UDP
#define IPIP EF_FWD_IPIP
#define L2   EF_FWD_L2

/* Table sizes differ (prime sizes are per VIP) so a wrong size would show. */
static const struct lbfix_vip vips[] = {
    [VIP_TCP4] = {"10.0.0.10", 80, TCP, IPIP, NULL, 251, {1, 2, 3}},
    [VIP_UDP4_ANY] = {"10.0.0.10", 0, UDP, IPIP, NULL, 257, {4, 5}},
    [VIP_TCP6] = {"2001:db8::10", 443, TCP, IPIP, NULL, 509, {6, 7}},
    [VIP_UDP4_TO6] = {"10.0.0.11", 53, UDP, IPIP, NULL, 251, {8}},
    [VIP_TCP4_TX] = {"10.0.0.12", 80, TCP, IPIP, "192.0.2.100", 251, {9}},
    [VIP_TCP6_BAD] = {"2001:db8::11", 80, TCP, IPIP, NULL, 251, {10}},
    [VIP_L2_TCP4] = {"10.0.0.13", 80, TCP, L2, NULL, 251, {11, 12}},
    [VIP_L2_TCP4_TX] = {"10.0.0.13", 81, TCP, L2, NULL, 251, {13}},
    [VIP_L2_TCP6] = {"2001:db8::12", 80, TCP, L2, NULL, 251, {14}},
    [VIP_NO_NEIGH] = {"10.0.0.14", 80, TCP, IPIP, NULL, 251, {15}},
    [VIP_L2_NO_NEIGH] = {"10.0.0.14", 81, TCP, L2, NULL, 251, {16}},
    [VIP_NO_ROUTE] = {"10.0.0.15", 80, TCP, IPIP, NULL, 251, {17}},
    [VIP_VIA_GW] = {"10.0.0.16", 80, TCP, IPIP, NULL, 251, {18}},
    [VIP_L2_VIA_GW] = {"10.0.0.16", 81, TCP, L2, NULL, 251, {19}},
    [VIP_NO_TABLE] = {"10.0.0.17", 80, TCP, IPIP, NULL, 0, {0}, .no_echo = 1},
    [VIP_ALL_DOWN] = {"10.0.0.17", 81, TCP, IPIP, NULL, 251, {20}, .no_echo = 1},
    [VIP_TCP6_TX] = {"2001:db8::13", 80, TCP, IPIP, "2001:db8:1::100", 251, {21}},
    [VIP_UDP6_ANY_GW] = {"2001:db8::13", 0, UDP, IPIP, NULL, 251, {22}},
    [VIP_TCP6_NO_ROUTE] = {"2001:db8::14", 80, TCP, IPIP, NULL, 251, {23}},
    [VIP_TCP6_NO_NEIGH] = {"2001:db8::14", 81, TCP, IPIP, NULL, 251, {24}},
    [VIP_TCP4_ANY] = {"10.0.0.13", 0, TCP, IPIP, NULL, 263, {25, 26}},
};

void lb_config_init(void)
{
	for (unsigned int i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		lbfix_backends[i] = backends[i];
	for (unsigned int i = 0; i < sizeof(vips) / sizeof(vips[0]); i++)
		lbfix_vips[i] = vips[i];
}
