// SPDX-License-Identifier: GPL-2.0
/* Traffic generator for the end-to-end benchmark, run by gen.c through
 * BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES: every run writes one whole
 * UDP/IPv4 frame and sends it with XDP_TX out of the device named by the
 * run's ingress_ifindex (a veth, so the frame arrives at its peer).
 *
 * The kernel recycles the pages of live frames with whatever the previous
 * run (and, after XDP_TX, the receivers) left in them, so every byte of the
 * frame is written on every run. Flows differ by the source port, which
 * cycles over `flows` values, and with `src_span` by the source address too.
 * With `tcp_flags` the frame is a TCP segment with those flags instead (a
 * SYN or ACK flood; its TCP checksum is left zero, so a receiving host drops
 * it: the flood tests the load balancer, not the backends).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "gen.h"

/* Set by gen.c before load; addresses, ports and checksum in network order. */
const volatile __u8 dst_mac[ETH_ALEN];
const volatile __u8 src_mac[ETH_ALEN];
const volatile __u32 saddr;
const volatile __u32 daddr;
const volatile __u16 dport;
const volatile __u16 ip_csum;		 /* of the (constant) IPv4 header */
const volatile __u16 sport_base = 10000; /* host order */
const volatile __u32 flows = 1024;
/* 0: UDP; else a TCP segment with these flags (TCP_FLAG_* >> 16). */
const volatile __u8 tcp_flags;
/* 0: every frame from saddr; else from saddr + a hash of the run modulo
 * src_span (host order; a power of two gives src_span distinct sources). */
const volatile __u32 src_span;

/* Runs counter; the generator is pinned to one CPU, so a plain increment. */
__u32 seq;

/* The IPv4 header's checksum, computed whole. */
static __always_inline __u16 ip_checksum(struct iphdr *ip)
{
	__u16 *w = (__u16 *)ip;
	__u32 sum = 0;
	int i;

	ip->check = 0;
#pragma unroll
	for (i = 0; i < 10; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* A TCP header with tcp_flags for run n (no options; checksum zero). */
static __always_inline void write_tcp(struct tcphdr *tcp, __u32 n)
{
	__u16 *hdr = (__u16 *)tcp;
	int i;

#pragma unroll
	for (i = 0; i < 10; i++)
		hdr[i] = 0;
	tcp->source = bpf_htons(sport_base + n % flows);
	tcp->dest = dport;
	tcp->seq = bpf_htonl(n * 2654435761U);
	tcp->doff = 5;
	((__u8 *)tcp)[13] = tcp_flags;
	if (tcp_flags & 0x10) /* ACK */
		tcp->ack_seq = bpf_htonl(n * 40503U);
	tcp->window = bpf_htons(65535);
}

SEC("xdp")
int efb_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct udphdr *udp = (void *)(ip + 1);
	__u8 *payload = (void *)(udp + 1);
	__u32 n = seq++;
	int i;

	if (data + GEN_FRAME_LEN > data_end)
		return XDP_ABORTED;

#pragma unroll
	for (i = 0; i < ETH_ALEN; i++) {
		/* Byte by byte: a memcpy that casts volatile away lets the
		 * compiler fold the zeros the arrays hold at compile time. */
		eth->h_dest[i] = dst_mac[i];
		eth->h_source[i] = src_mac[i];
	}
	eth->h_proto = bpf_htons(ETH_P_IP);

	ip->version = 4;
	ip->ihl = 5;
	ip->tos = 0;
	ip->tot_len = bpf_htons(GEN_FRAME_LEN - sizeof(*eth));
	ip->id = 0;
	ip->frag_off = 0;
	ip->ttl = 64;
	ip->protocol = tcp_flags ? IPPROTO_TCP : IPPROTO_UDP;
	ip->check = ip_csum;
	ip->saddr = saddr;
	ip->daddr = daddr;
	if (src_span) {
		ip->saddr = bpf_htonl(bpf_ntohl(saddr) + (n * 2654435761U) % src_span);
		ip->check = ip_checksum(ip);
	}

#pragma unroll
	for (i = 0; i < GEN_PAYLOAD_LEN; i++)
		payload[i] = 0;
	if (tcp_flags) {
		write_tcp((struct tcphdr *)udp, n);
		return XDP_TX;
	}
	udp->source = bpf_htons(sport_base + n % flows);
	udp->dest = dport;
	udp->len = bpf_htons(GEN_FRAME_LEN - sizeof(*eth) - sizeof(*ip));
	udp->check = 0; /* none: allowed over IPv4 */
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
