// SPDX-License-Identifier: GPL-2.0
/* gen: the end-to-end benchmark's traffic generator.
 *
 *   gen --dev DEV --dst-mac MAC --src-ip A --dst-ip A --dport P
 *       [--flows 1024] [--duration S] [--cpu N] [--call-ms MS]
 *       [--tcp-flags F] [--spoof-bits B]
 *
 * Runs gen.bpf.c through BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES: each
 * run writes one 60-byte UDP/IPv4 frame and sends it with XDP_TX out of DEV
 * (a veth: it arrives at the peer, which needs NAPI: an XDP program or GRO).
 * Calls are sized to about --call-ms each, since every call has a fixed
 * teardown cost (~24 ms here), and repeated for --duration seconds. The
 * process is pinned to one CPU: the frames, the peer's NAPI and everything
 * downstream run in softirq on that CPU.
 *
 * --tcp-flags F: TCP segments with flags F (2: SYN, 16: ACK) instead of UDP;
 * --spoof-bits B: the low B bits of the source address and the source port
 * random per frame (a flood from random sources; default 0).
 *
 * Prints one JSON line: {"sent": N, "seconds": S, "calls": C, "pps": P}.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "gen.h"
#include "gen.skel.h"

#define REPEAT_MIN   10000
#define REPEAT_MAX   50000000
#define REPEAT_FIRST 200000

struct gen_opts {
	const char *dev;
	unsigned char dst_mac[6];
	unsigned char src_mac[6];
	struct in_addr src, dst;
	unsigned int dport;
	unsigned int flows;
	double duration;
	double call_s;
	int cpu;
	int have_dst_mac;
	unsigned int tcp_flags, spoof_bits;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_mac(const char *s, unsigned char mac[6])
{
	unsigned int b[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -EINVAL;
		mac[i] = b[i];
	}
	return 0;
}

static int dev_mac(const char *dev, unsigned char mac[6])
{
	char path[128], buf[32];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", dev);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	err = fgets(buf, sizeof(buf), f) ? parse_mac(buf, mac) : -EIO;
	fclose(f);
	return err;
}

/* The IPv4 header checksum of the frame gen.bpf.c writes (it never changes). */
static unsigned short ip_csum(const struct gen_opts *o)
{
	unsigned short w[10] = {
	    htons(0x4500), htons(GEN_FRAME_LEN - 14), 0, 0, htons(64 << 8 | 17), 0,
	};
	unsigned int sum = 0;
	int i;

	memcpy(&w[6], &o->src.s_addr, 4);
	memcpy(&w[8], &o->dst.s_addr, 4);
	for (i = 0; i < 10; i++)
		sum += w[i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: gen --dev DEV --dst-mac MAC --src-ip ADDR --dst-ip ADDR --dport PORT\n"
		   "           [--flows N] [--duration S] [--cpu N] [--call-ms MS]\n"
		   "           [--tcp-flags F] [--spoof-bits B]\n");
}

