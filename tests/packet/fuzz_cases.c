// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_cases.c: a bounded packet fuzzer over the LB program.
 *
 * Frames built from valid templates of every packet type the LB handles
 * (TCP, UDP, ICMP echo and errors, fragments, VLAN tags, IPv4 options, IPv6
 * extension headers; VIPs of every mode, the host, other devices) are mutated:
 * cut at any offset (raw, or with the IP length made to match), bits flipped,
 * a length field (IPv4 IHL and total length, IPv6 payload length, extension
 * header length, TCP data offset, UDP length) set at random, bytes set at
 * random, or replaced by random bytes. Each goes through BPF_PROG_TEST_RUN,
 * and:
 *  - the verdict counters account for every frame: per batch, the pass_*
 *    counters rose by the frames passed, drop_* by those dropped, the others
 *    by those sent;
 *  - a passed frame is untouched; nothing is aborted;
 *  - a frame sent toward a backend is for a configured VIP (address, port,
 *    protocol; a later fragment: a VIP address; an ICMP error: quoting a
 *    reply from a VIP) and well formed: the outer header's lengths and
 *    checksum right and the inner IP packet the one received, byte for byte
 *    (Ethernet padding after it kept; l2: the frame received with new MACs);
 *  - a reply (echo, too big) comes from a VIP address with valid checksums.
 * EF_FUZZ_FRAMES sets the frames per run (default 500000; the suite runs it
 * with the fast path on and off: 1M in all), EF_FUZZ_SEED the seed.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include "cases.h"
#include "lbfix.h"
#include "topo.h"

#define BATCH 4096

/* The templates: one of every kind of frame. */
static const struct frame templates[] = {
    {TCP4("10.0.0.10", 80, TCP_ACK), .payload = 40},
    {TCP4("10.0.0.10", 80, TCP_SYN), .tcp_opt = 20, .ip4_opt = 8},
    {TCP4("10.0.0.10", 80, TCP_ACK), .vlans = 1, .payload = 8},
    {TCP4("10.0.0.10", 80, TCP_ACK), .vlans = 2, .vid = 4000},
    {TCP4("10.0.0.10", 80, TCP_ACK), .payload = 1460, .frag = 0x4000},
    {UDP4("10.0.0.10", 53), .payload = 30},
    {UDP4("10.0.0.11", 53), .payload = 30},
    {TCP4("10.0.0.12", 80, TCP_ACK | TCP_FIN)},
    {TCP4("10.0.0.13", 80, TCP_ACK), .payload = 20},
    {TCP4("10.0.0.13", 8080, TCP_RST)},
    {TCP4("10.0.0.17", 80, TCP_SYN)},
    {TCP6("2001:db8::10", 443, TCP_ACK), .payload = 40},
    {TCP6("2001:db8::10", 443, TCP_ACK), .n_ext6 = 2, .ext6 = {IPPROTO_HOPOPTS, IPPROTO_DSTOPTS}},
    {TCP6("2001:db8::12", 80, TCP_SYN), .vlans = 1},
    {UDP6("2001:db8::13", 53), .payload = 16},
    {TCP6("2001:db8::10", 443, TCP_ACK), .payload = 1440},
    {UDP4("10.0.0.10", 53), .frag = 0x2000, .payload = 64, .frag_id = 7},
    {UDP4("10.0.0.10", 53), .frag = 0x0008, .payload = 64, .frag_id = 7},
    {TCP6("2001:db8::10", 443, TCP_ACK), .frag = 0x0001, .payload = 32, .frag_id = 9},
    {TCP6("2001:db8::10", 443, TCP_ACK), .frag = 0x0020, .payload = 32, .frag_id = 9},
    {.family = 4, .src = C4, .dst = "10.0.0.10", .proto = IPPROTO_ICMP, .payload = 56},
    {.family = 6, .src = C6, .dst = "2001:db8::10", .proto = IPPROTO_ICMPV6, .payload = 8},
    {ICMP4_ERR(3, 4, IPPROTO_TCP, "10.0.0.10", 80), .payload = 20},
    {ICMP4_ERR(11, 0, IPPROTO_UDP, "10.0.0.10", 53)},
    {ICMP6_ERR(2, 0, IPPROTO_TCP, "2001:db8::10", 443), .payload = 20},
    {ICMP6_ERR(1, 4, IPPROTO_UDP, "2001:db8::13", 53)},
    {TCP4("192.0.2.1", 22, TCP_ACK), .payload = 8},
    {UDP6("2001:db8:1::1", 53), .n_ext6 = 1, .ext6 = {IPPROTO_ROUTING}},
    {.family = 0},
};
#define N_TEMPLATES (sizeof(templates) / sizeof(templates[0]))

