// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cmd_backend.c: evenflow backend add|set|del|list. */
#include <errno.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "core/edit.h"
#include "core/live.h"
#include "core/model.h"
#include "dp/lb.h"
#include "dp/pindir.h"
#include "dp/xdp.h"
#include "util/addr.h"
#include "util/log.h"

/* What add, set and del take (each the options of its table). */
struct backend_args {
	struct ef_vip_key key;
	struct ef_addr addr;
	__u8 family;
	__u16 weight;
	int state; /* EF_BE_FREE: not given */
};

/* The options, then VIP ADDR: 0, 1 after printing the usage (the caller
 * returns 0), or -EINVAL (usage error recorded). */
static int backend_args(const struct ef_cmd *cmd, int argc, char **argv, struct backend_args *a)
{
	unsigned v;
	int c;

	ef_getopt_reset();
	while ((c = ef_getopt(cmd, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			ef_cmd_usage(cmd, "backend");
			return 1;
		case 'w':
			if (ef_arg_u32("--weight", optarg, 1, 65535, &v))
				return -EINVAL;
			a->weight = (__u16)v;
			break;
		case 's':
			a->state = ef_state_parse(optarg);
			if (a->state < 0)
				return ef_usage("--state %s: must be up, down or drain", optarg);
			break;
		default:
			return -EINVAL;
		}
	}
	if (ef_nargs(cmd, argc, argv, 2, 2) || ef_arg_vip(argv[optind], &a->key) ||
	    ef_arg_addr("backend", argv[optind + 1], &a->addr, &a->family))
		return -EINVAL;
	return 0;
}

static int backend_add(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv)
{
	struct backend_args a = {.weight = EF_WEIGHT_DEFAULT};
	struct ef_dp dp;
	int err;

	err = backend_args(cmd, argc, argv, &a);
	if (err)
		return err < 0 ? err : 0;
	err = ef_dp_open(ef_pin_dir(ctx->pin_dir), NULL, &dp);
	if (err)
		return err;
	err = ef_tx_ports_sync(dp.tx_ports);
	if (!err)
		err = ef_backend_add(&dp, &a.key, &a.addr, a.family, a.weight);
	ef_dp_close(&dp);
	return err;
}

static int backend_set(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv)
{
	struct backend_args a = {.state = EF_BE_FREE};
	struct ef_dp dp;
	int err;

	err = backend_args(cmd, argc, argv, &a);
	if (err)
		return err < 0 ? err : 0;
	if (!a.weight && a.state == EF_BE_FREE)
		return ef_usage("set: nothing to set (--weight W and/or --state up|down|drain)");
	err = ef_dp_open(ef_pin_dir(ctx->pin_dir), NULL, &dp);
	if (err)
		return err;
	err = ef_backend_set(&dp, &a.key, &a.addr, a.family, a.weight, (__u8)a.state);
	ef_dp_close(&dp);
	return err;
}

static int backend_del(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv)
{
	struct backend_args a = {};
	struct ef_dp dp;
	int err;

	err = backend_args(cmd, argc, argv, &a);
	if (err)
		return err < 0 ? err : 0;
	err = ef_dp_open(ef_pin_dir(ctx->pin_dir), NULL, &dp);
	if (err)
		return err;
	err = ef_backend_del(&dp, &a.key, &a.addr, a.family);
	ef_dp_close(&dp);
	return err;
}

static int backend_list(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv)
{
	struct ef_vip_key key;
	struct ef_listing l;
	bool one = false;
	size_t i;
	int err;

	err = ef_getopt_none(cmd, argc, argv, "backend");
	if (err)
		return err < 0 ? err : 0;
	if (ef_nargs(cmd, argc, argv, 0, 1))
		return -EINVAL;
	if (optind < argc) {
		if (ef_arg_vip(argv[optind], &key))
			return -EINVAL;
		one = true;
	}
	err = ef_listing_open(ef_pin_dir(ctx->pin_dir), one ? &key : NULL, &l);
	if (err)
		return err;
	out_text("%-28s %-6s %-40s %6s %-7s %s\n", "vip", "id", "backend", "weight", "state",
		 "src");
	out_arr_open("backends");
	for (i = 0; i < l.n_vips; i++) {
		char vs[EF_VIP_STRLEN];
		__u32 id;

		ef_vip_str(&l.vips[i].key, vs, sizeof(vs));
		for (id = 0; id < EF_MAX_BACKENDS; id++) {
			const struct ef_backend *b = &l.backends[id];
			char a[EF_ADDR_STRLEN], s[EF_ADDR_STRLEN];

			if (b->vip_id != l.vips[i].vip.id || b->state == EF_BE_FREE)
				continue;
			out_obj_open(NULL);
			out_str("vip", "%-28s", vs);
			out_u64("id", " %-6llu", id);
			out_str("addr", " %-40s", ef_addr_str(&b->addr, b->family, a, sizeof(a)));
			out_u64("weight", " %6llu", b->weight);
			out_str("state", " %-7s", ef_state_str(b->state));
			out_str("src", " %s", ef_addr_str(&b->src, b->family, s, sizeof(s)));
			out_u64("gen", NULL, b->gen);
			out_obj_close();
			out_text("\n");
		}
	}
	out_arr_close();
	ef_listing_close(&l);
	return 0;
}

static const struct option add_opts[] = {
    {"weight", required_argument, NULL, 'w'},
    {NULL, 0, NULL, 0},
};

static const struct option set_opts[] = {
    {"weight", required_argument, NULL, 'w'},
    {"state", required_argument, NULL, 's'},
    {NULL, 0, NULL, 0},
};

const struct ef_cmd ef_backend_cmds[] = {
    {.name = "add",
     .run = backend_add,
     .opts = add_opts,
     .args = "VIP ADDR [--weight W]",
     .help = "add a backend (IPv4 or IPv6 address) to a VIP; W in 1..65535, default 1"},
    {.name = "set",
     .run = backend_set,
     .opts = set_opts,
     .args = "VIP ADDR [--weight W] [--state up|down|drain]",
     .help = "change a backend's weight or state (drain: existing flows stay; down: they move)"},
    {.name = "del", .run = backend_del, .args = "VIP ADDR", .help = "remove a backend"},
    {.name = "list", .run = backend_list, .args = "[VIP]", .help = "list the backends"},
    {NULL},
};