static int parse_args(int argc, char **argv, struct gen_opts *o)
{
	static const struct option longopts[] = {
	    {"dev", required_argument, NULL, 'd'},
	    {"dst-mac", required_argument, NULL, 'm'},
	    {"src-ip", required_argument, NULL, 's'},
	    {"dst-ip", required_argument, NULL, 't'},
	    {"dport", required_argument, NULL, 'p'},
	    {"flows", required_argument, NULL, 'f'},
	    {"duration", required_argument, NULL, 'D'},
	    {"cpu", required_argument, NULL, 'c'},
	    {"call-ms", required_argument, NULL, 'C'},
	    {"tcp-flags", required_argument, NULL, 'T'},
	    {"spoof-bits", required_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {},
	};
	int c;

	*o = (struct gen_opts){.flows = 1024, .duration = 2.0, .call_s = 0.25, .cpu = -1};
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->dev = optarg;
			break;
		case 'm':
			if (parse_mac(optarg, o->dst_mac)) {
				fprintf(stderr, "gen: --dst-mac %s: not a MAC address\n", optarg);
				return -EINVAL;
			}
			o->have_dst_mac = 1;
			break;
		case 's':
		case 't':
			if (inet_pton(AF_INET, optarg, c == 's' ? &o->src : &o->dst) != 1) {
				fprintf(stderr, "gen: %s: not an IPv4 address\n", optarg);
				return -EINVAL;
			}
			break;
		case 'p':
			o->dport = strtoul(optarg, NULL, 0);
			break;
		case 'f':
			o->flows = strtoul(optarg, NULL, 0);
			break;
		case 'D':
			o->duration = strtod(optarg, NULL);
			break;
		case 'c':
			o->cpu = atoi(optarg);
			break;
		case 'C':
			o->call_s = strtod(optarg, NULL) / 1000.0;
			break;
		case 'T':
			o->tcp_flags = strtoul(optarg, NULL, 0);
			break;
		case 'S':
			o->spoof_bits = strtoul(optarg, NULL, 0);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc || !o->dev || !o->have_dst_mac || !o->src.s_addr || !o->dst.s_addr ||
	    o->dport == 0 || o->dport > 65535 || o->flows == 0 || o->flows > 65535 - 10000 ||
	    o->duration <= 0 || o->call_s <= 0 || o->tcp_flags > 255 || o->spoof_bits > 24) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct gen_opts o;
	struct gen_bpf *skel = NULL;
	unsigned char frame[GEN_FRAME_LEN] = {};
	struct xdp_md ctx = {};
	double start, elapsed = 0, t0, t;
	long long sent = 0, repeat = REPEAT_FIRST;
	int err, ifindex, calls = 0;

	if (parse_args(argc, argv, &o))
		return 2;
	ifindex = if_nametoindex(o.dev);
	if (!ifindex) {
		fprintf(stderr, "gen: device %s: %s\n", o.dev, strerror(errno));
		return 1;
	}
	err = dev_mac(o.dev, o.src_mac);
	if (err) {
		fprintf(stderr, "gen: MAC of %s: %s\n", o.dev, strerror(-err));
		return 1;
	}
	if (o.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "gen: pin to CPU %d: %s\n", o.cpu, strerror(errno));
			return 1;
		}
	}

	skel = gen_bpf__open();
	if (!skel) {
		fprintf(stderr, "gen: open BPF object: %s\n", strerror(errno));
		return 1;
	}
	memcpy((void *)skel->rodata->dst_mac, o.dst_mac, 6);
	memcpy((void *)skel->rodata->src_mac, o.src_mac, 6);
	skel->rodata->saddr = o.src.s_addr;
	skel->rodata->daddr = o.dst.s_addr;
	skel->rodata->dport = htons(o.dport);
	skel->rodata->ip_csum = ip_csum(&o);
	skel->rodata->flows = o.flows;
	skel->rodata->tcp_flags = o.tcp_flags;
	skel->rodata->spoof_mask = htonl(o.spoof_bits ? (1U << o.spoof_bits) - 1 : 0);
	err = gen_bpf__load(skel);
	if (err) {
		fprintf(stderr, "gen: load BPF object: %s\n", strerror(-err));
		goto out;
	}

	ctx.ingress_ifindex = ifindex;
	ctx.data_end = sizeof(frame); /* the kernel checks it against data_size_in */
	start = now_s();
	while (elapsed < o.duration) {
		double left = o.duration - elapsed;
		LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = frame, .data_size_in = sizeof(frame),
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

		/* The last call only fills what is left of the duration. */
		if (left < o.call_s && calls > 0) {
			if (left < 0.05)
				break;
			repeat = repeat * left / o.call_s;
		}
		if (repeat < REPEAT_MIN)
			repeat = REPEAT_MIN;
		run.repeat = repeat;
		t0 = now_s();
		err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.efb_gen), &run);
		t = now_s() - t0;
		if (err) {
			fprintf(stderr, "gen: BPF_PROG_RUN: %s\n", strerror(errno));
			err = -errno;
			goto out;
		}
		sent += repeat;
		calls++;
		elapsed = now_s() - start;
		/* Aim the next call at call_s. */
		repeat = repeat * o.call_s / (t > 0.001 ? t : 0.001);
		if (repeat > REPEAT_MAX)
			repeat = REPEAT_MAX;
	}
	printf("{\"sent\": %lld, \"seconds\": %.6f, \"calls\": %d, \"pps\": %.0f}\n", sent, elapsed,
	       calls, sent / elapsed);
out:
	gen_bpf__destroy(skel);
	return err ? 1 : 0;
}