static const char *const ingress[] = {"in0", "in0", "in0", "out0", "nf0"};
#define N_INGRESS (sizeof(ingress) / sizeof(ingress[0]))
static int ingress_ifindex[N_INGRESS];

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint32_t below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

/* One length field of the frame set at random (small values mostly). */
static void set_len_field(struct pkt *p)
{
	int ip4 = pb_off(p, PB_IPV4, 0), ip6 = pb_off(p, PB_IPV6, 0);
	int tcp = pb_off(p, PB_TCP, 0), udp = pb_off(p, PB_UDP, 0), ext = pb_off(p, PB_EXT6, 0);
	uint16_t v = below(4) ? (uint16_t)below(80) : (uint16_t)rnd();

	switch (below(6)) {
	case 0:
		if (ip4 >= 0)
			p->data[ip4] = 0x40 | (v & 0x0f);
		break;
	case 1:
		if (ip4 >= 0)
			pb_set16(p, ip4 + 2, v);
		break;
	case 2:
		if (ip6 >= 0)
			pb_set16(p, ip6 + 4, v);
		break;
	case 3:
		if (ext >= 0)
			p->data[ext + 1] = (uint8_t)v;
		break;
	case 4:
		if (tcp >= 0)
			p->data[tcp + 12] = (uint8_t)(v << 4);
		break;
	default:
		if (udp >= 0)
			pb_set16(p, udp + 4, v);
	}
	if (ip4 >= 0 && below(2))
		pb_ipv4_recsum(p, ip4);
}

/* One fuzzed frame into p. */
static void make_frame(struct pkt *p, int *ifindex)
{
	const struct frame *t = &templates[below(N_TEMPLATES)];
	uint32_t dev = below(N_INGRESS);

	*ifindex = ingress_ifindex[dev];
	frame_build(p, t, topo_dev_mac(ingress[dev]));
	switch (below(8)) {
	case 0: /* unchanged */
		break;
	case 1: /* cut, length fields as they were */
		p->len = 14 + below(p->len - 13);
		break;
	case 2: { /* cut, the IP length made to match */
		int ip4 = pb_off(p, PB_IPV4, 0), ip6 = pb_off(p, PB_IPV6, 0);

		p->len = 14 + below(p->len - 13);
		if (ip4 >= 0 && (size_t)ip4 + 20 <= p->len) {
			pb_set16(p, ip4 + 2, p->len - ip4);
			pb_ipv4_recsum(p, ip4);
		}
		if (ip6 >= 0 && (size_t)ip6 + 40 <= p->len)
			pb_set16(p, ip6 + 4, p->len - ip6 - 40);
		break;
	}
	case 3: /* bits flipped, mostly in the headers */
		for (uint32_t n = 1 + below(8); n; n--) {
			size_t at = below(p->len < 100 || below(4) ? p->len : 100);

			p->data[at] ^= 1 << below(8);
		}
		break;
	case 4:
		set_len_field(p);
		break;
	case 5: /* bytes set at random */
		for (uint32_t n = 1 + below(4); n; n--)
			p->data[12 + below(p->len - 12)] = (uint8_t)rnd();
		break;
	case 6: /* random bytes after a valid Ethernet header and EtherType */
		for (size_t i = 14 + below(40); i < p->len; i++)
			p->data[i] = (uint8_t)rnd();
		break;
	default: /* a length field, then a cut */
		set_len_field(p);
		p->len = 14 + below(p->len - 13);
	}
}

static void dump(const char *what, const uint8_t *b, size_t n)
{
	fprintf(stderr, "# %s (%zu bytes):", what, n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : "\n#   ", b[i]);
	fprintf(stderr, "\n");
}

