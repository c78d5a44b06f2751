/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * echo.h: ICMP echo (ping) to a VIP address, answered by the data plane.
 *
 * The LB's kernel does not hold the VIP addresses (DSR replies from the
 * VIP would be martians there), so monitoring that pings a service address
 * would see it dead. The request is turned into the reply in place: MACs,
 * then addresses swapped, the type changed with its checksum, a fresh TTL;
 * it leaves by the device it came in by, behind the same VLAN tags. Within
 * the reply budget (reply.h); not for an address whose VIPs all have echo
 * off (EF_VIP_F_NO_ECHO), nor an IPv4 request with options.
 */
#ifndef EF_ECHO_H
#define EF_ECHO_H

#include "icmp_error.h"
#include "maps.h"
#include "reply.h"
#include "stats.h"

#define EF_ECHO_TTL 64

/* Is the ICMP message at c->pos (p: its packet, of ICMP of its family) an
 * echo request? */
static __always_inline int ef_is_echo(const struct ef_cursor *c, const struct ef_pkt *p)
{
	const struct ef_icmp_hdr *icmp = c->pos;

	if ((void *)(icmp + 1) > c->end)
		return 0;
	return icmp->type == (p->key.family == EF_FAMILY_V4 ? EF_ICMP_ECHO : ICMPV6_ECHO_REQUEST);
}

/* Does the packet's destination answer echo (a VIP address, one of whose
 * VIPs has echo on)? */
static __always_inline int ef_echo_on(const struct ef_pkt *p)
{
	struct ef_vip_key key = {.addr = p->key.dst, .family = p->key.family};
	__u32 *addr = bpf_map_lookup_elem(&evenflow_vip_addrs, &key);

	return addr && (*addr & EF_ADDR_F_ECHO);
}

/* A checksum with the 16-bit word `from` replaced by `to` (RFC 1624). */
static __always_inline __sum16 ef_csum_replace(__sum16 check, __be16 from, __be16 to)
{
	return ef_csum_fold((__u16)~check + (__u16)~from + (__u16)to);
}

/* Swap the frame's MACs. */
static __always_inline void ef_swap_macs(struct ethhdr *eth)
{
	__u8 mac[ETH_ALEN];

	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
}

/* Answer the echo request at c->pos (data: the frame, p: its packet), or
 * pass it, or drop it over budget. */
static __always_inline int ef_echo_reply(void *data, struct ef_cursor *c, const struct ef_pkt *p)
{
	struct ef_icmp_hdr *icmp = c->pos;
	/* at most Ethernet and two tags: a bound the verifier sees */
	void *l3 = data + (p->l3_off & 0x3f);
	struct ethhdr *eth = data;
	__be16 from, to;

	if ((void *)(icmp + 1) > c->end || (void *)(eth + 1) > c->end || !ef_echo_on(p))
		return ef_verdict(EF_V_PASS_NOT_VIP, XDP_PASS);
	if (p->key.family == EF_FAMILY_V4) {
		struct iphdr *ip = l3;
		__be32 addr;

		if ((void *)(ip + 1) > c->end || ip->ihl != 5)
			return ef_verdict(EF_V_PASS_NOT_VIP, XDP_PASS);
		if (!ef_reply_allowed())
			return ef_verdict(EF_V_DROP_REPLY_LIMIT, XDP_DROP);
		addr = ip->saddr;
		ip->saddr = ip->daddr;
		ip->daddr = addr;
		from = *(__be16 *)&ip->ttl;
		ip->ttl = EF_ECHO_TTL;
		ip->check = ef_csum_replace(ip->check, from, *(__be16 *)&ip->ttl);
		to = bpf_htons(EF_ICMP_ECHO_REPLY << 8 | icmp->code);
	} else {
		struct ipv6hdr *ip6 = l3;
		struct in6_addr addr;

		if ((void *)(ip6 + 1) > c->end)
			return ef_verdict(EF_V_PASS_NOT_VIP, XDP_PASS);
		if (!ef_reply_allowed())
			return ef_verdict(EF_V_DROP_REPLY_LIMIT, XDP_DROP);
		addr = ip6->saddr;
		ip6->saddr = ip6->daddr;
		ip6->daddr = addr;
		ip6->hop_limit = EF_ECHO_TTL;
		to = bpf_htons(ICMPV6_ECHO_REPLY << 8 | icmp->code);
	}
	from = *(__be16 *)icmp;
	*(__be16 *)icmp = to;
	icmp->checksum = ef_csum_replace(icmp->checksum, from, to);
	ef_swap_macs(eth);
	return ef_verdict(EF_V_ICMP_ECHO_REPLY, XDP_TX);
}

#endif /* EF_ECHO_H */
