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

/* lookup's arguments. */
struct lookup_args {
	struct ef_vip_key key;
	struct ef_arg_endpoint client;
	unsigned dport; /* 0: not given */
};

static const struct ef_opt lookup_opts[] = {
    {NULL, "VIP", EF_OPT_VIP, offsetof(struct lookup_args, key), .help = "the VIP"},
    {NULL, "CLIENT", EF_OPT_ENDPOINT, offsetof(struct lookup_args, client),
     .help = "the client's ADDR:PORT ([ADDR]:PORT for IPv6)"},
    {"dport", "P", EF_OPT_U32, offsetof(struct lookup_args, dport), 1, 65535,
     .help = "the destination port, for a VIP of every port"},
    EF_OPT_END,
};

static const struct lookup_args lookup_defaults;
const struct ef_opt_set ef_lookup_args = EF_OPT_SET(lookup_opts, lookup_defaults);

/* What the connection table says of the flow: the live entry's backend id
 * (-1: none) and, for an entry that is not live, why. */
static int print_conntrack(struct ef_dp *dp, const struct ef_vip *vip, __u32 hash, __u32 fp,
			   const char **stale)
{
	struct ef_backend b = {};
	bool found, live;
	__u64 entry;
	__u32 id;

	out_obj_open("conntrack");
	if (conntrack_find(dp, hash, fp, &entry)) {
		out_bool("exists", "conntrack entry: %s\n", false);
		out_obj_close();
		return -1;
	}
	id = ef_ct_id(entry);
	found = id < EF_MAX_BACKENDS && !ef_backend_read(dp, id, &b);
	live = found && ef_ct_gen_ok(entry, b.gen) && b.vip_id == vip->id &&
	       (b.state == EF_BE_UP || b.state == EF_BE_DRAIN);
	out_bool("exists", "conntrack entry: %s,", true);
	print_backend(dp, id);
	out_bool("live", ", in use: %s", live);
	out_text("%s\n", live ? "" : " (stale: will be hashed again)");
	if (!found || b.state == EF_BE_FREE)
		*stale = "its backend was removed";
	else if (!ef_ct_gen_ok(entry, b.gen) || b.vip_id != vip->id)
		*stale = "its backend id was given to another backend since";
	else if (!live)
		*stale = "its backend is down";
	out_obj_close();
	return live ? (int)id : -1;
}

/* Which backend a packet of this flow takes, and why (bpf/lib/select.h). */
static void print_decision(struct ef_dp *dp, int ct_id, const char *stale, const __u32 *table,
			   __u32 m, __u32 slot)
{
	char because[160];

	out_obj_open("chosen");
	if (ct_id >= 0) {
		out_str("by", "decision: %s ->", "conntrack");
		print_backend(dp, (__u32)ct_id);
		out_str("why", "\n  %s\n",
			"the flow has a live connection entry: its packets stay on that backend "
			"(a TCP SYN starts a new connection and takes the table's choice instead)");
	} else if (m) {
		snprintf(because, sizeof(because), "%s: the table's choice, slot %u = hash %% %u",
			 stale ? stale : "no connection entry", slot, m);
		out_str("by", "decision: %s ->", "table");
		print_backend(dp, table[slot]);
		out_str("why", "\n  %s\n", because);
	} else {
		out_str("by", "decision: %s", "none");
		out_str("why", ": %s\n",
			"no live connection entry and no backend up: the packet is dropped "
			"(drop_no_backend)");
	}
	out_obj_close();
}

static int check_args(const struct lookup_args *a)
{
	char v[EF_VIP_STRLEN];

	if (a->client.family != a->key.family)
		return ef_usage("lookup: client: not of the VIP's address family");
	if (a->key.port && a->dport && a->dport != ntohs(a->key.port))
		return ef_usage("lookup: --dport %u: the VIP's port is %u", a->dport,
				ntohs(a->key.port));
	if (!a->key.port && !a->dport)
		return ef_usage("lookup: vip %s takes every port: say which with --dport P",
				ef_vip_str(&a->key, v, sizeof(v)));
	return 0;
}

int cmd_lookup(const struct ef_ctx *ctx, const void *args)
{
	const struct lookup_args *a = args;
	const char *stale = NULL;
	struct ef_flow_key fk = {};
	char vs[EF_VIP_STRLEN], ca[EF_ADDR_STRLEN], cs[EF_VIP_STRLEN];
	__u32 *table = NULL, m = 0, hash, fp, slot = 0;
	struct ef_vip vip;
	struct ef_dp dp;
	int err;

	if (check_args(a))
		return -EINVAL;
	err = ef_dp_open(ef_pin_dir(ctx->pin_dir), NULL, &dp);
	if (err)
		return err;
	err = ef_vip_get(&dp, &a->key, &vip);
	if (!err)
		err = ef_table_read(&dp, vip.id, &table, &m);
	if (err && err != -ENOENT)
		goto out;
	err = 0;

	/* the flow as the data plane sees the client's first packet */
	fk.src = a->client.addr;
	fk.dst = a->key.addr;
	fk.sport = htons(a->client.port);
	fk.dport = a->key.port ? a->key.port : htons((__u16)a->dport);
	fk.proto = a->key.proto;
	fk.family = a->key.family;
	ef_flow_hash2(&fk, &hash, &fp);

	out_str("vip", "vip %s", ef_vip_str(&a->key, vs, sizeof(vs)));
	ef_addr_str(&a->client.addr, a->client.family, ca, sizeof(ca));
	snprintf(cs, sizeof(cs), a->client.family == EF_FAMILY_V6 ? "[%s]:%u" : "%s:%u", ca,
		 a->client.port);
	out_str("client", " client %s\n", cs);
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
	print_decision(&dp, print_conntrack(&dp, &vip, hash, fp, &stale), stale, table, m, slot);
out:
	free(table);
	ef_dp_close(&dp);
	return err;
}