/* What the fuzzer reads of an IP packet. */
struct ip_info {
	int family, proto, later_fragment, ports; /* ports: sport/dport valid */
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	size_t len; /* by the header's length field */
};

/* Parse an IP packet (b, n bytes) of family 4 or 6; 0 or -1. */
static int ip_parse(const uint8_t *b, size_t n, int family, struct ip_info *ip)
{
	size_t off;
	int proto;

	memset(ip, 0, sizeof(*ip));
	ip->family = family;
	if (family == 4) {
		if (n < 20)
			return -1;
		off = (b[0] & 0x0f) * 4;
		ip->len = (b[2] << 8) | b[3];
		memcpy(ip->src, b + 12, 4);
		memcpy(ip->dst, b + 16, 4);
		proto = b[9];
		ip->later_fragment = ((b[6] & 0x1f) << 8 | b[7]) != 0;
	} else {
		if (n < 40)
			return -1;
		ip->len = 40 + ((b[4] << 8) | b[5]);
		memcpy(ip->src, b + 8, 16);
		memcpy(ip->dst, b + 24, 16);
		proto = b[6];
		off = 40;
		for (int i = 0; i < 8 && off + 8 <= n; i++) {
			if (proto == IPPROTO_FRAGMENT) {
				ip->later_fragment = ((b[off + 2] << 8 | b[off + 3]) & 0xfff8) != 0;
				proto = b[off];
				off += 8;
				break;
			}
			if (proto != IPPROTO_HOPOPTS && proto != IPPROTO_ROUTING &&
			    proto != IPPROTO_DSTOPTS)
				break;
			proto = b[off];
			off += (b[off + 1] + 1) * 8;
		}
	}
	ip->proto = proto;
	if (!ip->later_fragment && off + 4 <= n &&
	    (proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_ICMP ||
	     proto == IPPROTO_ICMPV6)) {
		ip->sport = b[off] << 8 | b[off + 1];
		ip->dport = b[off + 2] << 8 | b[off + 3];
		ip->ports = 1;
	}
	/* an ICMP error: the quoted packet, as a reply from a VIP */
	if (ip->ports && (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6)) {
		struct ip_info q;

		if (off + 8 > n || ip_parse(b + off + 8, n - off - 8, family, &q) || !q.ports)
			return 0;
		ip->proto = q.proto;
		memcpy(ip->dst, q.src, 16);
		ip->dport = q.sport;
		ip->sport = 0xffff; /* marks an ICMP error */
	}
	return 0;
}

/* Is the address one of a configured VIP's (port 0: any; proto 0: any)? */
static int is_vip(int family, const uint8_t *addr, int proto, int port)
{
	for (int id = 1; id < LBFIX_MAX_VIPS; id++) {
		const struct lbfix_vip *v = &lbfix_vips[id];
		struct ef_addr a;

		if (!v->addr || frame_addr(&a, v->addr) != (family == 4 ? 4 : 6) ||
		    memcmp(a.a8, addr, family == 4 ? 4 : 16))
			continue;
		if (!proto || (v->proto == proto && (!v->port || v->port == port)))
			return 1;
	}
	return 0;
}

/* May a frame carrying this IP packet be sent to a backend? */
static int for_a_vip(const struct ip_info *ip)
{
	if (ip->later_fragment)
		return is_vip(ip->family, ip->dst, 0, 0);
	if (!ip->ports || (ip->proto != IPPROTO_TCP && ip->proto != IPPROTO_UDP))
		return 0;
	return is_vip(ip->family, ip->dst, ip->proto, ip->dport);
}

static uint16_t csum_at(const uint8_t *b, size_t n, uint32_t sum)
{
	return pb_csum(b, n, sum);
}

/* The IP packet of a received frame: its offset after up to two tags. */
static size_t l3_of(const struct pkt *in, int *family)
{
	size_t off = 12;

	for (int i = 0; i < 3 && off + 2 <= in->len; i++) {
		uint16_t t = in->data[off] << 8 | in->data[off + 1];

		if ((t == 0x8100 || t == 0x88a8) && i < 2) {
			off += 4;
			continue;
		}
		*family = t == 0x0800 ? 4 : t == 0x86dd ? 6 : 0;
		return off + 2;
	}
	*family = 0;
	return off;
}

