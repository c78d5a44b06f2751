// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* pktbuild.c: the packet builder (see pktbuild.h). */
#include <arpa/inet.h>
#include <assert.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pktbuild.h"

#define ETH_P_IP_   0x0800
#define ETH_P_IPV6_ 0x86dd

static uint8_t *pb_push(struct pkt *p, enum pb_kind kind, size_t len, uint16_t ethertype,
			uint8_t ipproto, uint8_t announce)
{
	struct pb_layer *l;
	uint8_t *hdr;

	assert(p->n < PB_MAX_LAYERS && p->len + len <= PB_MAX_LEN);
	l = &p->l[p->n++];
	l->kind = kind;
	l->off = p->len;
	l->len = len;
	l->ethertype = ethertype;
	l->ipproto = ipproto;
	l->announce = announce;
	hdr = p->data + p->len;
	memset(hdr, 0, len);
	p->len += len;
	return hdr;
}

static void pb_put16(uint8_t *at, uint16_t v)
{
	at[0] = v >> 8;
	at[1] = v & 0xff;
}

static void pb_addr(int af, const char *text, void *out)
{
	if (inet_pton(af, text, out) != 1) {
		fprintf(stderr, "pktbuild: bad address %s\n", text);
		abort();
	}
}

void pb_init(struct pkt *p)
{
	p->len = 0;
	p->n = 0;
}

void pb_eth(struct pkt *p, const uint8_t dst[6], const uint8_t src[6])
{
	uint8_t *h = pb_push(p, PB_ETH, 14, 0, 0, 0);

	memcpy(h, dst, 6);
	memcpy(h + 6, src, 6);
}

void pb_vlan(struct pkt *p, uint16_t tpid, uint16_t vid)
{
	uint8_t *h = pb_push(p, PB_VLAN, 4, tpid, 0, 0);

	pb_put16(h, vid);
}

void pb_ipv4(struct pkt *p, const struct pb_ip4 *ip)
{
	uint8_t *h = pb_push(p, PB_IPV4, 20 + ip->optlen, ETH_P_IP_, IPPROTO_IPIP, 1);

	assert(ip->optlen % 4 == 0 && ip->optlen <= 40);
	h[0] = 0x40 | (5 + ip->optlen / 4);
	h[1] = ip->tos;
	pb_put16(h + 4, ip->id);
	pb_put16(h + 6, ip->frag_off);
	h[8] = ip->ttl ? ip->ttl : 64;
	pb_addr(AF_INET, ip->src, h + 12);
	pb_addr(AF_INET, ip->dst, h + 16);
	memset(h + 20, 1, ip->optlen); /* NOP options */
}

void pb_ipv6(struct pkt *p, const struct pb_ip6 *ip)
{
	uint8_t *h = pb_push(p, PB_IPV6, 40, ETH_P_IPV6_, IPPROTO_IPV6, 1);

	h[0] = 0x60 | (ip->tclass >> 4);
	h[1] = (ip->tclass << 4) | ((ip->flow_label >> 16) & 0x0f);
	pb_put16(h + 2, ip->flow_label & 0xffff);
	h[7] = ip->hop_limit ? ip->hop_limit : 64;
	pb_addr(AF_INET6, ip->src, h + 8);
	pb_addr(AF_INET6, ip->dst, h + 24);
}

void pb_ext6(struct pkt *p, uint8_t type, uint16_t len, uint16_t frag)
{
	uint8_t *h;

	assert(len >= 8 && len % 8 == 0);
	h = pb_push(p, PB_EXT6, len, 0, type, 1);
	if (type == IPPROTO_FRAGMENT) {
		pb_put16(h + 2, frag);
		h[7] = 0x42; /* identification */
		return;
	}
	h[1] = len / 8 - 1;
	if (type == IPPROTO_ROUTING) {
		h[2] = 4; /* segment routing, segments left 0 */
		return;
	}
	h[2] = 1; /* PadN over the rest */
	h[3] = len - 4;
}

void pb_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint8_t flags, uint8_t optlen)
{
	uint8_t *h = pb_push(p, PB_TCP, 20 + optlen, 0, IPPROTO_TCP, 1);

	assert(optlen % 4 == 0 && optlen <= 40);
	pb_put16(h, sport);
	pb_put16(h + 2, dport);
	h[4] = 0x12; /* sequence number */
	h[7] = 0x34;
	h[11] = (flags & 0x10) ? 0x56 : 0; /* ack number */
	h[12] = (5 + optlen / 4) << 4;
	h[13] = flags;
	pb_put16(h + 14, 64240);
	memset(h + 20, 1, optlen); /* NOP options */
}

void pb_udp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	uint8_t *h = pb_push(p, PB_UDP, 8, 0, IPPROTO_UDP, 1);

	pb_put16(h, sport);
	pb_put16(h + 2, dport);
}

void pb_icmp(struct pkt *p, uint8_t type, uint8_t code)
{
	/* The protocol number depends on the enclosing IP header. */
	int v6 = p->n && (p->l[p->n - 1].kind == PB_IPV6 || p->l[p->n - 1].kind == PB_EXT6);
	uint8_t *h = pb_push(p, PB_ICMP, 8, 0, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, 1);

	h[0] = type;
	h[1] = code;
	h[5] = 1; /* echo id */
	h[7] = 1; /* echo sequence */
}

