/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * icmp.h: tell a client that its packet is too big for the tunnel.
 *
 * Encapsulation adds 20 or 40 bytes. A packet that then exceeds the route MTU
 * toward its backend, and may not be fragmented (IPv4 DF, or any IPv6), is
 * turned in place into an ICMP "fragmentation needed" (ICMPv6 "packet too
 * big") from the VIP to the client, quoting the start of the packet (at
 * least its IP header and the 8 bytes after it), and sent back out of the ingress device (XDP_TX)
 * to the MAC it came from. The client's path-MTU discovery then sends smaller packets, instead of
 * retrying full-size ones into a black hole.
 */
#ifndef EF_ICMP_H
#define EF_ICMP_H

#include <linux/icmpv6.h>
#include "encap.h"

/* The ICMPv4 "destination unreachable / fragmentation needed" header (RFC 792
 * with RFC 1191's next-hop MTU). Declared here: <linux/icmp.h> pulls in glibc's
 * <sys/socket.h>, which under -target bpf on x86 asks for the 32-bit stubs of
 * libc6-dev-i386. */
struct ef_icmp4_frag_hdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 unused;
	__be16 mtu;
};
#define EF_ICMP_DEST_UNREACH 3
#define EF_ICMP_FRAG_NEEDED  4

/* Bytes of the packet quoted: the longest IPv4 header and 8 more (a fixed
 * size keeps the bounds plain for the verifier; a packet too big for the
 * tunnel is always longer). IPv6: its header and 8 more. */
#define EF_ICMP4_QUOTE (60 + 8)
#define EF_ICMP6_QUOTE (40 + 8)
/* IPv6's minimum link MTU: a smaller one is never announced. */
#define EF_IPV6_MIN_MTU 1280

/* Turn the frame into the start of an answer to its sender: a new Ethernet
 * header back to the MAC it came from (VLAN tags dropped), room for new_hdrs
 * bytes of IP + ICMP header, then the first `quoted` bytes of the packet's IP
 * packet; the rest is cut. Returns where the new IP header goes (the whole
 * answer checked to lie in the frame), or NULL. */
static __always_inline void *ef_icmp_frame(struct xdp_md *ctx, const struct ef_pkt *p, int new_hdrs,
					   int quoted, __u16 eth_proto)
{
	int grow = EF_ETH_LEN + new_hdrs - p->l3_off;
	int len = EF_ETH_LEN + new_hdrs + quoted;
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u8 rx_src[ETH_ALEN], rx_dst[ETH_ALEN];
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end || p->l3_off > EF_ETH_LEN + 2 * (int)sizeof(struct ef_vlan_hdr))
		return NULL;
	__builtin_memcpy(rx_src, eth->h_source, ETH_ALEN);
	__builtin_memcpy(rx_dst, eth->h_dest, ETH_ALEN);
	if (bpf_xdp_adjust_head(ctx, -grow))
		return NULL;
	if (bpf_xdp_adjust_tail(ctx, len - (int)bpf_xdp_get_buff_len(ctx)))
		return NULL;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	eth = data;
	if (data + len > end)
		return NULL;
	__builtin_memcpy(eth->h_dest, rx_src, ETH_ALEN);
	__builtin_memcpy(eth->h_source, rx_dst, ETH_ALEN);
	eth->h_proto = bpf_htons(eth_proto);
	return eth + 1;
}

/* IPv4: "fragmentation needed", announcing mtu. Returns 0 or -1. */
static __always_inline int ef_icmp4_too_big(struct xdp_md *ctx, const struct ef_pkt *p, __u16 mtu)
{
	const int hdrs = EF_IPV4_LEN + (int)sizeof(struct ef_icmp4_frag_hdr);
	const int quote_len = EF_ICMP4_QUOTE;
	struct iphdr *ip, *quoted;
	struct ef_icmp4_frag_hdr *icmp;
	__u32 sum;

	ip = ef_icmp_frame(ctx, p, hdrs, quote_len, ETH_P_IP);
	if (!ip)
		return -1;
	icmp = (void *)(ip + 1);
	quoted = (void *)(icmp + 1);
	ip->version = 4;
	ip->ihl = 5;
	ip->tos = 0xc0; /* internetwork control */
	ip->tot_len = bpf_htons(hdrs + quote_len);
	ip->id = 0;
	ip->frag_off = 0;
	ip->ttl = EF_ENCAP_TTL;
	ip->protocol = IPPROTO_ICMP;
	ip->check = 0;
	ip->saddr = quoted->daddr; /* the VIP */
	ip->daddr = quoted->saddr;
	ip->check = ef_csum_fold(ef_ipv4_sum(ip));
	icmp->type = EF_ICMP_DEST_UNREACH;
	icmp->code = EF_ICMP_FRAG_NEEDED;
	icmp->checksum = 0;
	icmp->unused = 0;
	icmp->mtu = bpf_htons(mtu);
	sum = bpf_csum_diff(NULL, 0, (void *)icmp, sizeof(*icmp) + quote_len, 0);
	icmp->checksum = ef_csum_fold(sum);
	return 0;
}

/* IPv6: "packet too big", announcing mtu. Returns 0 or -1. */
static __always_inline int ef_icmp6_too_big(struct xdp_md *ctx, const struct ef_pkt *p, __u32 mtu)
{
	const int hdrs = EF_IPV6_LEN + (int)sizeof(struct icmp6hdr);
	const int quote_len = EF_ICMP6_QUOTE;
	struct ipv6hdr *ip6, *quoted;
	struct icmp6hdr *icmp6;
	__u64 wide;
	__u32 sum;

	ip6 = ef_icmp_frame(ctx, p, hdrs, quote_len, ETH_P_IPV6);
	if (!ip6)
		return -1;
	icmp6 = (void *)(ip6 + 1);
	quoted = (void *)(icmp6 + 1);
	__builtin_memset(ip6, 0, sizeof(*ip6));
	ip6->version = 6;
	ip6->payload_len = bpf_htons(sizeof(*icmp6) + quote_len);
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = EF_ENCAP_TTL;
	ip6->saddr = quoted->daddr; /* the VIP */
	ip6->daddr = quoted->saddr;
	__builtin_memset(icmp6, 0, sizeof(*icmp6));
	icmp6->icmp6_type = ICMPV6_PKT_TOOBIG;
	icmp6->icmp6_mtu = bpf_htonl(mtu);
	/* pseudo-header (addresses, length, next header), then the message */
	sum = bpf_csum_diff(NULL, 0, (void *)&ip6->saddr, 2 * sizeof(ip6->saddr), 0);
	sum = bpf_csum_diff(NULL, 0, (void *)icmp6, sizeof(*icmp6) + quote_len, sum);
	wide = (__u64)sum + bpf_htons(sizeof(*icmp6) + quote_len) + bpf_htons(IPPROTO_ICMPV6);
	wide = (wide & 0xffffffff) + (wide >> 32);
	icmp6->icmp6_cksum = ef_csum_fold((__u32)wide + (__u32)(wide >> 32));
	return 0;
}

#endif /* EF_ICMP_H */