/* An encapsulated frame toward a backend: outer header sound, inner packet
 * the received one, for a VIP. Returns 0, or -1 if out is not one. */
static int check_encap(const struct pkt *in, const uint8_t *out, size_t out_len)
{
	int family, outer = out[12] == 0x08 && out[13] == 0x00 ? 4 : out[12] == 0x86 ? 6 : 0;
	size_t l3 = l3_of(in, &family), olen = outer == 4 ? 20 : 40;
	struct ip_info ip;

	if (!outer || out_len < 14 + olen)
		return -1;
	if (outer == 4 && (out[14] != 0x45 || (out[23] != IPPROTO_IPIP && out[23] != 41)))
		return -1;
	if (outer == 6 && out[20] != IPPROTO_IPIP && out[20] != 41)
		return -1;
	if (!family || ip_parse(in->data + l3, in->len - l3, family, &ip))
		return -1;
	/* Ethernet padding after the IP packet stays after it */
	if (out_len != 14 + olen + (in->len - l3) || ip.len > in->len - l3 ||
	    memcmp(out + 14 + olen, in->data + l3, in->len - l3)) {
		dump("received", in->data, in->len);
		dump("sent", out, out_len);
		fail_msg("encapsulated frame: inner packet differs from the received one");
	}
	if (outer == 4 &&
	    ((size_t)((out[16] << 8) | out[17]) != olen + ip.len || csum_at(out + 14, 20, 0)))
		fail_msg("encapsulated frame: outer IPv4 length or checksum wrong");
	if (outer == 6 && (size_t)((out[18] << 8) | out[19]) != ip.len)
		fail_msg("encapsulated frame: outer IPv6 payload length wrong");
	if (!for_a_vip(&ip))
		fail_msg("a frame not for a VIP was encapsulated toward a backend");
	return 0;
}

/* Are the IP (IPv4) and ICMP checksums of the ICMP packet at l3 (family,
 * len bytes by its header) valid? */
static int icmp_sums_ok(const uint8_t *b, size_t l3, int family, size_t len)
{
	uint32_t sum = 0;

	if (family == 4) {
		size_t hl = (b[l3] & 0x0f) * 4;

		return !csum_at(b + l3, hl, 0) && !csum_at(b + l3 + hl, len - hl, 0);
	}
	for (int i = 0; i < 32; i += 2)
		sum += b[l3 + 8 + i] << 8 | b[l3 + 9 + i];
	sum += (len - 40) + IPPROTO_ICMPV6;
	return !csum_at(b + l3 + 40, len - 40, sum);
}

/* A reply the LB generated to `in`: from a VIP address, its checksums
 * valid ("too big"), or as valid as the request's (an echo reply is the
 * request changed in place). Returns 0, or -1 if out is not one. */
static int check_reply(const struct pkt *in, const uint8_t *out, size_t out_len)
{
	int family, in_family;
	struct ip_info ip, req;
	size_t l3, in_l3 = l3_of(in, &in_family);
	struct pkt o;
	int echo;

	memcpy(o.data, out, out_len);
	o.len = out_len;
	l3 = l3_of(&o, &family);
	if (!family || ip_parse(out + l3, out_len - l3, family, &ip) || l3 + ip.len > out_len ||
	    out[l3 + (family == 4 ? 9 : 6)] != (family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6))
		return -1;
	if (!is_vip(family, ip.src, 0, 0))
		fail_msg("a generated reply does not come from a VIP address");
	echo = out[l3 + (family == 4 ? 20 : 40)] == (family == 4 ? 0 : 129);
	if (!echo && !icmp_sums_ok(out, l3, family, ip.len))
		fail_msg("a generated ICMP 'too big' has a bad checksum");
	if (echo &&
	    (in_family != family || ip_parse(in->data + in_l3, in->len - in_l3, family, &req) ||
	     icmp_sums_ok(out, l3, family, ip.len) !=
		 icmp_sums_ok(in->data, in_l3, family, req.len)))
		fail_msg("a generated echo reply's checksums are not as valid as the request's");
	return 0;
}

