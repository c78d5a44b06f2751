/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * icmp_error.h: an ICMP error about a reply a backend sent from a VIP.
 *
 * Backends answer clients directly (the LB sees one direction only), from
 * the VIP's address. A router on that return path that cannot deliver a
 * reply (too big for the next link, no route, TTL out) sends its ICMP error
 * to the reply's source: the VIP, so to the LB. The error quotes the start
 * of the reply: VIP -> client. Swapped, its addresses and ports are the
 * flow's as the client sends it, so the error goes to the backend that owns
 * the flow (its entry, else the VIP's table), encapsulated like any packet
 * of the flow, and the backend's kernel learns the path MTU or the error.
 */
#ifndef EF_ICMP_ERROR_H
#define EF_ICMP_ERROR_H

#include <linux/icmpv6.h>
#include "parse.h"

/* The first 8 bytes of every ICMP and ICMPv6 message: type, code, checksum
 * and 4 bytes that depend on the type (unused, an MTU, an echo's id and
 * sequence). */
struct ef_icmp_hdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 id;
	__be16 seq;
};

#define EF_ICMP_ECHO_REPLY    0
#define EF_ICMP_UNREACH	      3
#define EF_ICMP_ECHO	      8
#define EF_ICMP_TIME_EXCEEDED 11

/* Is an ICMP (family V4) or ICMPv6 message of this type an error that
 * quotes the packet it is about? IPv4: destination unreachable (every code,
 * fragmentation needed included), time exceeded; IPv6: destination
 * unreachable, packet too big, time exceeded. */
static __always_inline int ef_icmp_is_error(__u8 family, __u8 type)
{
	if (family == EF_FAMILY_V4)
		return type == EF_ICMP_UNREACH || type == EF_ICMP_TIME_EXCEEDED;
	return type == ICMPV6_DEST_UNREACH || type == ICMPV6_PKT_TOOBIG ||
	       type == ICMPV6_TIME_EXCEED;
}

/* Does the IP protocol `proto` name ICMP of the packet's family (ICMP in
 * IPv4, ICMPv6 in IPv6)? 0 if so, else -1. */
static __always_inline int ef_icmp_of(const struct ef_pkt *p, int proto)
{
	return proto == (p->key.family == EF_FAMILY_V4 ? IPPROTO_ICMP : IPPROTO_ICMPV6) ? 0 : -1;
}

/* The ports word of a quoted TCP or UDP header at q, if 4 bytes of it lie
 * in the frame; else NULL. */
static __always_inline __be16 *ef_icmp_quoted_ports(void *q, void *end)
{
	__be16 *ports = q;

	return (void *)(ports + 2) <= end ? ports : NULL;
}

/* The ICMP error at c->pos (after an IP header of p's family, addressed to
 * p->key.dst), about a TCP or UDP packet that p->key.dst sent (its first
 * fragment, if fragmented): p->key becomes the flow the quoted packet
 * belongs to, as the client sends it, and p->icmp_error is set. Returns 0,
 * or -1 if it is no such error (another type, a quote too short, another
 * protocol or source, a later fragment). */
static __always_inline int ef_parse_icmp_error(struct ef_cursor *c, struct ef_pkt *p)
{
	struct ef_icmp_hdr *icmp = c->pos;
	__be16 *ports;

	if ((void *)(icmp + 1) > c->end || !ef_icmp_is_error(p->key.family, icmp->type))
		return -1;
	if (p->key.family == EF_FAMILY_V4) {
		struct iphdr *q = (void *)(icmp + 1);

		if ((void *)(q + 1) > c->end || q->version != 4 || q->ihl < 5 ||
		    q->saddr != p->key.dst.a32[0] || (q->frag_off & bpf_htons(EF_IP_OFFSET)) ||
		    (q->protocol != IPPROTO_TCP && q->protocol != IPPROTO_UDP))
			return -1;
		ports = ef_icmp_quoted_ports((void *)q + q->ihl * 4, c->end);
		if (!ports)
			return -1;
		p->key.src.a32[0] = q->daddr;
		p->key.proto = q->protocol;
	} else {
		struct ipv6hdr *q = (void *)(icmp + 1);

		if ((void *)(q + 1) > c->end || q->version != 6 ||
		    (q->nexthdr != IPPROTO_TCP && q->nexthdr != IPPROTO_UDP) ||
		    q->saddr.in6_u.u6_addr32[0] != p->key.dst.a32[0] ||
		    q->saddr.in6_u.u6_addr32[1] != p->key.dst.a32[1] ||
		    q->saddr.in6_u.u6_addr32[2] != p->key.dst.a32[2] ||
		    q->saddr.in6_u.u6_addr32[3] != p->key.dst.a32[3])
			return -1;
		ports = ef_icmp_quoted_ports(q + 1, c->end);
		if (!ports)
			return -1;
		__builtin_memcpy(&p->key.src, &q->daddr, sizeof(p->key.src));
		p->key.proto = q->nexthdr;
	}
	p->key.sport = ports[1];
	p->key.dport = ports[0];
	p->icmp_error = 1;
	return 0;
}

#endif /* EF_ICMP_ERROR_H */
