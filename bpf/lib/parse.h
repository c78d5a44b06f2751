/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * parse.h: bounds-checked packet parsing through a cursor.
 *
 * Each helper checks its header against data_end before reading it, advances
 * the cursor and returns the next protocol, or a negative EF_PARSE_* code.
 */
#ifndef EF_PARSE_H
#define EF_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "../evenflow.h"

#ifndef ETH_P_8021AD
#define ETH_P_8021AD 0x88A8
#endif

#define EF_PARSE_TRUNCATED   -1 /* a header runs past the end of the frame */
#define EF_PARSE_INVALID     -2 /* a header field is impossible */
#define EF_PARSE_UNSUPPORTED -3 /* valid, but beyond what the parser walks */

#define EF_IP_MF     0x2000 /* IPv4 "more fragments" */
#define EF_IP_OFFSET 0x1fff /* IPv4 fragment offset */
#define EF_IP_DF     0x4000 /* IPv4 "don't fragment" */

/* A VLAN tag as it follows the MAC addresses (the uapi has no such struct). */
struct ef_vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

/* The EtherType of the Ethernet header at eth, in one 16-bit load: the uapi's
 * struct ethhdr is packed, so clang reads its h_proto a byte at a time
 * (four instructions instead of one). The verifier allows the unaligned load
 * where the CPU does it (x86-64, arm64). */
static __always_inline __be16 ef_eth_proto(const struct ethhdr *eth)
{
	return *(const __be16 *)((const __u8 *)eth + __builtin_offsetof(struct ethhdr, h_proto));
}

/* Where parsing is; `pos` always points inside [data, data_end]. */
struct ef_cursor {
	void *pos;
	void *end;
};

/* What the LB needs from a packet once it is parsed. */
struct ef_pkt {
	struct ef_flow_key key; /* the 5-tuple, as the client sent it */
	__u16 l3_off;		/* offset of the IP header from the frame start */
	__u16 l3_len;		/* IP packet length by its header (v4 tot_len, v6 40 + payload) */
	__u8 tcp_flags;		/* TCP flags byte (FIN, SYN, RST, ACK used here) */
	__u8 fragment;		/* EF_FRAG_FIRST or EF_FRAG_LATER: an IP fragment */
	__u8 tos;		/* IPv4 TOS / IPv6 traffic class, copied to an outer header */
	__u8 icmp_error;	/* an ICMP error about the flow in key (lib/icmp_error.h) */
	__be16 df;		/* IPv4 DF bit as in frag_off, copied to an outer IPv4 header */
	__u16 frame_len;	/* bytes as received, for the traffic counters */
	__u32 frag_id;		/* a fragment's IP identification (IPv4: 16 bits) */
};

/* Which fragment of a datagram a packet is (ef_pkt.fragment): the first,
 * which carries the ports, or a later one, which does not. */
#define EF_FRAG_FIRST 1
#define EF_FRAG_LATER 2

/* The IPv6 fragment header. */
struct ef_ipv6_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off; /* offset in 8-byte units << 3, M flag in bit 0 */
	__be32 id;
};
#define EF_IP6_OFFSET 0xfff8

#define EF_TCP_FIN 0x01
#define EF_TCP_SYN 0x02
#define EF_TCP_RST 0x04
#define EF_TCP_ACK 0x10

/* Ethernet and up to two VLAN tags (802.1Q / 802.1ad). Returns the EtherType
 * after the tags (network order) or EF_PARSE_TRUNCATED; *vid is the outer
 * tag's VLAN id (0: untagged or priority-tagged). A third tag leaves the
 * tag's EtherType, which the caller treats as "not IP". */
static __always_inline int ef_parse_eth(struct ef_cursor *c, __u16 *vid)
{
	struct ethhdr *eth = c->pos;
	__be16 proto;

	if ((void *)(eth + 1) > c->end)
		return EF_PARSE_TRUNCATED;
	proto = ef_eth_proto(eth);
	c->pos = eth + 1;
	*vid = 0;

#pragma unroll
	for (int i = 0; i < 2; i++) {
		struct ef_vlan_hdr *vlan = c->pos;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vlan + 1) > c->end)
			return EF_PARSE_TRUNCATED;
		if (!i)
			*vid = bpf_ntohs(vlan->tci) & 0x0fff;
		proto = vlan->encap_proto;
		c->pos = vlan + 1;
	}
	return proto;
}

/* IPv4 with any IHL. Fills the addresses, protocol and length of `p`;
 * returns the L4 protocol or a negative EF_PARSE_* code. */
