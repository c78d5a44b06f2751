// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lbfix.c: load the LB program, commit its configuration, compute
 * expectations (see lbfix.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <limits.h>
#include <sys/stat.h>
#include "core/commit.h"
#include "dp/devtable.h"
#include "lbfix.h"
#include "lib/ct_entry.h"
#include "lib/hash.h"
#include "topo.h"
#include "util/kclock.h"
#include "lb.skel.h"

struct lbfix_backend lbfix_backends[LBFIX_MAX_BACKENDS];
struct lbfix_vip lbfix_vips[LBFIX_MAX_VIPS];

#define EF_VERDICT_NAME(name, str, desc) str,
static const char *const verdict_names[] = {EF_VERDICT_LIST(EF_VERDICT_NAME)};
#undef EF_VERDICT_NAME

static struct counters counters;

static struct lb_bpf *skel;
/* The loaded program's pins opened as the CLI opens them. */
static struct ef_dp dp;
/* The table each VIP currently has, as written: slot 0 = size; and its
 * inner map (-1: none). */
static uint32_t *tables[LBFIX_MAX_VIPS];
static int table_fds[LBFIX_MAX_VIPS];

static int map_fd(const struct bpf_map *m)
{
	return bpf_map__fd(m);
}

static int update(int fd, const void *key, const void *value)
{
	if (bpf_map_update_elem(fd, key, value, BPF_ANY)) {
		fprintf(stderr, "# lbfix: map update: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

const struct counters *lbfix_counters(void)
{
	return &counters;
}

struct ef_dp *lbfix_dp(void)
{
	return &dp;
}

int lbfix_prog_fd(void)
{
	return bpf_program__fd(skel->progs.evenflow_lb);
}

/*
 * The fixture's whole configuration committed through the library's
 * commit (ef_image_commit: the ids, gens and tables are the fixture's, the
 * map layout, VIP index and address filter the product's). Each write
 * commits anew, so the cases run on both generations in turn.
 */
static void commit_all(void)
{
	int fds[EF_MAX_VIPS];
	struct ef_image img;

	assert_int_equal(ef_image_alloc(&img), 0);
	for (uint32_t id = 0; id < EF_MAX_VIPS; id++)
		fds[id] = id < LBFIX_MAX_VIPS ? table_fds[id] : -1;
	for (uint32_t id = 1; id < LBFIX_MAX_VIPS; id++) {
		const struct lbfix_vip *v = &lbfix_vips[id];
		struct ef_vip_info *vi = &img.vips[id];
		struct ef_addr src;

		if (!v->addr)
			continue;
		vi->key.family = frame_addr(&vi->key.addr, v->addr);
		vi->key.port = htons(v->port);
		vi->key.proto = v->proto;
		vi->vip = (struct ef_vip){.id = id,
					  .forward = v->forward,
					  .table_size = v->table_size,
					  .table_slots = table_fds[id] >= 0 ? v->table_size : 0};
		if (v->no_echo)
			vi->vip.flags |= EF_VIP_F_NO_ECHO;
		if (v->src && frame_addr(&src, v->src) == EF_FAMILY_V4) {
			vi->vip.flags |= EF_VIP_F_SRC4;
			vi->vip.src4 = src.a32[0];
		} else if (v->src) {
			vi->vip.flags |= EF_VIP_F_SRC6;
			vi->vip.src6 = src;
		}
	}
	for (uint32_t id = 1; id < LBFIX_MAX_BACKENDS; id++) {
		const struct lbfix_backend *b = &lbfix_backends[id];
		struct ef_backend *be = &img.bes[id];

		if (!b->addr)
			continue;
		*be = (struct ef_backend){.vip_id = b->vip_id,
					  .gen = b->gen,
					  .weight = 1,
					  .state = b->state ? b->state : EF_BE_UP,
					  .admin = EF_BE_UP};
		be->family = frame_addr(&be->addr, b->addr);
		frame_addr(&be->src, b->src);
	}
	assert_int_equal(ef_image_commit(&dp, &img, fds), 0);
	ef_image_free(&img);
}

void lbfix_write_backend(uint32_t id)
{
	(void)id; /* the whole configuration goes, as a commit writes it */
	commit_all();
}

/* VIP vip_id's table from ids (0-terminated), as an inner map; not
 * committed. */
static void make_table(uint32_t vip_id, const uint32_t *ids)
{
	uint32_t size = lbfix_vips[vip_id].table_size, n = 0;
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_INNER_MAP | BPF_F_MMAPABLE);
	uint32_t *slots;
	int fd;

	while (n < LBFIX_VIP_BACKENDS && ids[n])
		n++;
	assert_true(size > 0 && n > 0);
	slots = calloc(size + 1, sizeof(*slots));
	assert_non_null(slots);
	/* Not a Maglev fill: any spread will do, the test only needs to know it. */
	slots[0] = size;
	for (uint32_t s = 1; s <= size; s++)
		slots[s] = ids[(s * 7 + s / 5) % n];

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "ef_test_table", 4, 4, size + 1, &opts);
	assert_true(fd >= 0);
	for (uint32_t s = 0; s <= size; s++)
		assert_int_equal(bpf_map_update_elem(fd, &s, &slots[s], BPF_ANY), 0);
	if (table_fds[vip_id] >= 0)
		close(table_fds[vip_id]);
	table_fds[vip_id] = fd;
	free(tables[vip_id]);
	tables[vip_id] = slots;
}

void lbfix_write_table(uint32_t vip_id, const uint32_t *ids)
{
	make_table(vip_id, ids);
	commit_all();
}

uint32_t lbfix_table_choice(uint32_t vip_id, const struct ef_flow_key *k)
{
	const uint32_t *slots = tables[vip_id];

	assert_non_null(slots);
	return slots[1 + ef_flow_hash(k) % slots[0]];
}

void lbfix_clear_conntrack(void)
{
	const struct bpf_map *m = skel->maps.evenflow_conntrack;
	struct ef_ct_bucket empty = {};

	for (__u32 i = 0; i < bpf_map__max_entries(m); i++)
		assert_int_equal(update(map_fd(m), &i, &empty), 0);
}

uint32_t lbfix_ct_buckets(void)
{
	return bpf_map__max_entries(skel->maps.evenflow_conntrack);
}

int lbfix_conntrack_entry(const struct ef_flow_key *k, uint64_t *entry)
{
	const struct bpf_map *m = skel->maps.evenflow_conntrack;
	struct ef_ct_bucket b;
	__u32 h, fp, index;

	ef_flow_hash2(k, &h, &fp);
	index = h & (bpf_map__max_entries(m) - 1);
	if (bpf_map_lookup_elem(map_fd(m), &index, &b))
		return -1;
	for (int w = 0; w < EF_CT_WAYS; w++) {
		if (ef_ct_is(b.way[w], fp)) {
			*entry = b.way[w];
			return 0;
		}
	}
	return -1;
}

int lbfix_conntrack(const struct ef_flow_key *k, uint32_t *backend, uint32_t *gen)
{
	uint64_t e;

	if (lbfix_conntrack_entry(k, &e))
		return -1;
	*backend = ef_ct_id(e);
	*gen = ef_ct_gen(e);
	return 0;
}

/* The kernel's jiffies, as the data plane reads them. */
static uint64_t jiffies(void)
{
	__u64 j = 0;

	assert_int_equal(ef_jiffies(&j), 0);
	return j;
}

void lbfix_plant_entry(const struct ef_flow_key *k, uint32_t backend, uint64_t flags, uint32_t age)
{
	const struct bpf_map *m = skel->maps.evenflow_conntrack;
	__u32 h, fp, index, shift, seen;
	struct ef_ct_bucket b;
	int way = 0;

	ef_flow_hash2(k, &h, &fp);
	index = h & (bpf_map__max_entries(m) - 1);
	assert_int_equal(bpf_map_lookup_elem(map_fd(m), &index, &b), 0);
	for (int w = 0; w < EF_CT_WAYS; w++)
		if (ef_ct_is(b.way[w], fp))
			way = w;
	shift = ef_ct_long(EF_CT_VALID | flags) ? EF_CT_SEEN_SHIFT_LONG : EF_CT_SEEN_SHIFT;
	seen = (uint32_t)((jiffies() >> shift) - age) & EF_CT_SEEN_MASK;
	b.way[way] = ef_ct_entry(fp, backend, lbfix_backends[backend].gen, flags, seen);
	assert_int_equal(update(map_fd(m), &index, &b), 0);
}

void lbfix_plant_conntrack(const struct ef_flow_key *k, uint32_t backend)
{
	const struct bpf_map *m = skel->maps.evenflow_conntrack;
	struct ef_ct_bucket b;
	__u32 h, fp, index;

	ef_flow_hash2(k, &h, &fp);
	index = h & (bpf_map__max_entries(m) - 1);
	assert_int_equal(bpf_map_lookup_elem(map_fd(m), &index, &b), 0);
	b.way[0] = 0;
	assert_int_equal(update(map_fd(m), &index, &b), 0);
	lbfix_plant_entry(k, backend, EF_CT_ESTAB, 0);
}

void lbfix_reset_reply_budget(void)
{
	int ncpu = libbpf_num_possible_cpus();
	struct ef_reply_budget b[ncpu];
	__u32 zero = 0;

	/* refilled from time 0: full at the next reply */
	memset(b, 0, sizeof(b));
	assert_int_equal(update(map_fd(skel->maps.evenflow_reply_budget), &zero, b), 0);
}

uint64_t lbfix_ct_stat(enum ef_ct_stat what)
{
	int ncpu = libbpf_num_possible_cpus();
	__u32 key = what;
	uint64_t v[ncpu], sum = 0;

	assert_int_equal(bpf_map_lookup_elem(map_fd(skel->maps.evenflow_ct_stats), &key, v), 0);
	for (int i = 0; i < ncpu; i++)
		sum += v[i];
	return sum;
}

static uint64_t traffic_packets(const struct bpf_map *m, uint32_t id)
{
	int ncpu = libbpf_num_possible_cpus();
	struct ef_traffic t[ncpu];
	uint64_t sum = 0;

	assert_int_equal(bpf_map_lookup_elem(map_fd(m), &id, t), 0);
	for (int i = 0; i < ncpu; i++)
		sum += t[i].packets;
	return sum;
}

uint64_t lbfix_vip_packets(uint32_t vip_id)
{
	return traffic_packets(skel->maps.evenflow_vip_stats, vip_id);
}

uint64_t lbfix_backend_packets(uint32_t id)
{
	return traffic_packets(skel->maps.evenflow_backend_stats, id);
}

/* The device table, written by the product's code from the topology's
 * devices, with VLAN LBFIX_VLAN configured on in0 (listed the way the
 * kernel lists a sub-interface: this kernel may have no 8021q to make one). */
static int write_devices(void)
{
	char path[] = "/tmp/efp-vlan-XXXXXX";
	int fd = mkstemp(path), err;
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!f) {
		fprintf(stderr, "# lbfix: cannot write a VLAN list\n");
		return -1;
	}
	fprintf(f,
		"VLAN Dev name    | VLAN ID\nName-Type: VLAN_NAME_TYPE_RAW_PLUS_VID_NO_PAD\n"
		"in0.%d      | %d  | in0\n",
		LBFIX_VLAN, LBFIX_VLAN);
	fclose(f);
	err = ef_device_table_write(map_fd(skel->maps.data_devices), path);
	unlink(path);
	return err ? -1 : 0;
}

/* Buckets of the fixture's connection table. */
#define LBFIX_CT_BUCKETS 1024

static int fast_path_on;

const char *lbfix_group(const char *base)
{
	static char name[64];

	snprintf(name, sizeof(name), "%s%s", base, fast_path_on ? "" : " (fast path off)");
	return name;
}

int lbfix_pin_globals(struct lb_bpf *lb, const char *dir)
{
	char filter[PATH_MAX], devices[PATH_MAX];

	snprintf(filter, sizeof(filter), "%s/evenflow_vip_filter", dir);
	snprintf(devices, sizeof(devices), "%s/evenflow_devices", dir);
	return bpf_map__set_pin_path(lb->maps.data_vip_filter, filter) ||
	       bpf_map__set_pin_path(lb->maps.data_devices, devices);
}

int lbfix_load(int fast_path)
{
	char pin_root[PATH_MAX / 2], prog[PATH_MAX];
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_root);

	snprintf(pin_root, sizeof(pin_root), "%s/lbfix", topo_pin_dir());
	snprintf(prog, sizeof(prog), "%s/" EF_PIN_LB_PROG, pin_root);
	if (mkdir(pin_root, 0700) && errno != EEXIST)
		return -1;
	skel = lb_bpf__open_opts(&opts);
	if (skel) {
		skel->rodata->ef_udp_idle_s = 1; /* the shortest, for the idle test */
		skel->rodata->ef_reply_rate = LBFIX_REPLY_RATE;
		/* a small table (as --conntrack-size sizes it), so that flows
		 * sharing a bucket are easy to find */
		skel->rodata->ef_ct_mask = LBFIX_CT_BUCKETS - 1;
		skel->rodata->ef_fast_path_on = fast_path_on = fast_path;
		bpf_map__set_max_entries(skel->maps.evenflow_conntrack, LBFIX_CT_BUCKETS);
	}
	if (!skel || lbfix_pin_globals(skel, pin_root) || lb_bpf__load(skel) ||
	    bpf_program__pin(skel->progs.evenflow_lb, prog) || ef_dp_open_existing(pin_root, &dp)) {
		fprintf(stderr, "# lbfix: cannot load lb.bpf.o and open it in %s\n", pin_root);
		return -1;
	}
	counters = (struct counters){
	    .map_fd = map_fd(skel->maps.evenflow_verdicts), .n = EF_V_MAX, .names = verdict_names};
	for (uint32_t id = 0; id < LBFIX_MAX_VIPS; id++) {
		table_fds[id] = -1;
		if (lbfix_vips[id].addr && lbfix_vips[id].table_size)
			make_table(id, lbfix_vips[id].backends);
	}
	commit_all();
	return write_devices();
}

