// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * prog_bench.c: what one packet costs the data plane, measured with
 * BPF_PROG_TEST_RUN, next to the cheapest programs; and what the control
 * plane costs (update rate, time until the data plane honours a change) and
 * the maps weigh. Run by `make bench` as root; never part of `make test`.
 *
 * Setup: its own network and mount namespaces, a bpffs, two veth pairs and
 * VIPs and backends configured through the same library the CLI uses. Most
 * VIPs are one-arm, as L4 load balancers are usually deployed: their backends
 * (permanent neighbour entries) sit on in0, the clients' side, so a packet
 * leaves by XDP_TX, like the min-TX baseline's. One VIP is two-arm: its
 * backends sit on out0 and its packets leave by devmap redirect.
 *
 * Timing: `repeat` runs per call, 5 rounds with the cases interleaved; per
 * case the median, min and max ns/packet. Programs that rewrite the frame run
 * behind bench_wrap (bench.bpf.c), which restores it first; a case's cost is
 *   wrap(case) - wrap(grow) + grow
 * where grow (bench_grow) grows the frame by as many bytes as the case does:
 * behind the wrapper it costs what the wrapper costs for the case (restoring
 * the frame included), run alone it costs the test loop and one
 * bpf_xdp_adjust_head(). So every figure includes the test loop's own
 * per-run cost, like the baselines it is divided by. Each case's verdict and
 * output are checked once outside the timed loop.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/edit.h"
#include "core/live.h"
#include "dp/lb.h"
#include "dp/maps.h"
#include "dp/xdp.h"
#include "util/addr.h"
#include "util/log.h"
#include "bench.skel.h"

#define FRAME	    128
#define ROUNDS	    5
#define FLOWS_1M    (1U << 20)
#define FLOOD_FLOWS (1U << 24) /* distinct sources per round of the flood case */
#define CT_SLOTS    (1U << 22) /* 4M slots: 1M live flows at a quarter load */
#define CLI_UPDATES 50
#define LIB_UPDATES 300

/* one-arm backends (on in0) */
static const char *const backends4[] = {"10.100.0.11", "10.100.0.12", "10.100.0.13"};
static const char *const backends6[] = {"fd00:100::11", "fd00:100::12", "fd00:100::13"};
/* two-arm backends (on out0) */
static const char *const backends_out[] = {"10.200.1.2", "10.200.1.3", "10.200.1.4"};

