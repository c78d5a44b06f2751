// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cmd_stats.c: evenflow stats|lookup. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "addr.h"
#include "backends.h"
#include "cli.h"
#include "dataplane.h"
#include "lib/ct_entry.h"
#include "lib/hash.h"
#include "log.h"
#include "output.h"
#include "vips.h"

#define EF_VERDICT_NAME(name, str, desc) str,
static const char *const verdict_names[EF_V_MAX] = {EF_VERDICT_LIST(EF_VERDICT_NAME)};
#undef EF_VERDICT_NAME

static void print_traffic(const __u64 t[3])
{
	out_u64("packets", " %14llu", t[0]);
	out_u64("bytes", " %16llu", t[1]);
	out_u64("new_flows", " %12llu", t[2]);
}

int cmd_stats(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv)
{
	struct ef_backend *all = NULL;
	struct ef_vip_entry *v = NULL;
	__u64 t[3];
	size_t n = 0, i;
	struct ef_dp dp;
	__u32 k;
	int c, err;

	ef_getopt_reset();
	while ((c = ef_getopt(cmd, argc, argv)) != -1) {
		if (c != 'h')
			return -EINVAL;
		ef_cmd_usage(cmd, NULL);
		return 0;
	}
	if (ef_nargs(cmd, argc, argv, 0, 0))
		return -EINVAL;
	err = ef_dp_open(ef_pin_dir(ctx->pin_dir), NULL, &dp);
	if (err)
		return err;
	err = ef_vip_list(&dp, &v, &n);
	if (!err)
		err = ef_backends_read(&dp, &all);
	if (err)
		goto out;

	out_text("verdicts:\n");
	out_obj_open("verdicts");
	for (k = 0; k < EF_V_MAX; k++) {
		__u64 cnt = 0;

		ef_percpu_sum(dp.verdicts, k, dp.ncpus, 1, &cnt);
		out_text("  %-20s", verdict_names[k]);
		out_u64(verdict_names[k], " %14llu\n", cnt);
	}
	out_obj_close();

	out_text("%-30s %14s %16s %12s\n", "vip", "packets", "bytes", "new flows");
	out_arr_open("vips");
	for (i = 0; i < n; i++) {
		char s[EF_VIP_STRLEN];

		if (ef_percpu_sum(dp.vip_stats, v[i].vip.id, dp.ncpus, 3, t))
			continue;
		out_obj_open(NULL);
		out_str("vip", "%-30s", ef_vip_str(&v[i].key, s, sizeof(s)));
		print_traffic(t);
		out_obj_close();
		out_text("\n");
	}
	out_arr_close();

	out_text("%-30s %-24s %-7s %14s %16s %12s\n", "vip", "backend", "state", "packets", "bytes",
		 "new flows");
	out_arr_open("backends");
	for (i = 0; i < n; i++) {
		char s[EF_VIP_STRLEN], a[EF_ADDR_STRLEN];

		ef_vip_str(&v[i].key, s, sizeof(s));
		for (k = 0; k < EF_MAX_BACKENDS; k++) {
			const struct ef_backend *b = &all[k];

			if (b->vip_id != v[i].vip.id || b->state == EF_BE_FREE)
				continue;
			if (ef_percpu_sum(dp.backend_stats, k, dp.ncpus, 3, t))
				continue;
			out_obj_open(NULL);
			out_str("vip", "%-30s", s);
			out_str("addr", " %-24s", ef_addr_str(&b->addr, b->family, a, sizeof(a)));
			out_u64("id", NULL, k);
			out_str("state", " %-7s", ef_state_str(b->state));
			print_traffic(t);
			out_obj_close();
			out_text("\n");
		}
	}
	out_arr_close();
out:
	free(all);
	free(v);
	ef_dp_close(&dp);
	return err;
}

/* One backend's address, id and state (lookup). */
static void print_backend(struct ef_dp *dp, __u32 id)
{
	struct ef_backend b = {};
	char a[EF_ADDR_STRLEN];

	if (id < EF_MAX_BACKENDS && !bpf_map_lookup_elem(dp->backends, &id, &b))
		out_str("backend", " backend %s", ef_addr_str(&b.addr, b.family, a, sizeof(a)));
	out_u64("backend_id", " (id %llu", id);
	out_str("backend_state", ", %s)", ef_state_str(b.state));
}

/* The connection entry of the flow with this hash and fingerprint: 0, or
 * -ENOENT. Same bucket and way rules as bpf/lib/select.h. */
