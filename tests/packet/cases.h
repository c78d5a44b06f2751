/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* cases.h: the groups of packet tests; each returns the number of failures. */
#ifndef CASES_H
#define CASES_H

#include <netinet/in.h>

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

#define C4 "10.1.0.1"	   /* the client */
#define C6 "2001:db8:c::1" /* the client over IPv6 */

/* Frame descriptions: family, client (port sp), destination d (port dp), flags. */
#define TCP4S(sp, d, dp, fl)                                                                       \
	.family = 4, .src = C4, .dst = d, .proto = IPPROTO_TCP, .sport = sp, .dport = dp,          \
	.flags = fl
#define TCP6S(sp, d, dp, fl)                                                                       \
	.family = 6, .src = C6, .dst = d, .proto = IPPROTO_TCP, .sport = sp, .dport = dp,          \
	.flags = fl
#define TCP4(d, dp, fl) TCP4S(40000, d, dp, fl)
#define TCP6(d, dp, fl) TCP6S(40002, d, dp, fl)
/* An ICMP error from a router on the return path (type, code), to VIP
 * address d, quoting a reply d:dp -> client:sp of protocol qp. */
#define R4 "192.0.2.99"
#define R6 "2001:db8:ff::1"
#define ICMP4_ERR(t, c, qp, d, dp)                                                                 \
	.family = 4, .src = R4, .dst = d, .proto = IPPROTO_ICMP, .icmp_type = t, .icmp_code = c,   \
	.quote = C4, .quote_proto = qp, .sport = 40000, .dport = dp
#define ICMP6_ERR(t, c, qp, d, dp)                                                                 \
	.family = 6, .src = R6, .dst = d, .proto = IPPROTO_ICMPV6, .icmp_type = t, .icmp_code = c, \
	.quote = C6, .quote_proto = qp, .sport = 40002, .dport = dp
#define UDP4(d, dp)                                                                                \
	.family = 4, .src = C4, .dst = d, .proto = IPPROTO_UDP, .sport = 40001, .dport = dp
#define UDP6(d, dp)                                                                                \
	.family = 6, .src = C6, .dst = d, .proto = IPPROTO_UDP, .sport = 40003, .dport = dp

int pktbuild_selftest_run(void);
int lb_cases_run(void);
int malformed_cases_run(void);
int conntrack_cases_run(void);
int reply_cases_run(void);
int frag_cases_run(void);
int fuzz_cases_run(void);
int decap_cases_run(void);
/* commit_cases.c: the product's commit path, and lookup against the data plane. */
int commit_cases_run(void);

#endif /* CASES_H */