/* The sums of the verdict counters by class: pass, drop, sent. */
static void classes(uint64_t out[3])
{
	const struct counters *c = lbfix_counters();

	out[0] = out[1] = out[2] = 0;
	for (int i = 0; i < c->n; i++) {
		uint64_t v = percpu_u64(c->map_fd, i);

		if (!strncmp(c->names[i], "pass_", 5))
			out[0] += v;
		else if (!strncmp(c->names[i], "drop_", 5))
			out[1] += v;
		else
			out[2] += v;
	}
}

static void fuzz(void **state)
{
	const char *env = getenv("EF_FUZZ_FRAMES"), *seed_env = getenv("EF_FUZZ_SEED");
	unsigned long frames = env ? strtoul(env, NULL, 0) : 500000, done = 0;
	uint64_t seed = seed_env ? strtoull(seed_env, NULL, 0) : 0x5eed0f1ab;
	static uint8_t out[PB_MAX_LEN + 256];
	static struct pkt in;
	uint64_t before[3], after[3], want[3];

	(void)state;
	rng_state = seed | 1;
	for (size_t i = 0; i < N_INGRESS; i++)
		ingress_ifindex[i] = topo_ifindex(ingress[i]);
	fprintf(stderr, "# fuzz: %lu frames, seed 0x%llx\n", frames, (unsigned long long)seed);
	while (done < frames) {
		unsigned long n = frames - done < BATCH ? frames - done : BATCH;

		memset(want, 0, sizeof(want));
		classes(before);
		for (unsigned long i = 0; i < n; i++, done++) {
			struct xdp_md ctx = {0};
			int ifindex;
			LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in.data, .data_out = out,
				    .data_size_out = sizeof(out), .ctx_in = &ctx,
				    .ctx_size_in = sizeof(ctx), .repeat = 1);

			make_frame(&in, &ifindex);
			ctx.data_end = in.len;
			ctx.ingress_ifindex = ifindex;
			opts.data_size_in = in.len;
			if (bpf_prog_test_run_opts(lbfix_prog_fd(), &opts))
				fail_msg("frame %lu: BPF_PROG_TEST_RUN failed", done);
			switch (opts.retval) {
			case XDP_PASS:
				want[0]++;
				if (opts.data_size_out != in.len || memcmp(out, in.data, in.len)) {
					dump("received", in.data, in.len);
					fail_msg("frame %lu: passed, but changed", done);
				}
				break;
			case XDP_DROP:
				want[1]++;
				break;
			case XDP_TX:
			case XDP_REDIRECT:
				want[2]++;
				if (!check_encap(&in, out, opts.data_size_out))
					break;
				if (opts.data_size_out == in.len &&
				    !memcmp(out + 12, in.data + 12, in.len - 12)) {
					int family;
					size_t l3 = l3_of(&in, &family);
					struct ip_info ip;

					if (!family ||
					    ip_parse(in.data + l3, in.len - l3, family, &ip) ||
					    !for_a_vip(&ip))
						fail_msg("frame %lu: not for a VIP, sent (l2)",
							 done);
					break;
				}
				if (opts.retval == XDP_TX &&
				    !check_reply(&in, out, opts.data_size_out))
					break;
				dump("received", in.data, in.len);
				dump("sent", out, opts.data_size_out);
				fail_msg(
				    "frame %lu: sent, but neither encapsulated, l2 nor a reply",
				    done);
				break;
			default:
				dump("received", in.data, in.len);
				fail_msg("frame %lu: action %d", done, opts.retval);
			}
		}
		classes(after);
		for (int k = 0; k < 3; k++)
			if (after[k] - before[k] != want[k])
				fail_msg(
				    "frames %lu..%lu: %s counters rose by %llu for %llu frames",
				    done - n, done,
				    k == 0   ? "pass"
				    : k == 1 ? "drop"
					     : "sent",
				    (unsigned long long)(after[k] - before[k]),
				    (unsigned long long)want[k]);
	}
}

int fuzz_cases_run(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fuzz),
	};

	return cmocka_run_group_tests_name(lbfix_group("fuzz"), tests, NULL, NULL);
}