static int conntrack_find(const struct ef_dp *dp, __u32 hash, __u32 fp, __u64 *entry)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), index;
	struct ef_ct_bucket b;

	if (bpf_obj_get_info_by_fd(dp->conntrack, &info, &len) || !info.max_entries)
		return -ENOENT;
	index = hash & (info.max_entries - 1);
	if (bpf_map_lookup_elem(dp->conntrack, &index, &b))
		return -ENOENT;
	for (int w = 0; w < EF_CT_WAYS; w++) {
		if (ef_ct_is(b.way[w], fp)) {
			*entry = b.way[w];
			return 0;
		}
	}
	return -ENOENT;
}

int cmd_lookup(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv)
{
	struct ef_flow_key fk = {};
	struct ef_vip_key key;
	struct ef_addr caddr;
	struct ef_vip vip;
	__u32 *table = NULL, m = 0, hash, fp, slot;
	__u64 entry;
	const char *why;
	struct ef_dp dp;
	__u16 cport;
	__u8 cfam;
	int c, err;
	unsigned dport = 0;
	bool has_dport = false;

	ef_getopt_reset();
	while ((c = ef_getopt(cmd, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			ef_cmd_usage(cmd, NULL);
			return 0;
		case 'd':
			if (ef_arg_u32("--dport", optarg, 1, 65535, &dport))
				return -EINVAL;
			has_dport = true;
			break;
		default:
			return -EINVAL;
		}
	}
	if (ef_nargs(cmd, argc, argv, 2, 2) || ef_arg_vip(argv[optind], &key))
		return -EINVAL;
	if (ef_endpoint_parse(argv[optind + 1], &caddr, &cfam, &cport, &why))
		return ef_usage("client %s: %s", argv[optind + 1], why);
	if (cfam != key.family)
		return ef_usage("client %s: not of the VIP's address family", argv[optind + 1]);
	if (key.port && has_dport && dport != ntohs(key.port))
		return ef_usage("--dport %u: the VIP's port is %u", dport, ntohs(key.port));
	if (!key.port && !has_dport)
		return ef_usage("vip %s: takes every port: say which with --dport P", argv[optind]);

	err = ef_dp_open(ef_pin_dir(ctx->pin_dir), NULL, &dp);
	if (err)
		return err;
	err = ef_vip_get(&dp, &key, &vip);
	if (err)
		goto out;
	err = ef_table_read(&dp, vip.id, &table, &m);
	if (err && err != -ENOENT)
		goto out;
	err = 0;

	/* the flow as the data plane sees the client's first packet */
	fk.src = caddr;
	fk.dst = key.addr;
	fk.sport = htons(cport);
	fk.dport = key.port ? key.port : htons((__u16)dport);
	fk.proto = key.proto;
	fk.family = key.family;
	ef_flow_hash2(&fk, &hash, &fp);

	out_str("vip", "vip %s", argv[optind]);
	out_str("client", " client %s\n", argv[optind + 1]);
	out_u64("hash", "hash %#llx", hash);
	if (m) {
		slot = hash % m;
		out_u64("slot", " slot %llu", slot);
		out_u64("table_size", " of %llu ->", m);
		print_backend(&dp, table[slot]);
		out_text("\n");
	} else {
		out_text(" -> no backend up (new flows are dropped)\n");
	}
	out_obj_open("conntrack");
	if (!conntrack_find(&dp, hash, fp, &entry)) {
		struct ef_backend b = {};
		__u32 id = ef_ct_id(entry);
		bool live = id < EF_MAX_BACKENDS && !bpf_map_lookup_elem(dp.backends, &id, &b) &&
			    ef_ct_gen_ok(entry, b.gen) && b.vip_id == vip.id &&
			    (b.state == EF_BE_UP || b.state == EF_BE_DRAIN);

		out_bool("exists", "conntrack entry: %s,", true);
		print_backend(&dp, id);
		out_bool("live", ", in use: %s", live);
		out_text("%s\n", live ? "" : " (stale: will be hashed again)");
	} else {
		out_bool("exists", "conntrack entry: %s\n", false);
	}
	out_obj_close();
out:
	free(table);
	ef_dp_close(&dp);
	return err;
}

const struct option ef_lookup_opts[] = {
    {"dport", required_argument, NULL, 'd'},
    {NULL, 0, NULL, 0},
};
