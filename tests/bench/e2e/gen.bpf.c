// SPDX-License-Identifier: GPL-2.0
/* Traffic generator for the end-to-end benchmark, run by gen.c through
 * BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES: every run writes one whole
 * UDP/IPv4 frame and sends it with XDP_TX out of the device named by the
 * run's ingress_ifindex (a veth, so the frame arrives at its peer).
 *
 * The kernel recycles the pages of live frames with whatever the previous
 * run (and, after XDP_TX, the receivers) left in them, so every byte of the
 * frame is written on every run. Flows differ only by the UDP source port,
 * which cycles over `flows` values.
 *
 * With tcp_flags set, the frame is a TCP segment with those flags instead
 * (a SYN or ACK flood; no TCP checksum, so receivers drop it), and with
 * spoof_mask set, the source address bits of the mask and the source port
 * are random per frame: every frame a flow of its own.
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
const volatile __u8 tcp_flags;	 /* 0: UDP */
const volatile __u32 spoof_mask; /* network order; 0: saddr as given */

/* Runs counter; the generator is pinned to one CPU, so a plain increment. */
__u32 seq;

SEC("xdp")
int efb_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct udphdr *udp = (void *)(ip + 1);
	struct tcphdr *tcp = (void *)(ip + 1);
	__u8 *payload = (void *)(udp + 1);
	__u32 n = seq++, h = n * 2654435761U;
	__u16 *w = (void *)ip;
	__u32 sum = 0;
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
	ip->protocol = IPPROTO_UDP;
	ip->check = ip_csum;
	ip->saddr = saddr;
	ip->daddr = daddr;
	h ^= h >> 15;
	h *= 0x2c1b3c6d;
	h ^= h >> 12;
	if (tcp_flags || spoof_mask) {
		if (tcp_flags) {
			ip->protocol = IPPROTO_TCP;
			ip->tot_len = bpf_htons(sizeof(*ip) + sizeof(*tcp));
		}
		ip->saddr = saddr ^ (bpf_htonl(h) & spoof_mask);
		ip->check = 0;
#pragma unroll
		for (i = 0; i < 10; i++)
			sum += w[i];
		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		ip->check = ~sum;
	}
	if (tcp_flags) {
		__u8 *t = (void *)tcp;

		tcp->source = bpf_htons(spoof_mask ? 1024 + (h >> 17) : sport_base + n % flows);
		tcp->dest = dport;
		tcp->seq = h;
		tcp->ack_seq = h ^ 0x5a5a5a5a;
		t[12] = 5 << 4;
		t[13] = tcp_flags;
		tcp->window = bpf_htons(65535);
		tcp->check = 0;
		tcp->urg_ptr = 0;
#pragma unroll
		for (i = 0; i < GEN_FRAME_LEN - 14 - 20 - 20; i++)
			t[20 + i] = 0;
		return XDP_TX;
	}

	udp->source = bpf_htons(spoof_mask ? 1024 + (h >> 17) : sport_base + n % flows);
	udp->dest = dport;
	udp->len = bpf_htons(GEN_FRAME_LEN - sizeof(*eth) - sizeof(*ip));
	udp->check = 0; /* none: allowed over IPv4 */

#pragma unroll
	for (i = 0; i < GEN_PAYLOAD_LEN; i++)
		payload[i] = 0;

	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
