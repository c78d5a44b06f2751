/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pktbuild.h: a small packet builder for the packet tests.
 *
 * A frame is built layer by layer (Ethernet, VLAN tags, IPv4/IPv6, IPv6
 * extension headers, TCP/UDP/ICMP, raw bytes); pb_finish() then fills every
 * "next protocol" field from the layer that follows, every length field from
 * the frame's length and every checksum. Fields can be broken afterwards with
 * pb_set8()/pb_set16() to make malformed frames.
 */
#ifndef PKTBUILD_H
#define PKTBUILD_H

#include <stddef.h>
#include <stdint.h>

#define PB_MAX_LEN    4096
#define PB_MAX_LAYERS 16

enum pb_kind {
	PB_ETH,
	PB_VLAN,
	PB_IPV4,
	PB_IPV6,
	PB_EXT6, /* IPv6 hop-by-hop, routing, destination options or fragment */
	PB_TCP,
	PB_UDP,
	PB_ICMP, /* ICMP or ICMPv6, by the enclosing IP header */
	PB_RAW,
};

struct pb_layer {
	enum pb_kind kind;
	uint16_t off;	    /* offset in the frame */
	uint16_t len;	    /* header length */
	uint16_t ethertype; /* what the previous Ethernet/VLAN header announces (0: leave) */
	uint8_t ipproto;    /* what the previous IP/extension header announces */
	uint8_t announce;   /* ipproto is meaningful (IPv6 hop-by-hop is 0) */
};

struct pkt {
	uint8_t data[PB_MAX_LEN];
	size_t len;
	int n;
	struct pb_layer l[PB_MAX_LAYERS];
};

/* IPv4 header; addresses as text. frag_off is the whole field (DF 0x4000). */
struct pb_ip4 {
	const char *src, *dst;
	uint8_t tos, ttl, optlen; /* optlen: bytes of NOP options, multiple of 4 */
	uint16_t id, frag_off;
};

/* IPv6 header; addresses as text. */
struct pb_ip6 {
	const char *src, *dst;
	uint8_t tclass, hop_limit;
	uint32_t flow_label;
};

void pb_init(struct pkt *p);
void pb_eth(struct pkt *p, const uint8_t dst[6], const uint8_t src[6]);
void pb_vlan(struct pkt *p, uint16_t tpid, uint16_t vid);
void pb_ipv4(struct pkt *p, const struct pb_ip4 *ip);
void pb_ipv6(struct pkt *p, const struct pb_ip6 *ip);
/* An extension header of `type`, `len` bytes (multiple of 8; 8 for a fragment
 * header, whose offset/flags field is `frag`). */
void pb_ext6(struct pkt *p, uint8_t type, uint16_t len, uint16_t frag);
void pb_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint8_t flags, uint8_t optlen);
void pb_udp(struct pkt *p, uint16_t sport, uint16_t dport);
void pb_icmp(struct pkt *p, uint8_t type, uint8_t code);
/* Raw bytes; announced as `ethertype` / `ipproto` when non-zero. */
void pb_raw(struct pkt *p, const void *bytes, size_t len, uint16_t ethertype, uint8_t ipproto);
/* `len` bytes of payload following a pattern. */
void pb_payload(struct pkt *p, size_t len, uint8_t seed);
void pb_finish(struct pkt *p);

/* Offset of the n-th (from 0) layer of `kind`, or -1. */
int pb_off(const struct pkt *p, enum pb_kind kind, int nth);
/* Index of the n-th layer of `kind`, or -1. */
int pb_layer(const struct pkt *p, enum pb_kind kind, int nth);
void pb_set8(struct pkt *p, size_t off, uint8_t v);
void pb_set16(struct pkt *p, size_t off, uint16_t v); /* written in network order */
/* Recompute the checksum of the IPv4 header at `off` (after pb_set*). */
void pb_ipv4_recsum(struct pkt *p, size_t off);

/* Internet checksum of `len` bytes, starting from the partial sum `sum`. */
uint16_t pb_csum(const void *data, size_t len, uint32_t sum);

/* Hex dump of both frames with the first difference marked (test failures). */
void pb_diff(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len);

#endif /* PKTBUILD_H */