static __always_inline int ef_parse_ipv4(struct ef_cursor *c, struct ef_pkt *p)
{
	struct iphdr *ip = c->pos;
	__u32 hdr_len, tot_len;

	if ((void *)(ip + 1) > c->end)
		return EF_PARSE_TRUNCATED;
	if (ip->version != 4 || ip->ihl < 5)
		return EF_PARSE_INVALID;
	hdr_len = ip->ihl * 4;
	tot_len = bpf_ntohs(ip->tot_len);
	if (tot_len < hdr_len)
		return EF_PARSE_INVALID;
	if (c->pos + tot_len > c->end)
		return EF_PARSE_TRUNCATED;

	p->key.family = EF_FAMILY_V4;
	p->key.src.a32[0] = ip->saddr;
	p->key.dst.a32[0] = ip->daddr;
	p->key.proto = ip->protocol;
	p->l3_len = tot_len;
	if (ip->frag_off & bpf_htons(EF_IP_OFFSET))
		p->fragment = EF_FRAG_LATER;
	else if (ip->frag_off & bpf_htons(EF_IP_MF))
		p->fragment = EF_FRAG_FIRST;
	p->frag_id = ip->id;
	p->tos = ip->tos;
	p->df = ip->frag_off & bpf_htons(EF_IP_DF);
	c->pos += hdr_len;
	return ip->protocol;
}

/* One IPv6 extension header we know how to skip. */
struct ef_ipv6_opt_hdr {
	__u8 nexthdr;
	__u8 hdrlen; /* in 8-byte units, not counting the first 8 */
};

/* IPv6, skipping up to EF_MAX_IPV6_EXT hop-by-hop, routing and destination
 * options headers. A fragment header marks the packet as a fragment and is
 * stepped over: the protocol is then the one it names. The addresses are
 * filled before any extension header is read.
 * Returns the L4 protocol or a negative EF_PARSE_* code. */
static __always_inline int ef_parse_ipv6(struct ef_cursor *c, struct ef_pkt *p)
{
	struct ipv6hdr *ip6 = c->pos;
	__u32 payload_len;
	__u8 nexthdr;

	if ((void *)(ip6 + 1) > c->end)
		return EF_PARSE_TRUNCATED;
	if (ip6->version != 6)
		return EF_PARSE_INVALID;
	payload_len = bpf_ntohs(ip6->payload_len);
	if ((void *)(ip6 + 1) + payload_len > c->end)
		return EF_PARSE_TRUNCATED;

	p->key.family = EF_FAMILY_V6;
	__builtin_memcpy(&p->key.src, &ip6->saddr, sizeof(p->key.src));
	__builtin_memcpy(&p->key.dst, &ip6->daddr, sizeof(p->key.dst));
	p->l3_len = sizeof(*ip6) + payload_len;
	p->tos = (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4);
	nexthdr = ip6->nexthdr;
	c->pos = ip6 + 1;

#pragma unroll
	for (int i = 0; i <= EF_MAX_IPV6_EXT; i++) {
		struct ef_ipv6_opt_hdr *opt = c->pos;

		if (nexthdr == IPPROTO_FRAGMENT) {
			struct ef_ipv6_frag_hdr *frag = c->pos;

			if ((void *)(frag + 1) > c->end)
				return EF_PARSE_TRUNCATED;
			p->fragment = frag->frag_off & bpf_htons(EF_IP6_OFFSET) ? EF_FRAG_LATER
										: EF_FRAG_FIRST;
			p->frag_id = frag->id;
			p->key.proto = frag->nexthdr;
			c->pos = frag + 1;
			return frag->nexthdr;
		}
		if (nexthdr != IPPROTO_HOPOPTS && nexthdr != IPPROTO_ROUTING &&
		    nexthdr != IPPROTO_DSTOPTS) {
			p->key.proto = nexthdr;
			return nexthdr;
		}
		if (i == EF_MAX_IPV6_EXT)
			break;
		if ((void *)(opt + 1) > c->end)
			return EF_PARSE_TRUNCATED;
		nexthdr = opt->nexthdr;
		c->pos += (opt->hdrlen + 1) * 8;
		if (c->pos > c->end)
			return EF_PARSE_TRUNCATED;
	}
	/* More extension headers than we walk: legal, but not ours to parse.
	 * The caller passes it unless it is for a VIP address. */
	return EF_PARSE_UNSUPPORTED;
}

/* TCP or UDP ports (and TCP flags). Returns 0 or a negative EF_PARSE_* code. */
static __always_inline int ef_parse_l4(struct ef_cursor *c, struct ef_pkt *p)
{
	if (p->key.proto == IPPROTO_TCP) {
		struct tcphdr *tcp = c->pos;

		if ((void *)(tcp + 1) > c->end)
			return EF_PARSE_TRUNCATED;
		if (tcp->doff < 5)
			return EF_PARSE_INVALID;
		if (c->pos + tcp->doff * 4 > c->end)
			return EF_PARSE_TRUNCATED;
		p->key.sport = tcp->source;
		p->key.dport = tcp->dest;
		p->tcp_flags = ((__u8 *)tcp)[13];
		return 0;
	}
	if (p->key.proto == IPPROTO_UDP) {
		struct udphdr *udp = c->pos;

		if ((void *)(udp + 1) > c->end)
			return EF_PARSE_TRUNCATED;
		if (bpf_ntohs(udp->len) < sizeof(*udp))
			return EF_PARSE_INVALID;
		p->key.sport = udp->source;
		p->key.dport = udp->dest;
		return 0;
	}
	return EF_PARSE_INVALID;
}

#endif /* EF_PARSE_H */
