/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * frame.h: client frames described as data, so a test case is one table row.
 *
 * frame_build() turns a description into bytes with the packet builder;
 * frame_key() gives the flow key the LB must derive from it, from the
 * description alone (not from the bytes), so expectations are independent.
 */
#ifndef FRAME_H
#define FRAME_H

#include <stdint.h>
#include "evenflow.h"
#include "pktbuild.h"

#define FRAME_MAX_EXT6 6

struct frame {
	uint8_t family;	 /* 4 or 6; 0 builds an ARP request */
	const char *src; /* client address */
	const char *dst; /* destination (a VIP or not) */
	uint8_t proto;	 /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6, other */
	uint16_t sport, dport;
	uint8_t flags;	  /* TCP flags */
	uint8_t tos;	  /* IPv4 TOS / IPv6 traffic class */
	uint8_t vlans;	  /* VLAN tags, 0..3 (802.1ad outer, 802.1Q inner) */
	uint16_t vid;	  /* the outer tag's TCI (priority, VLAN id); 0: id 100 (then 101, 102) */
	uint8_t ip4_opt;  /* bytes of IPv4 options (multiple of 4) */
	uint16_t frag;	  /* IPv4: the frag_off field (0x4000 = DF); IPv6: a fragment
			   * header with this offset/flags field is added */
	uint32_t frag_id; /* IPv4 identification / IPv6 fragment header id; 0: 0x1234 / 0x42 */
	uint8_t n_ext6;	  /* IPv6 extension headers before L4, types in ext6 */
	uint8_t ext6[FRAME_MAX_EXT6];
	uint8_t tcp_opt;   /* bytes of TCP options */
	uint8_t icmp_type; /* ICMP/ICMPv6 type; 0: echo request */
	uint8_t icmp_code;
	/* An ICMP error quoting a reply from dst (port dport) to this client
	 * address (port sport), of protocol quote_proto: the frame's flow key
	 * is that flow's, as the client sends it. */
	const char *quote;
	uint8_t quote_proto;
	uint16_t payload; /* bytes of payload after L4 */
};

/* The frame as sent by the client to `dst_mac` (the LB's ingress device). */
void frame_build(struct pkt *p, const struct frame *f, const uint8_t dst_mac[6]);
/* The flow key of the frame, as the LB should see it. */
void frame_key(struct ef_flow_key *k, const struct frame *f);
/* Parse an address into an ef_addr; returns its family (EF_FAMILY_*). */
uint8_t frame_addr(struct ef_addr *a, const char *text);

#endif /* FRAME_H */
