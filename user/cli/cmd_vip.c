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
#include "core/live.h"
#include "core/maglev.h"
#include "core/model.h"
#include "dp/lb.h"
#include "dp/pindir.h"
#include "util/addr.h"
#include "util/log.h"

static int vip_add(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv)
{
	struct ef_vip_key key;
	struct ef_vip vip = {};
	struct ef_dp dp;
	int c, err;

	ef_getopt_reset();
	while ((c = ef_getopt(cmd, argc, argv)) != -1) {
		struct ef_addr src;
		__u8 fam;
		unsigned v;
		int fwd;

		switch (c) {
		case 'h':
			ef_cmd_usage(cmd, "vip");
			return 0;
		case 'f':
			fwd = ef_forward_parse(optarg);
			if (fwd < 0)
				return ef_usage("--forward %s: must be ipip or l2", optarg);
			vip.forward = (__u8)fwd;
			break;
		case 't':
			if (ef_arg_u32("--table-size", optarg, EF_MIN_TABLE_SIZE, EF_MAX_TABLE_SIZE,
				       &v))
				return -EINVAL;
			if (!ef_is_prime(v))
				return ef_usage("--table-size %s: must be a prime number", optarg);
			vip.table_size = v;
			break;
		case 's':
			if (ef_arg_addr("--src", optarg, &src, &fam))
				return -EINVAL;
			if (fam == EF_FAMILY_V4) {
				if (vip.flags & EF_VIP_F_SRC4)
					return ef_usage("--src %s: an IPv4 source is already set",
							optarg);
				vip.flags |= EF_VIP_F_SRC4;
				vip.src4 = src.a32[0];
			} else {
				if (vip.flags & EF_VIP_F_SRC6)
					return ef_usage("--src %s: an IPv6 source is already set",
							optarg);
				vip.flags |= EF_VIP_F_SRC6;
				vip.src6 = src;
			}
			break;
		default:
			return -EINVAL;
		}
	}
	if (ef_nargs(cmd, argc, argv, 1, 1) || ef_arg_vip(argv[optind], &key))
		return -EINVAL;
	if (vip.forward == EF_FWD_L2 && vip.flags)
		return ef_usage(
		    "--src: l2 forwarding does not encapsulate, it has no outer source");
	if (key.family == EF_FAMILY_V6 && (vip.flags & EF_VIP_F_SRC4))
		return ef_usage(
		    "--src: an IPv6 VIP has IPv6 backends only, an IPv4 source is of no use");

	err = ef_dp_open(ef_pin_dir(ctx->pin_dir), NULL, &dp);
	if (err)
		return err;
	err = ef_vip_add(&dp, &key, &vip);
	ef_dp_close(&dp);
	return err;
}

static int vip_del(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv)
{
	struct ef_vip_key key;
	struct ef_dp dp;
	int err;

	err = ef_getopt_none(cmd, argc, argv, "vip");
	if (err)
		return err < 0 ? err : 0;
	if (ef_nargs(cmd, argc, argv, 1, 1) || ef_arg_vip(argv[optind], &key))
		return -EINVAL;
	err = ef_dp_open(ef_pin_dir(ctx->pin_dir), NULL, &dp);
	if (err)
		return err;
	err = ef_vip_del(&dp, &key);
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
	if (vip->flags & EF_VIP_F_SRC4) {
		struct ef_addr src = {.a32 = {vip->src4}};

		out_str("src4", " src %s", ef_addr_str(&src, EF_FAMILY_V4, a, sizeof(a)));
	}
	if (vip->flags & EF_VIP_F_SRC6)
		out_str("src6", " src %s", ef_addr_str(&vip->src6, EF_FAMILY_V6, a, sizeof(a)));
}

