// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* frame.c: client frames from their description (see frame.h). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frame.h"
#include "topo.h"

#define TCP_ACK_FLAG 0x10

static const uint8_t arp_request[28] = {
    0x00, 0x01, 0x08, 0x00, 6,	  4,	0x00, 0x01,	   /* Ethernet/IPv4 request */
    0x02, 0xc1, 0x00, 0x00, 0x00, 0x01, 192,  0,    2, 50, /* sender */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 10,   0,    0, 10, /* target */
};

/* The start of the reply an ICMP error quotes: from dst:dport to
 * quote:sport (lengths and checksums as if it ended with the frame). */
static void quote_reply(struct pkt *p, const struct frame *f)
{
	if (f->family == 4) {
		struct pb_ip4 ip = {.src = f->dst, .dst = f->quote, .ttl = 1, .id = 7};

		pb_ipv4(p, &ip);
	} else {
		struct pb_ip6 ip = {.src = f->dst, .dst = f->quote, .hop_limit = 1};

		pb_ipv6(p, &ip);
	}
	if (f->quote_proto == IPPROTO_TCP)
		pb_tcp(p, f->dport, f->sport, TCP_ACK_FLAG, 0);
	else
		pb_udp(p, f->dport, f->sport);
}

void frame_build(struct pkt *p, const struct frame *f, const uint8_t dst_mac[6])
{
	pb_init(p);
	pb_eth(p, dst_mac, topo_client_mac);
	for (int i = 0; i < f->vlans; i++)
		pb_vlan(p, i == 0 && f->vlans > 1 ? 0x88a8 : 0x8100, (f->vid ? f->vid : 100) + i);
	if (f->family == 0) {
		pb_raw(p, arp_request, sizeof(arp_request), 0x0806, 0);
		pb_finish(p);
		return;
	}
	if (f->family == 4) {
		struct pb_ip4 ip = {.src = f->src,
				    .dst = f->dst,
				    .tos = f->tos,
				    .optlen = f->ip4_opt,
				    .id = f->frag_id ? (uint16_t)f->frag_id : 0x1234,
				    .frag_off = f->frag};
		pb_ipv4(p, &ip);
	} else {
		struct pb_ip6 ip = {
		    .src = f->src, .dst = f->dst, .tclass = f->tos, .flow_label = 0x12345};
		pb_ipv6(p, &ip);
		for (int i = 0; i < f->n_ext6; i++)
			pb_ext6(p, f->ext6[i], f->ext6[i] == IPPROTO_FRAGMENT ? 8 : 16, 0);
		if (f->frag) {
			pb_ext6(p, IPPROTO_FRAGMENT, 8, f->frag);
			if (f->frag_id) {
				uint8_t *id = p->data + p->len - 4;

				id[0] = f->frag_id >> 24;
				id[1] = f->frag_id >> 16;
				id[2] = f->frag_id >> 8;
				id[3] = f->frag_id;
			}
		}
	}
	if (f->proto == IPPROTO_TCP)
		pb_tcp(p, f->sport, f->dport, f->flags, f->tcp_opt);
	else if (f->proto == IPPROTO_UDP)
		pb_udp(p, f->sport, f->dport);
	else if (f->proto == IPPROTO_ICMP || f->proto == IPPROTO_ICMPV6)
		pb_icmp(p, f->icmp_type ? f->icmp_type : f->family == 4 ? 8 : 128, f->icmp_code);
	else
		pb_raw(p, "\x00\x00\x00\x00", 4, 0, f->proto);
	if (f->quote)
		quote_reply(p, f);
	if (f->payload)
		pb_payload(p, f->payload, f->sport);
	pb_finish(p);
}

uint8_t frame_addr(struct ef_addr *a, const char *text)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, text, &a->a32[0]) == 1)
		return EF_FAMILY_V4;
	if (inet_pton(AF_INET6, text, a->a8) == 1)
		return EF_FAMILY_V6;
	fprintf(stderr, "# frame: bad address %s\n", text);
	abort();
}

void frame_key(struct ef_flow_key *k, const struct frame *f)
{
	memset(k, 0, sizeof(*k));
	k->family = frame_addr(&k->src, f->src);
	frame_addr(&k->dst, f->dst);
	k->sport = htons(f->sport);
	k->dport = htons(f->dport);
	k->proto = f->proto;
	if (f->quote) {
		frame_addr(&k->src, f->quote);
		k->proto = f->quote_proto;
	}
}