static void die(const char *what)
{
	fprintf(stderr, "prog_bench: %s: %s\n", what,
		ef_err_msg() ? ef_err_msg() : strerror(errno));
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* ---- Frames ---- */

static __u16 csum(const void *p, int n)
{
	const __u16 *w = p;
	__u32 s = 0;

	for (int i = 0; i < n / 2; i++)
		s += w[i];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* A FRAME-byte frame from the client to dst:dport (TCP with flags, or UDP). */
static void frame4(__u8 *f, const char *dst, __u16 dport, __u8 proto, __u8 tcp_flags)
{
	struct iphdr *ip = (void *)(f + 14);
	int l3 = FRAME - 14;

	memset(f, 0, FRAME);
	memcpy(f, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x02", 6);
	f[12] = 0x08;
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(l3);
	ip->ttl = 64;
	ip->protocol = proto;
	inet_pton(AF_INET, "10.100.0.2", &ip->saddr);
	inet_pton(AF_INET, dst, &ip->daddr);
	ip->check = csum(ip, 20);
	if (proto == IPPROTO_TCP) {
		struct tcphdr *t = (void *)(ip + 1);

		t->source = htons(40000);
		t->dest = htons(dport);
		t->doff = 5;
		((__u8 *)t)[13] = tcp_flags;
	} else {
		struct udphdr *u = (void *)(ip + 1);

		u->source = htons(40000);
		u->dest = htons(dport);
		u->len = htons(l3 - 20);
	}
}

static void frame6(__u8 *f, const char *dst, __u16 dport)
{
	struct ipv6hdr *ip6 = (void *)(f + 14);
	struct tcphdr *t = (void *)(ip6 + 1);

	memset(f, 0, FRAME);
	memcpy(f, "\x02\x00\x00\x00\x00\x01", 6);
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x02", 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	ip6->version = 6;
	ip6->payload_len = htons(FRAME - 14 - 40);
	ip6->nexthdr = IPPROTO_TCP;
	ip6->hop_limit = 64;
	inet_pton(AF_INET6, "fd00:100::2", &ip6->saddr);
	inet_pton(AF_INET6, dst, &ip6->daddr);
	t->source = htons(40000);
	t->dest = htons(dport);
	t->doff = 5;
	((__u8 *)t)[13] = 0x10;
}

/* ---- Running programs ---- */

static __u32 in_ifindex;

/* Calls whose time per run, taken here, was more than 1.5 ns above the
 * kernel's figure (printed at the end: a sign the timing was not exact). */
static int slow_calls;

/* ns per run of prog on frame over `repeat` runs; *action, *out (FRAME + 64
 * bytes, may be NULL) from the last run. Timed here around the call, not by
 * the kernel: the kernel's figure is whole nanoseconds per run, too coarse
 * beside baselines of about 6 ns. Timing from here is exact because every
 * program run this way is held in the XDP dispatcher (hold_in_dispatcher):
 * a call then costs its runs and some microseconds of setup. */
static double run(int prog, const __u8 *frame, __u32 repeat, __u32 *action, __u8 *out,
		  __u32 *out_len)
{
	__u8 buf[FRAME + 64];
	struct xdp_md ctx = {.data_end = FRAME, .ingress_ifindex = in_ifindex};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = FRAME,
		    .data_out = out ? out : buf, .data_size_out = sizeof(buf), .repeat = repeat,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx));
	double t = now_s();

	if (bpf_prog_test_run_opts(prog, &o))
		die("BPF_PROG_TEST_RUN");
	t = (now_s() - t) * 1e9 / repeat;
	if (repeat > 1 && t > o.duration + 1.5)
		slow_calls++;
	if (action)
		*action = o.retval;
	if (out_len)
		*out_len = o.data_size_out;
	return t;
}

static struct bench_bpf *bench;

static void set_wrapped(int target, const __u8 *frame, __u32 flows)
{
	__u32 zero = 0;

	memcpy(bench->bss->bench_frame, frame, FRAME);
	bench->bss->bench_flows = flows;
	bench->bss->bench_runs = 0;
	if (bpf_map_update_elem(bpf_map__fd(bench->maps.bench_target), &zero, &target, BPF_ANY))
		die("bench target");
}

/* ---- Cases ---- */

struct bcase {
	const char *name;
	const char *json;
	__u8 frame[FRAME];
	int prog;    /* the program under test (set at load: the LB but for references) */
	__u32 flows; /* rotated source addresses (wrapped cases) */
	int wrapped; /* runs behind bench_wrap */
	int base;    /* 0: divided by min-TX, 1: by XDP_PASS */
	__u32 want;  /* expected action */
	int outer;   /* bytes of outer header expected (encapsulation) */
	double ns[ROUNDS];
	double med, min, max, ratio;
};

static int prog_lb, prog_pass, prog_min_tx, prog_wrap, prog_grow, prog_line, prog_min_encap;

static void check_case(const struct bcase *c)
{
	__u8 out[FRAME + 64];
	__u32 act, len;

	set_wrapped(c->prog, c->frame, 0);
	run(c->prog, c->frame, 1, &act, out, &len);
	if (act != c->want || len != (__u32)(FRAME + c->outer)) {
		fprintf(stderr, "prog_bench: case %s: action %u length %u, want %u and %u\n",
			c->name, act, len, c->want, FRAME + c->outer);
		exit(1);
	}
	if (c->outer && memcmp(out + 14 + c->outer, c->frame + 14, FRAME - 14)) {
		fprintf(stderr, "prog_bench: case %s: inner packet changed\n", c->name);
		exit(1);
	}
}

static void stats_of(struct bcase *c)
{
	double s[ROUNDS];

	memcpy(s, c->ns, sizeof(s));
	qsort(s, ROUNDS, sizeof(s[0]), cmp_double);
	c->min = s[0];
	c->med = s[ROUNDS / 2];
	c->max = s[ROUNDS - 1];
}

/* The head bench_min_encap writes: to the first one-arm backend, from in0. */
static void encap_head(void)
{
	__u8 *h = (__u8 *)bench->bss->bench_encap_head;
	struct iphdr *ip = (void *)(h + 14);
	const __u16 *w = (const void *)ip;
	__u32 sum = 0;

	memcpy(h, "\x02\x00\x00\x00\x02\x01\x02\x00\x00\x00\x00\x02\x08\x00", 14);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_IPIP;
	inet_pton(AF_INET, "10.100.0.1", &ip->saddr);
	inet_pton(AF_INET, backends4[0], &ip->daddr);
	for (int i = 0; i < 10; i++)
		sum += w[i];
	bench->bss->bench_encap_sum = sum;
}

/* ---- Setup ---- */

static char pin_root[] = "/tmp/efbench-XXXXXX";
static char pin_dir[sizeof(pin_root) + 16];

static void sh(const char *cmd)
{
	if (system(cmd))
		fprintf(stderr, "prog_bench: setup step failed: %s\n", cmd);
}

/* Keep a program in the kernel's XDP dispatcher for the whole bench: attached
 * (generic mode) to a veth of the bench's netns that stays down, so that no
 * frame reaches it. BPF_PROG_TEST_RUN with `repeat` adds the program to the
 * dispatcher and removes it again, and each change rewrites the dispatcher
 * and waits for an RCU grace period: about 12 ms a call here, in steps of a
 * jiffy. A program already there is only counted, not added. */
static void hold_in_dispatcher(int prog, int n)
{
	char cmd[128], dev[IFNAMSIZ];

	snprintf(dev, sizeof(dev), "hold%d", n);
	snprintf(cmd, sizeof(cmd), "ip link add %s type veth peer name %sp", dev, dev);
	sh(cmd);
	if (bpf_xdp_attach(if_nametoindex(dev), prog, XDP_FLAGS_SKB_MODE, NULL))
		die("hold a program in the XDP dispatcher");
}

static void setup_net(void)
{
	if (unshare(CLONE_NEWNET | CLONE_NEWNS))
		die("unshare");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die("private mounts");
	if (!mkdtemp(pin_root) || mount("bpf", pin_root, "bpf", 0, NULL))
		die("bpffs");
	snprintf(pin_dir, sizeof(pin_dir), "%s/evenflow", pin_root);
	sh("ip link add in0 type veth peer name in0p && "
	   "ip link add out0 address 02:00:00:00:01:01 type veth peer name out0p && "
	   "for d in lo in0 in0p out0 out0p; do ip link set $d up; done && "
	   "ip addr add 10.100.0.1/24 dev in0 && ip addr add fd00:100::1/64 dev in0 nodad && "
	   "ip addr add 10.200.1.1/24 dev out0 && ip addr add fd00:200:1::1/64 dev out0 nodad && "
	   "sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1");
	for (int i = 0; i < 3; i++) {
		char cmd[512];

		snprintf(cmd, sizeof(cmd),
			 "ip neigh replace %s lladdr 02:00:00:00:02:0%d dev in0 nud permanent && "
			 "ip neigh replace %s lladdr 02:00:00:00:02:0%d dev in0 nud permanent && "
			 "ip neigh replace %s lladdr 02:00:00:00:03:0%d dev out0 nud permanent",
			 backends4[i], i + 1, backends6[i], i + 1, backends_out[i], i + 1);
		sh(cmd);
	}
	in_ifindex = if_nametoindex("in0");
}

static void add_vip(struct ef_dp *dp, const char *vip, const char *const *bes)
{
	struct ef_vip_key key;
	struct ef_vip v = {};
	const char *why;

	if (ef_vip_parse(vip, &key, &why) || ef_vip_add(dp, &key, &v))
		die(vip);
	for (int i = 0; i < 3; i++) {
		struct ef_addr a;
		__u8 fam;

		if (ef_addr_parse(bes[i], &a, &fam, &why) ||
		    ef_backend_add(dp, &key, &a, fam, 1, NULL))
			die(bes[i]);
	}
}

/* ---- Control plane ---- */

struct cp_result {
	double lib_per_s, cli_per_s;
	int honoured; /* the first packet after the call took the change */
};

/* Which backend (index in backends4, or -1) a SYN of frame goes to. */
static int syn_backend(const __u8 *syn)
{
	__u8 out[FRAME + 64];
	__u32 act, len;
	struct in_addr dst;

	run(prog_lb, syn, 1, &act, out, &len);
	if (act != XDP_TX)
		return -1;
	memcpy(&dst, out + 14 + 16, 4);
	for (int i = 0; i < 3; i++)
		if (!strcmp(inet_ntoa(dst), backends4[i]))
			return i;
	return -1;
}

static void control_plane(struct ef_dp *dp, struct cp_result *r)
{
	struct ef_vip_key key;
	struct ef_addr a;
	const char *why, *build = getenv("BUILD") ? getenv("BUILD") : "build";
	char cli[512];
	__u8 syn[FRAME];
	double t;
	__u8 fam;
	int b;

	ef_vip_parse("10.0.0.10:80/tcp", &key, &why);
	frame4(syn, "10.0.0.10", 80, IPPROTO_TCP, 0x02);
	/* set the SYN's backend down: the very next packet must go elsewhere */
	b = syn_backend(syn);
	ef_addr_parse(backends4[b < 0 ? 0 : b], &a, &fam, &why);
	if (b < 0 || ef_backend_set(dp, &key, &a, fam, 0, EF_BE_DOWN, NULL))
		die("backend set down");
	r->honoured = syn_backend(syn) != b;
	if (ef_backend_set(dp, &key, &a, fam, 0, EF_BE_UP, NULL))
		die("backend set up");

	t = now_s();
	for (int i = 0; i < LIB_UPDATES; i++)
		if (ef_backend_set(dp, &key, &a, fam, (__u16)(1 + i % 2), EF_BE_FREE, NULL))
			die("backend set weight");
	r->lib_per_s = LIB_UPDATES / (now_s() - t);

	/* the CLI, one process per update (it takes the pin dir's lock) */
	ef_dp_close(dp);
	t = now_s();
	for (int i = 0; i < CLI_UPDATES; i++) {
		snprintf(cli, sizeof(cli),
			 "%s/evenflow --pin-dir %s backend set 10.0.0.10:80/tcp %s --weight %d",
			 build, pin_dir, backends4[b], 1 + i % 2);
		if (system(cli))
			die("evenflow backend set");
	}
	r->cli_per_s = CLI_UPDATES / (now_s() - t);
	if (ef_dp_open(pin_dir, NULL, dp))
		die("reopen");
}

/* ---- Memory ---- */

/* Bytes the kernel charges for a map (memlock in its fdinfo). */
/* Table sizes (MiB) of the random-read floor printed beside the 1M-flow case:
 * where its cost turns up on this machine (the last is the case's own). */
static const unsigned floor_mib[] = {4, 8, 16, CT_SLOTS * 8 >> 20};
#define FLOOR_SIZES (sizeof(floor_mib) / sizeof(floor_mib[0]))

/* Median cost (ns above XDP_PASS's pass_ns) of one random 64-byte read in the
 * first `mib` MiB of bench_lines, over ROUNDS calls of `repeat` runs. */
static double random_read_ns(const __u8 *frame, __u32 repeat, unsigned mib, double pass_ns)
{
	double ns[ROUNDS];

	bench->bss->bench_line_mask = (mib << 20) / 64 - 1;
	for (int r = 0; r < ROUNDS; r++)
		ns[r] = run(prog_line, frame, repeat, NULL, NULL, NULL) - pass_ns;
	qsort(ns, ROUNDS, sizeof(double), cmp_double);
	return ns[ROUNDS / 2];
}

static long map_bytes(int fd)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static long per_entry(int fd, long entries)
{
	long b = map_bytes(fd);

	return b < 0 || entries <= 0 ? -1 : b / entries;
}

int main(int argc, char **argv)
{
	struct ef_dp_cfg cfg = {.conntrack_size = CT_SLOTS};
	struct bcase cases[] = {
	    {.name = "TCP, established flow",
	     .json = "tcp_established",
	     .wrapped = 1,
	     .want = XDP_TX,
	     .outer = 20},
	    {.name = "TCP, new flow (SYN)",
	     .json = "tcp_new_flow",
	     .wrapped = 1,
	     .want = XDP_TX,
	     .outer = 20},
	    {.name = "UDP, established flow",
	     .json = "udp_established",
	     .wrapped = 1,
	     .want = XDP_TX,
	     .outer = 20},
	    {.name = "IPv6 TCP, established",
	     .json = "ipv6_established",
	     .wrapped = 1,
	     .want = XDP_TX,
	     .outer = 40},
	    {.name = "TCP, 1M live flows",
	     .json = "tcp_1m_flows",
	     .flows = FLOWS_1M,
	     .wrapped = 1,
	     .want = XDP_TX,
	     .outer = 20},
	    {.name = "TCP, established, two-arm",
	     .json = "tcp_established_two_arm",
	     .wrapped = 1,
	     .want = XDP_REDIRECT,
	     .outer = 20},
	    {.name = "not for a VIP", .json = "not_vip", .base = 1, .want = XDP_PASS},
	    {.name = "reference: min IPIP encap",
	     .json = "ref_min_encap",
	     .wrapped = 1,
	     .want = XDP_TX,
	     .outer = 20},
	    /* a SYN from a new source every run (sources never seen before in
	     * each round), beside 1M live flows: the flood guard's path */
	    {.name = "TCP SYN flood, new flows",
	     .json = "tcp_syn_flood",
	     .flows = FLOOD_FLOWS,
	     .wrapped = 1,
	     .want = XDP_TX,
	     .outer = 20},
	};
	const size_t ncases = sizeof(cases) / sizeof(cases[0]);
	double pass[ROUNDS], min_tx[ROUNDS], line[ROUNDS], p_med, m_med, floor_ns[FLOOR_SIZES];
	__u32 repeat = 2000000, act;
	struct cp_result cp;
	struct ef_ct_fill fill;
	struct ef_dp dp;
	FILE *json = NULL;
	int cpu = 0;
	cpu_set_t set;

	if (argc == 3 && !strcmp(argv[1], "--json")) {
		json = fopen(argv[2], "w");
		if (!json)
			die(argv[2]);
	} else if (argc != 1) {
		fprintf(stderr, "usage: prog_bench [--json FILE]\n");
		return 2;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set); /* one CPU: per-CPU state stays warm */

	setup_net();
	ef_log_init(0);
	if (ef_dp_open(pin_dir, &cfg, &dp))
		die("load the data plane");
	add_vip(&dp, "10.0.0.10:80/tcp", backends4);
	add_vip(&dp, "10.0.0.10:53/udp", backends4);
	add_vip(&dp, "[fd00:10::10]:80/tcp", backends6);
	add_vip(&dp, "10.0.0.11:80/tcp", backends_out);
	if (ef_tx_ports_sync(dp.tx_ports))
		die("tx ports");
	bench = bench_bpf__open();
	if (!bench || bpf_map__set_max_entries(bench->maps.bench_lines, CT_SLOTS / EF_CT_WAYS) ||
	    bench_bpf__load(bench))
		die("load bench.bpf.o");
	bench->bss->bench_line_mask = CT_SLOTS / EF_CT_WAYS - 1;
	prog_lb = dp.prog_fd;
	prog_pass = bpf_program__fd(bench->progs.bench_pass);
	prog_min_tx = bpf_program__fd(bench->progs.bench_min_tx);
	prog_wrap = bpf_program__fd(bench->progs.bench_wrap);
	prog_grow = bpf_program__fd(bench->progs.bench_grow);
	prog_line = bpf_program__fd(bench->progs.bench_line_read);
	hold_in_dispatcher(prog_lb, 0);
	hold_in_dispatcher(prog_pass, 1);
	hold_in_dispatcher(prog_min_tx, 2);
	hold_in_dispatcher(prog_wrap, 3);
	hold_in_dispatcher(prog_grow, 4);
	hold_in_dispatcher(prog_line, 5);
	prog_min_encap = bpf_program__fd(bench->progs.bench_min_encap);
	hold_in_dispatcher(prog_min_encap, 6);
	encap_head();
	for (size_t i = 0; i < ncases; i++)
		cases[i].prog = prog_lb;
	cases[7].prog = prog_min_encap;

	frame4(cases[0].frame, "10.0.0.10", 80, IPPROTO_TCP, 0x10);
	frame4(cases[1].frame, "10.0.0.10", 80, IPPROTO_TCP, 0x02);
	frame4(cases[2].frame, "10.0.0.10", 53, IPPROTO_UDP, 0);
	frame6(cases[3].frame, "fd00:10::10", 80);
	frame4(cases[4].frame, "10.0.0.10", 80, IPPROTO_TCP, 0x10);
	frame4(cases[5].frame, "10.0.0.11", 80, IPPROTO_TCP, 0x10);
	frame4(cases[6].frame, "10.9.9.9", 80, IPPROTO_TCP, 0x10);
	frame4(cases[7].frame, "10.0.0.10", 80, IPPROTO_TCP, 0x10);
	frame4(cases[8].frame, "10.0.0.10", 80, IPPROTO_TCP, 0x02);
	for (size_t i = 0; i < ncases; i++)
		check_case(&cases[i]);
	/* 1M live flows: one pass over them makes their entries */
	set_wrapped(prog_lb, cases[4].frame, FLOWS_1M);
	run(prog_wrap, cases[4].frame, FLOWS_1M, &act, NULL, NULL);
	if (act != XDP_TX)
		die("filling the connection table");
	if (ef_conntrack_fill(dp.conntrack, &fill))
		die("reading the connection table");
	printf("connection table: %llu flows after the 1M-flow warm-up\n",
	       (unsigned long long)fill.used);

	for (int r = 0; r < ROUNDS; r++) {
		pass[r] = run(prog_pass, cases[0].frame, repeat, NULL, NULL, NULL);
		min_tx[r] = run(prog_min_tx, cases[0].frame, repeat, NULL, NULL, NULL);
		line[r] = run(prog_line, cases[0].frame, repeat, NULL, NULL, NULL) - pass[r];
		for (size_t i = 0; i < ncases; i++) {
			struct bcase *c = &cases[i];
			double grow, base;

			if (!c->wrapped) {
				c->ns[r] = run(c->prog, c->frame, repeat, NULL, NULL, NULL);
				continue;
			}
			bench->bss->bench_grow_by = c->outer;
			/* the flood's sources: new ones each round */
			bench->bss->bench_src_first = c->flows == FLOOD_FLOWS ? (r + 1) << 24 : 0;
			grow = run(prog_grow, c->frame, repeat, NULL, NULL, NULL);
			set_wrapped(prog_grow, c->frame, c->flows);
			base = run(prog_wrap, c->frame, repeat, NULL, NULL, NULL);
			set_wrapped(c->prog, c->frame, c->flows);
			c->ns[r] = run(prog_wrap, c->frame, repeat, NULL, NULL, NULL) - base + grow;
		}
	}
	qsort(pass, ROUNDS, sizeof(double), cmp_double);
	qsort(min_tx, ROUNDS, sizeof(double), cmp_double);
	qsort(line, ROUNDS, sizeof(double), cmp_double);
	p_med = pass[ROUNDS / 2];
	m_med = min_tx[ROUNDS / 2];
	printf("\nData-plane cost per packet (BPF_PROG_TEST_RUN, %u runs x %d rounds, one CPU)\n",
	       repeat, ROUNDS);
	printf("%-26s %8s %8s %8s %10s\n", "case", "median", "min", "max", "ratio");
	printf("%-26s %8.2f %8.2f %8.2f %10s\n", "baseline: XDP_PASS", p_med, pass[0],
	       pass[ROUNDS - 1], "");
	printf("%-26s %8.2f %8.2f %8.2f %10s\n", "baseline: min TX", m_med, min_tx[0],
	       min_tx[ROUNDS - 1], "");
	for (size_t i = 0; i < ncases; i++) {
		struct bcase *c = &cases[i];

		stats_of(c);
		c->ratio = c->med / (c->base ? p_med : m_med);
		printf("%-26s %8.2f %8.2f %8.2f %7.2fx %s\n", c->name, c->med, c->min, c->max,
		       c->ratio, c->base ? "XDP_PASS" : "min TX");
	}
	/* the floor of a flow in a table too large for the caches: the
	 * established case plus one random read of a line of that size */
	printf("Targets: SYN flood %.2fx the established case (<= 2.0); 1M live flows %.2fx the "
	       "established case plus one random read in their %u MiB table (<= 1.2)\n",
	       cases[8].med / cases[0].med, cases[4].med / (cases[0].med + line[ROUNDS / 2]),
	       CT_SLOTS * 8 >> 20);
	printf("Under the 1M-flow case: one random read in a table of its connection table's "
	       "size (%u MiB)\ncosts %.1f ns here (median; %.1f-%.1f) on top of the test loop.\n",
	       CT_SLOTS * 8 >> 20, line[ROUNDS / 2], line[0], line[ROUNDS - 1]);
	/* after the rounds above: a smaller mask reads the first lines only */
	printf("The same read by table size (1M flows need at least 8 MiB at 8 bytes each):\n ");
	for (size_t i = 0; i < FLOOR_SIZES; i++) {
		floor_ns[i] = random_read_ns(cases[0].frame, repeat, floor_mib[i], p_med);
		printf(" %u MiB: %.0f ns%s", floor_mib[i], floor_ns[i],
		       i + 1 < FLOOR_SIZES ? "," : "\n");
	}

	if (slow_calls)
		printf("NOTE: %d calls took over 1.5 ns a run more than the kernel counted "
		       "(preempted, or a program not held in the dispatcher): figures less exact\n",
		       slow_calls);

	control_plane(&dp, &cp);
	printf("\nControl plane\n");
	printf("  a change is honoured by the next packet after `backend set` returns: %s\n",
	       cp.honoured ? "yes" : "NO");
	printf("  updates/s through the library call (ef_backend_set): %.0f\n", cp.lib_per_s);
	printf("  updates/s through the CLI (a process each): %.0f\n", cp.cli_per_s);

	{
		long vip_info = per_entry(dp.vip_info, (long)EF_GENS * EF_MAX_VIPS);
		long vstats = per_entry(dp.vip_stats, EF_MAX_VIPS);
		long be = per_entry(dp.backends, (long)EF_GENS * EF_MAX_BACKENDS);
		long bstats = per_entry(dp.backend_stats, EF_MAX_BACKENDS);
		long nh = per_entry(dp.nexthop, EF_MAX_BACKENDS);
		long ct = map_bytes(dp.conntrack);
		__u32 *table = NULL, m = 0;
		struct ef_vip_key key;
		struct ef_vip v;
		const char *why;

		ef_vip_parse("10.0.0.10:80/tcp", &key, &why);
		if (ef_vip_get(&dp, &key, &v) || ef_table_read(&dp, v.id, &table, &m))
			die("table");
		free(table);
		printf("\nMemory (kernel's memlock accounting, %d CPUs)\n", dp.ncpus);
		printf("  per VIP: %ld bytes (2 generations x info + counters) + %u bytes of "
		       "table (M = %u)\n",
		       2 * vip_info + vstats, 4 * (m + 1), m);
		printf("  per backend: %ld bytes (2 generations + counters + next-hop cache)\n",
		       2 * be + bstats + nh);
		printf("  per tracked flow: %.1f bytes per connection-table slot (%u slots, %ld "
		       "bytes)\n",
		       (double)ct / CT_SLOTS, CT_SLOTS, ct);
		if (json) {
			fprintf(
			    json,
			    "{\"repeat\": %u, \"rounds\": %d,\n \"baselines\": "
			    "{\"xdp_pass\": %.1f, \"min_tx\": %.1f},\n"
			    " \"random_read_ns_1m_table\": %.1f,\n \"random_read_ns_by_mib\": {",
			    repeat, ROUNDS, p_med, m_med, line[ROUNDS / 2]);
			for (size_t i = 0; i < FLOOR_SIZES; i++)
				fprintf(json, "%s\"%u\": %.1f", i ? ", " : "", floor_mib[i],
					floor_ns[i]);
			fprintf(json, "},\n \"cases\": {");
			for (size_t i = 0; i < ncases; i++)
				fprintf(json,
					"%s\n  \"%s\": {\"median\": %.1f, \"min\": %.1f, \"max\": "
					"%.1f, \"ratio\": %.3f, \"ratio_to\": \"%s\"}",
					i ? "," : "", cases[i].json, cases[i].med, cases[i].min,
					cases[i].max, cases[i].ratio,
					cases[i].base ? "xdp_pass" : "min_tx");
			fprintf(json,
				"},\n \"control_plane\": {\"honoured_by_next_packet\": %s, "
				"\"lib_updates_per_s\": %.0f, \"cli_updates_per_s\": %.0f},\n"
				" \"memory\": {\"per_vip_bytes\": %ld, \"table_bytes\": %u, "
				"\"per_backend_bytes\": %ld, \"per_flow_slot_bytes\": %.2f}}\n",
				cp.honoured ? "true" : "false", cp.lib_per_s, cp.cli_per_s,
				2 * vip_info + vstats, 4 * (m + 1), 2 * be + bstats + nh,
				(double)ct / CT_SLOTS);
			fclose(json);
		}
	}
	bench_bpf__destroy(bench);
	ef_dp_close(&dp);
	umount(pin_root);
	rmdir(pin_root);
	return cp.honoured ? 0 : 1;
}