void lbfix_unload(void)
{
	for (int i = 0; i < LBFIX_MAX_VIPS; i++) {
		free(tables[i]);
		tables[i] = NULL;
		if (table_fds[i] >= 0)
			close(table_fds[i]);
		table_fds[i] = -1;
	}
	/* the next load starts from fresh maps */
	ef_dp_unpin(&dp);
	ef_dp_close(&dp);
	lb_bpf__destroy(skel);
	skel = NULL;
}

void lbfix_expect_encap(struct pkt *out, const struct pkt *rx, const struct frame *f,
			uint32_t vip_id, uint32_t backend, const uint8_t dmac[6],
			const uint8_t smac[6])
{
	const struct lbfix_backend *b = &lbfix_backends[backend];
	const char *src = lbfix_vips[vip_id].src ? lbfix_vips[vip_id].src : b->src;
	int l3 = pb_off(rx, f->family == 4 ? PB_IPV4 : PB_IPV6, 0);
	uint8_t inner_proto = f->family == 4 ? IPPROTO_IPIP : IPPROTO_IPV6;
	struct ef_flow_key key;
	struct ef_addr a;
	size_t inner_len;

	pb_init(out);
	pb_eth(out, dmac, smac);
	if (frame_addr(&a, b->addr) == EF_FAMILY_V4) {
		struct pb_ip4 ip = {.src = src,
				    .dst = b->addr,
				    .tos = f->tos,
				    .ttl = 64,
				    .frag_off = f->family == 4 ? (f->frag & 0x4000) : 0};
		pb_ipv4(out, &ip);
	} else {
		struct pb_ip6 ip = {.src = src, .dst = b->addr, .tclass = f->tos, .hop_limit = 64};

		frame_key(&key, f);
		ip.flow_label = ef_flow_hash(&key) & 0xfffff;
		pb_ipv6(out, &ip);
	}
	inner_len = f->family == 4 ? (rx->data[l3 + 2] << 8 | rx->data[l3 + 3])
				   : 40 + (rx->data[l3 + 4] << 8 | rx->data[l3 + 5]);
	pb_raw(out, rx->data + l3, inner_len, 0, inner_proto);
	pb_finish(out);
	/* Bytes after the IP packet (Ethernet padding) stay, outside every length. */
	memcpy(out->data + out->len, rx->data + l3 + inner_len, rx->len - l3 - inner_len);
	out->len += rx->len - l3 - inner_len;
}

