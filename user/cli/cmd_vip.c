// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cmd_vip.c: evenflow vip add|del|list|show. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "core/edit.h"
#include "core/fingerprint.h"
#include "core/live.h"
#include "core/maglev.h"
#include "core/model.h"
#include "dp/lb.h"
#include "dp/pindir.h"
#include "util/addr.h"
#include "util/log.h"

/* vip add's arguments. */
struct vip_add_args {
	struct ef_vip_key key;
	struct ef_vip vip; /* forward, table size, sources */
	int forward, echo;
};

/* --src ADDR, once per family: the outer source of that family. */
static int parse_src(const struct ef_opt *o, const char *arg, void *field)
{
	struct ef_vip *vip = field;
	struct ef_addr src;
	const char *why;
	__u8 fam;

	if (ef_addr_parse(arg, &src, &fam, &why))
		return ef_usage("vip add: --%s %s: %s", o->name, arg, why);
	if (vip->flags & (fam == EF_FAMILY_V4 ? EF_VIP_F_SRC4 : EF_VIP_F_SRC6))
		return ef_usage("vip add: --%s %s: an IPv%c source is already set", o->name, arg,
				fam == EF_FAMILY_V4 ? '4' : '6');
	if (fam == EF_FAMILY_V4) {
		vip->flags |= EF_VIP_F_SRC4;
		vip->src4 = src.a32[0];
	} else {
		vip->flags |= EF_VIP_F_SRC6;
		vip->src6 = src;
	}
	return 0;
}

static int parse_table_size(const struct ef_opt *o, const char *arg, void *field)
{
	__u32 v;

	if (ef_parse_u32(arg, EF_MIN_TABLE_SIZE, EF_MAX_TABLE_SIZE, &v) || !ef_is_prime(v))
		return ef_usage("vip add: --%s %s: must be a prime number in %u..%u", o->name, arg,
				EF_MIN_TABLE_SIZE, EF_MAX_TABLE_SIZE);
	*(__u32 *)field = v;
	return 0;
}

static const struct ef_choice on_off[] = {
    {"on", 1},
    {"off", 0},
    {NULL, 0},
};

static const struct ef_choice forward_choices[] = {
    {"ipip", EF_FWD_IPIP},
    {"l2", EF_FWD_L2},
    {NULL, 0},
};

static const struct ef_opt vip_add_opts[] = {
    {NULL, "VIP", EF_OPT_VIP, offsetof(struct vip_add_args, key),
     .help = "ADDR:PORT/tcp|udp or [IPv6]:PORT/...; port 0 takes every port"},
    {"forward", "ipip|l2", EF_OPT_CHOICE, offsetof(struct vip_add_args, forward),
     .choices = forward_choices,
     .help = "encapsulate toward the backend, or rewrite the destination MAC only"},
    {"table-size", "N", EF_OPT_CUSTOM, offsetof(struct vip_add_args, vip.table_size),
     .parse = parse_table_size,
     .help = "Maglev table slots, a prime (default: 65537 or more, 100 per backend)"},
    {"src", "ADDR", EF_OPT_CUSTOM, offsetof(struct vip_add_args, vip), .parse = parse_src,
     .help = "outer source address of ipip packets, once per family (default: the route's)"},
    {"echo", "on|off", EF_OPT_CHOICE, offsetof(struct vip_add_args, echo), .choices = on_off,
     .help = "answer ICMP echo to its address in the data plane"},
    EF_OPT_END,
};

static const struct vip_add_args vip_add_defaults = {.forward = EF_FWD_IPIP, .echo = 1};
static const struct ef_opt_set vip_add_args = EF_OPT_SET(vip_add_opts, vip_add_defaults);

static int vip_add(const struct ef_ctx *ctx, const void *args)
{
	const struct vip_add_args *a = args;
	struct ef_vip vip = a->vip;
	struct ef_dp dp;
	int err;

	vip.forward = (__u8)a->forward;
	if (!a->echo)
		vip.flags |= EF_VIP_F_NO_ECHO;
	if (vip.forward == EF_FWD_L2 && (vip.flags & EF_VIP_F_SRC))
		return ef_usage(
		    "vip add: --src: l2 forwarding does not encapsulate, it has no outer source");
	if (a->key.family == EF_FAMILY_V6 && (vip.flags & EF_VIP_F_SRC4))
		return ef_usage("vip add: --src: an IPv6 VIP has IPv6 backends only, an IPv4 "
				"source is of no use");
	err = ef_dp_open(ef_pin_dir(ctx->pin_dir), NULL, &dp);
	if (err)
		return err;
	err = ef_vip_add(&dp, &a->key, &vip);
	ef_dp_close(&dp);
	return err;
}

/* The arguments of the commands that name one VIP. */
struct vip_args {
	struct ef_vip_key key;
	bool table, force;
};

static const struct ef_opt vip_del_opts[] = {
    {NULL, "VIP", EF_OPT_VIP, offsetof(struct vip_args, key), .help = "the VIP"},
    {"force", NULL, EF_OPT_FLAG, offsetof(struct vip_args, force),
     .help = "apply it even if the safety check refuses it (README)"},
    EF_OPT_END,
};