static int vip_list(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv)
{
	struct ef_listing l;
	size_t i;
	int err;

	err = ef_getopt_none(cmd, argc, argv, "vip");
	if (err)
		return err < 0 ? err : 0;
	if (ef_nargs(cmd, argc, argv, 0, 0))
		return -EINVAL;
	err = ef_listing_open(ef_pin_dir(ctx->pin_dir), NULL, &l);
	if (err)
		return err;
	out_arr_open("vips");
	for (i = 0; i < l.n_vips; i++) {
		__u32 *table = NULL, m = 0;

		ef_table_read(&l.dp, l.vips[i].vip.id, &table, &m);
		free(table);
		out_obj_open(NULL);
		print_vip(&l.vips[i].key, &l.vips[i].vip, l.backends, m);
		out_obj_close();
		out_text("\n");
	}
	out_arr_close();
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

static int vip_show(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv)
{
	bool dump = false;
	struct ef_backend *all = NULL;
	__u32 *table = NULL, m = 0, *slots = NULL, i;
	__u64 wsum = 0;
	struct ef_vip_key key;
	struct ef_vip vip;
	struct ef_dp dp;
	int c, err;

	ef_getopt_reset();
	while ((c = ef_getopt(cmd, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			ef_cmd_usage(cmd, "vip");
			return 0;
		case 't':
			dump = true;
			break;
		default:
			return -EINVAL;
		}
	}
	if (ef_nargs(cmd, argc, argv, 1, 1) || ef_arg_vip(argv[optind], &key))
		return -EINVAL;
	err = ef_dp_open(ef_pin_dir(ctx->pin_dir), NULL, &dp);
	if (err)
		return err;
	err = ef_vip_get(&dp, &key, &vip);
	if (!err)
		err = ef_backends_read(&dp, &all);
	if (!err) {
		err = ef_table_read(&dp, vip.id, &table, &m);
		if (err == -ENOENT)
			err = 0; /* no backend up */
	}
	if (err)
		goto out;
	slots = calloc(EF_MAX_BACKENDS, sizeof(*slots));
	if (!slots) {
		err = ef_err(-ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < m; i++)
		if (table[i] < EF_MAX_BACKENDS)
			slots[table[i]]++;
	for (i = 0; i < EF_MAX_BACKENDS; i++)
		if (all[i].vip_id == vip.id && all[i].state == EF_BE_UP)
			wsum += all[i].weight;

	out_obj_open("vip");
	print_vip(&key, &vip, all, m);
	out_text("\n");
	{
		char d[24];

		snprintf(d, sizeof(d), "%016llx", (unsigned long long)table_digest(table, m, all));
		out_str("table_digest", "  table digest %s\n", m ? d : "-");
	}
	out_u64("table_map_id", "  table map id %llu\n", ef_table_map_id(&dp, vip.id));
	out_text("  %-6s %-40s %6s %-7s %8s %8s %8s\n", "id", "backend", "weight", "state", "slots",
		 "share", "weight%");
	out_arr_open("backends");
	for (i = 0; i < EF_MAX_BACKENDS; i++) {
		const struct ef_backend *b = &all[i];
		char a[EF_ADDR_STRLEN];

		if (b->vip_id != vip.id || b->state == EF_BE_FREE)
			continue;
		out_obj_open(NULL);
		out_u64("id", "  %-6llu", i);
		out_str("addr", " %-40s", ef_addr_str(&b->addr, b->family, a, sizeof(a)));
		out_u64("weight", " %6llu", b->weight);
		out_str("state", " %-7s", ef_state_str(b->state));
		out_u64("slots", " %8llu", slots[i]);
		out_double("share", " %7.3f%%", m ? 100.0 * slots[i] / m : 0.0);
		out_double("weight_share", " %7.3f%%",
			   b->state == EF_BE_UP && wsum ? 100.0 * b->weight / (double)wsum : 0.0);
		out_obj_close();
		out_text("\n");
	}
	out_arr_close();
	if (dump)
		print_table(table, m, all);
	out_obj_close();
out:
	free(slots);
	free(table);
	free(all);
	ef_dp_close(&dp);
	return err;
}

static const struct option vip_add_opts[] = {
    {"forward", required_argument, NULL, 'f'},
    {"table-size", required_argument, NULL, 't'},
    {"src", required_argument, NULL, 's'},
    {NULL, 0, NULL, 0},
};

static const struct option vip_show_opts[] = {
    {"table", no_argument, NULL, 't'},
    {NULL, 0, NULL, 0},
};

const struct ef_cmd ef_vip_cmds[] = {
    {.name = "add",
     .run = vip_add,
     .opts = vip_add_opts,
     .args = "VIP [--forward ipip|l2] [--table-size N] [--src ADDR]",
     .help = "add a VIP (ADDR:PORT/tcp|udp, [v6]:PORT/...; port 0 = every port); --table-size: "
	     "a prime, default 65537 or more (100 slots per backend); --src: outer source "
	     "(once per family)"},
    {.name = "del", .run = vip_del, .args = "VIP", .help = "delete a VIP and its backends"},
    {.name = "list", .run = vip_list, .args = "", .help = "list the VIPs"},
    {.name = "show",
     .run = vip_show,
     .opts = vip_show_opts,
     .args = "VIP [--table]",
     .help = "a VIP's table size and digest and, per backend, weight, state, slots held, share "
	     "of slots; --table: every slot's backend"},
    {NULL},
};