void lbfix_expect_icmp(struct pkt *out, const struct pkt *rx, const struct frame *f,
		       unsigned int mtu)
{
	int v4 = f->family == 4, l3 = pb_off(rx, v4 ? PB_IPV4 : PB_IPV6, 0), icmp;

	pb_init(out);
	pb_eth(out, rx->data + 6, rx->data);
	if (v4) {
		struct pb_ip4 ip = {.src = f->dst, .dst = f->src, .tos = 0xc0, .ttl = 64};

		pb_ipv4(out, &ip);
		pb_icmp(out, 3, 4); /* destination unreachable, fragmentation needed */
	} else {
		struct pb_ip6 ip = {.src = f->dst, .dst = f->src, .hop_limit = 64};

		pb_ipv6(out, &ip);
		pb_icmp(out, 2, 0); /* packet too big */
	}
	icmp = pb_off(out, PB_ICMP, 0);
	/* bytes 4..7: IPv4 unused + 16-bit MTU, IPv6 32-bit MTU (network order) */
	out->data[icmp + 4] = v4 ? 0 : mtu >> 24;
	out->data[icmp + 5] = v4 ? 0 : mtu >> 16;
	out->data[icmp + 6] = mtu >> 8;
	out->data[icmp + 7] = mtu;
	/* the longest IPv4 header and 8 bytes; IPv6: its header and 8 bytes */
	pb_raw(out, rx->data + l3, v4 ? 68 : 48, 0, 0);
	pb_finish(out);
}

void lbfix_expect_echo(struct pkt *out, const struct pkt *rx, const struct frame *f)
{
	struct frame r = *f;

	r.src = f->dst;
	r.dst = f->src;
	r.icmp_type = f->family == 4 ? 8 : 129;
	frame_build(out, &r, rx->data + 6);
	memcpy(out->data + 6, rx->data, 6);
	if (f->family == 4) {
		/* echo reply is type 0, which frame_build takes for "echo request" */
		int icmp = pb_off(out, PB_ICMP, 0);

		out->data[icmp] = 0;
		pb_set16(out, icmp + 2, 0);
		pb_set16(out, icmp + 2, pb_csum(out->data + icmp, out->len - icmp, 0));
	}
}

void lbfix_expect_l2(struct pkt *out, const struct pkt *rx, const uint8_t dmac[6],
		     const uint8_t smac[6])
{
	*out = *rx;
	memcpy(out->data, dmac, 6);
	memcpy(out->data + 6, smac, 6);
}