static const struct vip_args vip_defaults;
static const struct ef_opt_set vip_del_args = EF_OPT_SET(vip_del_opts, vip_defaults);

static int vip_del(const struct ef_ctx *ctx, const void *args)
{
	const struct vip_args *a = args;
	struct ef_safety lim;
	struct ef_dp dp;
	int err;

	err = ef_dp_open_loaded(ef_pin_dir(ctx->pin_dir), &dp);
	if (err)
		return err;
	ef_safety_default(&lim);
	err = ef_vip_del(&dp, &a->key, a->force ? NULL : &lim);
	ef_dp_close(&dp);
	return err;
}

/* The settings and backend counts of one VIP (list and show). */
static void print_vip(const struct ef_vip_key *key, const struct ef_vip *vip,
		      const struct ef_backend *all, __u32 live_size)
{
	char s[EF_VIP_STRLEN], a[EF_ADDR_STRLEN];
	size_t n = ef_backend_count(all, vip->id), up = 0, id;

	for (id = 0; id < EF_MAX_BACKENDS; id++)
		if (all[id].vip_id == vip->id && all[id].state == EF_BE_UP)
			up++;
	out_str("vip", "%-28s", ef_vip_str(key, s, sizeof(s)));
	out_u64("id", " id %-4llu", vip->id);
	out_str("forward", " forward %-4s", ef_forward_str(vip->forward));
	out_u64("table_size", " table %-7llu", live_size ? live_size : ef_vip_table_size(vip, n));
	out_bool("table_size_set", NULL, vip->table_size != 0);
	out_u64("n_backends", " backends %llu", n);
	out_u64("n_up", " (%llu up)", up);
	out_bool("fail_open", NULL, vip->flags & EF_VIP_F_FAIL_OPEN);
	out_bool("echo", NULL, !(vip->flags & EF_VIP_F_NO_ECHO));
	if (vip->flags & EF_VIP_F_NO_ECHO)
		out_text(" echo off");
	if (vip->flags & EF_VIP_F_FAIL_OPEN)
		out_text(" FAIL OPEN (every backend up fails its checks)");
	if (vip->flags & EF_VIP_F_SRC4) {
		struct ef_addr src = {.a32 = {vip->src4}};

		out_str("src4", " src %s", ef_addr_str(&src, EF_FAMILY_V4, a, sizeof(a)));
	}
	if (vip->flags & EF_VIP_F_SRC6)
		out_str("src6", " src %s", ef_addr_str(&vip->src6, EF_FAMILY_V6, a, sizeof(a)));
}

/* The VIP's fingerprint in the running configuration c (core/fingerprint.h):
 * what sibling load balancers compare. */
static void print_fingerprint(const struct ef_conf *c, const struct ef_vip_key *key,
			      const char *fmt)
{
	const struct ef_conf_vip *v = ef_conf_find_vip(c, key);
	char fp[EF_FINGERPRINT_STRLEN];

	if (v)
		out_str("fingerprint", fmt,
			ef_fingerprint_str(ef_fingerprint_vip(v), fp, sizeof(fp)));
}

static int vip_list(const struct ef_ctx *ctx, const void *args)
{
	struct ef_listing l;
	struct ef_conf c;
	size_t i;
	int err;

	(void)args;
	err = ef_listing_open(ef_pin_dir(ctx->pin_dir), NULL, &l);
	if (err)
		return err;
	err = ef_conf_read(&l.dp, &c);
	if (err) {
		ef_listing_close(&l);
		return err;
	}
	out_arr_open("vips");
	for (i = 0; i < l.n_vips; i++) {
		__u32 *table = NULL, m = 0;

		ef_table_read(&l.dp, l.vips[i].vip.id, &table, &m);
		free(table);
		out_obj_open(NULL);
		print_vip(&l.vips[i].key, &l.vips[i].vip, l.backends, m);
		print_fingerprint(&c, &l.vips[i].key, " fingerprint %s");
		out_obj_close();
		out_text("\n");
	}
	out_arr_close();
	ef_conf_free(&c);
	ef_listing_close(&l);
	return 0;
}

/*
 * A digest of the table as backend addresses (FNV-1a over family and address
 * of every slot): equal on every LB with the same VIP configuration,
 * whatever ids the backends got there.
 */
static __u64 table_digest(const __u32 *table, __u32 m, const struct ef_backend *all)
{
	__u64 h = 0xcbf29ce484222325ULL;
	__u32 i, j;

	for (i = 0; i < m; i++) {
		struct ef_backend none = {};
		const struct ef_backend *b = table[i] < EF_MAX_BACKENDS ? &all[table[i]] : &none;

		h = (h ^ b->family) * 0x100000001b3ULL;
		for (j = 0; j < sizeof(b->addr.a8); j++)
			h = (h ^ b->addr.a8[j]) * 0x100000001b3ULL;
	}
	return h;
}

