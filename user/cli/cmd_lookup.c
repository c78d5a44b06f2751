// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cmd_lookup.c: evenflow lookup VIP CLIENT [--dport P]: the backend a flow
 * from CLIENT takes, and why, computed as the data plane computes it
 * (bpf/lib/select.h) from the active configuration generation.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "core/live.h"
#include "core/model.h"
#include "dp/lb.h"
#include "dp/pindir.h"
#include "lib/ct_entry.h"
#include "lib/hash.h"
#include "util/addr.h"
#include "util/log.h"

/* One backend's address, id and state (lookup). */
static void print_backend(struct ef_dp *dp, __u32 id)
{
	struct ef_backend b = {};
	char a[EF_ADDR_STRLEN];

	if (id < EF_MAX_BACKENDS && !ef_backend_read(dp, id, &b))
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
	__u32 *table = NULL, m = 0, hash, fp, slot = 0;
	__u64 entry;
	const char *why, *stale = NULL;
	struct ef_dp dp;
	int ct_id = -1;
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
		bool found = id < EF_MAX_BACKENDS && !ef_backend_read(&dp, id, &b);
		bool live = found && ef_ct_gen_ok(entry, b.gen) && b.vip_id == vip.id &&
			    (b.state == EF_BE_UP || b.state == EF_BE_DRAIN);

		out_bool("exists", "conntrack entry: %s,", true);
		print_backend(&dp, id);
		out_bool("live", ", in use: %s", live);
		out_text("%s\n", live ? "" : " (stale: will be hashed again)");
		ct_id = live ? (int)id : -1;
		if (!found || b.state == EF_BE_FREE)
			stale = "its backend was removed";
		else if (!ef_ct_gen_ok(entry, b.gen) || b.vip_id != vip.id)
			stale = "its backend id was given to another backend since";
		else if (!live)
			stale = "its backend is down";
	} else {
		out_bool("exists", "conntrack entry: %s\n", false);
	}
	out_obj_close();

	/* Which one a packet of this flow takes, and why (bpf/lib/select.h). */
	out_obj_open("chosen");
	if (ct_id >= 0) {
		out_str("by", "decision: %s ->", "conntrack");
		print_backend(&dp, (__u32)ct_id);
		out_str("why", "\n  %s\n",
			"the flow has a live connection entry: its packets stay on that backend "
			"(a TCP SYN starts a new connection and takes the table's choice instead)");
	} else if (m) {
		char because[160];

		snprintf(because, sizeof(because), "%s: the table's choice, slot %u = hash %% %u",
			 stale ? stale : "no connection entry", slot, m);
		out_str("by", "decision: %s ->", "table");
		print_backend(&dp, table[slot]);
		out_str("why", "\n  %s\n", because);
	} else {
		out_str("by", "decision: %s", "none");
		out_str("why", ": %s\n",
			"no live connection entry and no backend up: the packet is dropped "
			"(drop_no_backend)");
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