void pb_raw(struct pkt *p, const void *bytes, size_t len, uint16_t ethertype, uint8_t ipproto)
{
	uint8_t *h = pb_push(p, PB_RAW, len, ethertype, ipproto, ipproto != 0);

	memcpy(h, bytes, len);
}

void pb_payload(struct pkt *p, size_t len, uint8_t seed)
{
	uint8_t *h = pb_push(p, PB_RAW, len, 0, 0, 0);

	for (size_t i = 0; i < len; i++)
		h[i] = seed + i * 7;
}

uint16_t pb_csum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *b = data;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (b[i] << 8) | b[i + 1];
	if (len & 1)
		sum += b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* Sum of the pseudo header of the IP layer `ip` for `len` bytes of `proto`. */
static uint32_t pb_pseudo(const struct pkt *p, const struct pb_layer *ip, size_t len, uint8_t proto)
{
	const uint8_t *h = p->data + ip->off;
	const uint8_t *addrs = ip->kind == PB_IPV4 ? h + 12 : h + 8;
	size_t alen = ip->kind == PB_IPV4 ? 8 : 32;
	uint32_t sum = 0;

	for (size_t i = 0; i < alen; i += 2)
		sum += (addrs[i] << 8) | addrs[i + 1];
	sum += (len >> 16) + (len & 0xffff) + proto;
	return sum;
}

/* The IP header enclosing layer i. */
static const struct pb_layer *pb_enclosing_ip(const struct pkt *p, int i)
{
	while (--i >= 0)
		if (p->l[i].kind == PB_IPV4 || p->l[i].kind == PB_IPV6)
			return &p->l[i];
	return NULL;
}

static void pb_l4_csum(struct pkt *p, int i, int csum_off)
{
	const struct pb_layer *ip = pb_enclosing_ip(p, i);
	struct pb_layer *l = &p->l[i];
	uint8_t *h = p->data + l->off;
	size_t len = p->len - l->off;
	uint32_t sum = 0;
	uint16_t csum;

	if (l->kind != PB_ICMP || (ip && ip->kind == PB_IPV6))
		sum = pb_pseudo(p, ip, len, l->ipproto);
	pb_put16(h + csum_off, 0);
	csum = pb_csum(h, len, sum);
	if (l->kind == PB_UDP && csum == 0)
		csum = 0xffff;
	pb_put16(h + csum_off, csum);
}

void pb_ipv4_recsum(struct pkt *p, size_t off)
{
	uint8_t *h = p->data + off;

	pb_put16(h + 10, 0);
	pb_put16(h + 10, pb_csum(h, (h[0] & 0x0f) * 4, 0));
}

void pb_finish(struct pkt *p)
{
	for (int i = p->n - 1; i >= 0; i--) {
		struct pb_layer *l = &p->l[i];
		const struct pb_layer *next = i + 1 < p->n ? &p->l[i + 1] : NULL;
		uint8_t *h = p->data + l->off;

		switch (l->kind) {
		case PB_ETH:
		case PB_VLAN:
			if (next && next->ethertype)
				pb_put16(h + (l->kind == PB_ETH ? 12 : 2), next->ethertype);
			break;
		case PB_IPV4:
			if (next && next->announce)
				h[9] = next->ipproto;
			pb_put16(h + 2, p->len - l->off);
			pb_ipv4_recsum(p, l->off);
			break;
		case PB_IPV6:
			if (next && next->announce)
				h[6] = next->ipproto;
			pb_put16(h + 4, p->len - l->off - 40);
			break;
		case PB_EXT6:
			if (next && next->announce)
				h[0] = next->ipproto;
			break;
		case PB_TCP:
			pb_l4_csum(p, i, 16);
			break;
		case PB_UDP:
			pb_put16(h + 4, p->len - l->off);
			pb_l4_csum(p, i, 6);
			break;
		case PB_ICMP:
			pb_l4_csum(p, i, 2);
			break;
		case PB_RAW:
			break;
		}
	}
}

int pb_layer(const struct pkt *p, enum pb_kind kind, int nth)
{
	for (int i = 0; i < p->n; i++)
		if (p->l[i].kind == kind && nth-- == 0)
			return i;
	return -1;
}

int pb_off(const struct pkt *p, enum pb_kind kind, int nth)
{
	int i = pb_layer(p, kind, nth);

	return i < 0 ? -1 : p->l[i].off;
}

void pb_set8(struct pkt *p, size_t off, uint8_t v)
{
	assert(off < p->len);
	p->data[off] = v;
}

void pb_set16(struct pkt *p, size_t off, uint16_t v)
{
	assert(off + 1 < p->len);
	pb_put16(p->data + off, v);
}

static void pb_dump(const char *what, const uint8_t *b, size_t len, size_t mark)
{
	fprintf(stderr, "# %s (%zu bytes):\n", what, len);
	for (size_t i = 0; i < len; i += 16) {
		fprintf(stderr, "#   %04zx:", i);
		for (size_t j = i; j < i + 16 && j < len; j++)
			fprintf(stderr, "%c%02x", j == mark ? '>' : ' ', b[j]);
		fprintf(stderr, "\n");
	}
}

void pb_diff(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len)
{
	size_t first = 0;

	while (first < got_len && first < want_len && got[first] == want[first])
		first++;
	fprintf(stderr, "# frames differ at byte %zu (marked '>')\n", first);
	pb_dump("got", got, got_len, first);
	pb_dump("want", want, want_len, first);
}