static void print_table(const __u32 *table, __u32 m, const struct ef_backend *all)
{
	char a[EF_ADDR_STRLEN];
	__u32 i;

	out_text("  %-8s %s\n", "slot", "backend");
	out_arr_open("table");
	for (i = 0; i < m; i++) {
		const struct ef_backend *b = table[i] < EF_MAX_BACKENDS ? &all[table[i]] : NULL;

		out_text("  %-8u", i);
		out_str(NULL, " %s\n", b ? ef_addr_str(&b->addr, b->family, a, sizeof(a)) : "-");
	}
	out_arr_close();
}

/* Per backend of VIP vip_id: weight, state, slots held and shares. */
static int print_show_backends(const struct ef_backend *all, __u32 vip_id, const __u32 *table,
			       __u32 m)
{
	__u32 *slots = calloc(EF_MAX_BACKENDS, sizeof(*slots)), i;
	__u64 wsum = 0;

	if (!slots)
		return ef_err(-ENOMEM, "out of memory");
	for (i = 0; i < m; i++)
		if (table[i] < EF_MAX_BACKENDS)
			slots[table[i]]++;
	for (i = 0; i < EF_MAX_BACKENDS; i++)
		if (all[i].vip_id == vip_id && all[i].state == EF_BE_UP)
			wsum += all[i].weight;
	out_text("  %-6s %-40s %6s %-7s %8s %8s %8s\n", "id", "backend", "weight", "state", "slots",
		 "share", "weight%");
	out_arr_open("backends");
	for (i = 0; i < EF_MAX_BACKENDS; i++) {
		const struct ef_backend *b = &all[i];
		char a[EF_ADDR_STRLEN];

		if (b->vip_id != vip_id || b->state == EF_BE_FREE)
			continue;
		out_obj_open(NULL);
		out_u64("id", "  %-6llu", i);
		out_str("addr", " %-40s", ef_addr_str(&b->addr, b->family, a, sizeof(a)));
		out_u64("weight", " %6llu", b->weight);
		out_str("state", " %-7s", ef_state_str(b->state));
		out_u64("slots", " %8llu", slots[i]);
		out_share("share", " %7.3f%%", m ? (double)slots[i] / m : 0.0);
		out_share("weight_share", " %7.3f%%",
			  b->state == EF_BE_UP && wsum ? b->weight / (double)wsum : 0.0);
		out_obj_close();
		out_text("\n");
	}
	out_arr_close();
	free(slots);
	return 0;
}

static const struct ef_opt vip_show_opts[] = {
    {NULL, "VIP", EF_OPT_VIP, offsetof(struct vip_args, key), .help = "the VIP"},
    {"table", NULL, EF_OPT_FLAG, offsetof(struct vip_args, table),
     .help = "also list every slot's backend"},
    EF_OPT_END,
};

static const struct ef_opt_set vip_show_args = EF_OPT_SET(vip_show_opts, vip_defaults);

static int vip_show(const struct ef_ctx *ctx, const void *args)
{
	const struct vip_args *a = args;
	struct ef_backend *all = NULL;
	__u32 *table = NULL, m = 0;
	struct ef_conf c = {};
	struct ef_vip vip;
	struct ef_dp dp;
	char d[24];
	int err;

	err = ef_dp_open_loaded(ef_pin_dir(ctx->pin_dir), &dp);
	if (err)
		return err;
	err = ef_vip_get(&dp, &a->key, &vip);
	if (!err)
		err = ef_conf_read(&dp, &c);
	if (!err)
		err = ef_backends_read(&dp, &all);
	if (!err) {
		err = ef_table_read(&dp, vip.id, &table, &m);
		if (err == -ENOENT)
			err = 0; /* no backend up */
	}
	if (err)
		goto out;
	out_obj_open("vip");
	print_vip(&a->key, &vip, all, m);
	out_text("\n");
	snprintf(d, sizeof(d), "%016llx", (unsigned long long)table_digest(table, m, all));
	out_str("table_digest", "  table digest %s\n", m ? d : "-");
	out_u64("table_map_id", "  table map id %llu\n", ef_table_map_id(&dp, vip.id));
	print_fingerprint(&c, &a->key, "  fingerprint %s\n");
	err = print_show_backends(all, vip.id, table, m);
	if (!err && a->table)
		print_table(table, m, all);
	out_obj_close();
out:
	ef_conf_free(&c);
	free(table);
	free(all);
	ef_dp_close(&dp);
	return err;
}

const struct ef_cmd ef_vip_cmds[] = {
    {.name = "add", .run = vip_add, .args = &vip_add_args, .help = "add a VIP, with no backend"},
    {.name = "del", .run = vip_del, .args = &vip_del_args, .help = "delete a VIP and its backends"},
    {.name = "list", .run = vip_list, .args = &ef_no_args, .help = "list the VIPs"},
    {.name = "show",
     .run = vip_show,
     .args = &vip_show_args,
     .help = "a VIP's table size and digest, its fingerprint and, per backend, weight, state, "
	     "slots held, share of slots"},
    {NULL},
};
