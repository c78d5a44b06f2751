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
#include "core/lookup.h"
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

/* What the connection table says of the flow. */
static void print_conntrack(struct ef_dp *dp, const struct ef_lookup *l)
{
	out_obj_open("conntrack");
	out_bool("exists", "conntrack entry: %s", l->ct_exists);
	if (l->ct_exists) {
		out_text(",");
		print_backend(dp, l->ct_backend);
		out_str("state", ", %s", l->ct_state);
		out_bool("live", ", in use: %s", l->ct_live);
		out_text("%s", l->ct_live ? "" : " (stale: will be hashed again)");
	}
	out_text("\n");
	out_obj_close();
}

/* Which backend a packet of this flow takes, and why (bpf/lib/select.h). */
static void print_decision(struct ef_dp *dp, const struct ef_lookup *l)
{
	char because[160];

	out_obj_open("chosen");
	if (l->by == EF_BY_CONNTRACK) {
		out_str("by", "decision: %s ->", "conntrack");
		print_backend(dp, l->chosen);
		out_str("why", "\n  %s\n",
			"the flow has a live connection entry: its packets stay on that backend "
			"(a TCP SYN starts a new connection and takes the table's choice instead)");
	} else if (l->by == EF_BY_TABLE) {
		snprintf(because, sizeof(because), "%s: the table's choice, slot %u = hash %% %u",
			 l->stale ? l->stale : "no connection entry", l->slot, l->table_size);
		out_str("by", "decision: %s ->", "table");
		print_backend(dp, l->chosen);
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
	char vs[EF_VIP_STRLEN], ca[EF_ADDR_STRLEN], cs[EF_VIP_STRLEN];
	struct ef_flow_key fk = {};
	struct ef_lookup l;
	struct ef_vip vip;
	struct ef_dp dp;
	int err;

	if (check_args(a))
		return -EINVAL;
	err = ef_dp_open_loaded(ef_pin_dir(ctx->pin_dir), &dp);
	if (err)
		return err;
	/* the flow as the data plane sees the client's first packet */
	fk.src = a->client.addr;
	fk.dst = a->key.addr;
	fk.sport = htons(a->client.port);
	fk.dport = a->key.port ? a->key.port : htons((__u16)a->dport);
	fk.proto = a->key.proto;
	fk.family = a->key.family;
	err = ef_vip_get(&dp, &a->key, &vip);
	if (!err)
		err = ef_lookup(&dp, &vip, &fk, &l);
	if (err)
		goto out;
	out_str("vip", "vip %s", ef_vip_str(&a->key, vs, sizeof(vs)));
	ef_addr_str(&a->client.addr, a->client.family, ca, sizeof(ca));
	snprintf(cs, sizeof(cs), a->client.family == EF_FAMILY_V6 ? "[%s]:%u" : "%s:%u", ca,
		 a->client.port);
	out_str("client", " client %s\n", cs);
	out_u64("hash", "hash %#llx", l.hash);
	if (l.table_size) {
		out_u64("slot", " slot %llu", l.slot);
		out_u64("table_size", " of %llu ->", l.table_size);
		print_backend(&dp, l.table_backend);
		out_text("\n");
	} else {
		out_text(" -> no backend up (new flows are dropped)\n");
	}
	print_conntrack(&dp, &l);
	print_decision(&dp, &l);
out:
	ef_dp_close(&dp);
	return err;
}
