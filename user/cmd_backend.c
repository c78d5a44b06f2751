// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cmd_backend.c: evenflow backend add|set|del|list. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "backends.h"
#include "cli.h"
#include "dataplane.h"
#include "log.h"
#include "output.h"
#include "vips.h"

/* VIP ADDR positionals of add/set/del. */
static int vip_and_addr(const struct ef_cmd *cmd, int argc, char **argv, struct ef_vip_key *key,
			struct ef_addr *addr, __u8 *family)
{
	if (ef_nargs(cmd, argc, argv, 2, 2) || ef_arg_vip(argv[optind], key) ||
	    ef_arg_addr("backend", argv[optind + 1], addr, family))
		return -EINVAL;
	return 0;
}

static int parse_weight(const char *s, __u16 *w)
{
	unsigned v;

	if (ef_arg_u32("--weight", s, 1, 65535, &v))
		return -EINVAL;
	*w = (__u16)v;
	return 0;
}

static int backend_add(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv)
{
	__u16 weight = EF_WEIGHT_DEFAULT;
	struct ef_vip_key key;
	struct ef_addr addr;
	struct ef_dp dp;
	__u8 fam;
	int c, err;

	ef_getopt_reset();
	while ((c = ef_getopt(cmd, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			ef_cmd_usage(cmd, "backend");
			return 0;
		case 'w':
			if (parse_weight(optarg, &weight))
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
	}
	if (vip_and_addr(cmd, argc, argv, &key, &addr, &fam))
		return -EINVAL;
	err = ef_dp_open(ef_pin_dir(ctx->pin_dir), NULL, &dp);
	if (err)
		return err;
	err = ef_tx_ports_sync(&dp);
	if (!err)
		err = ef_backend_add(&dp, &key, &addr, fam, weight);
	ef_dp_close(&dp);
	return err;
}

static int backend_set(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv)
{
	struct ef_vip_key key;
	struct ef_addr addr;
	__u16 weight = 0;
	int c, err, state = EF_BE_FREE;
	struct ef_dp dp;
	__u8 fam;

	ef_getopt_reset();
	while ((c = ef_getopt(cmd, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			ef_cmd_usage(cmd, "backend");
			return 0;
		case 'w':
			if (parse_weight(optarg, &weight))
				return -EINVAL;
			break;
		case 's':
			state = ef_state_parse(optarg);
			if (state < 0)
				return ef_usage("--state %s: must be up, down or drain", optarg);
			break;
		default:
			return -EINVAL;
		}
	}
	if (vip_and_addr(cmd, argc, argv, &key, &addr, &fam))
		return -EINVAL;
	if (!weight && state == EF_BE_FREE)
		return ef_usage("set: nothing to set (--weight W and/or --state up|down|drain)");
	err = ef_dp_open(ef_pin_dir(ctx->pin_dir), NULL, &dp);
	if (err)
		return err;
	err = ef_backend_set(&dp, &key, &addr, fam, weight, (__u8)state);
	ef_dp_close(&dp);
	return err;
}

static int backend_del(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv)
{
	struct ef_vip_key key;
	struct ef_addr addr;
	struct ef_dp dp;
	__u8 fam;
	int c, err;

	ef_getopt_reset();
	while ((c = ef_getopt(cmd, argc, argv)) != -1) {
		if (c != 'h')
			return -EINVAL;
		ef_cmd_usage(cmd, "backend");
		return 0;
	}
	if (vip_and_addr(cmd, argc, argv, &key, &addr, &fam))
		return -EINVAL;
	err = ef_dp_open(ef_pin_dir(ctx->pin_dir), NULL, &dp);
	if (err)
		return err;
	err = ef_backend_del(&dp, &key, &addr, fam);
	ef_dp_close(&dp);
	return err;
}

static int backend_list(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv)
{
	struct ef_backend *all = NULL;
	struct ef_vip_entry *v = NULL;
	struct ef_vip_key key;
	bool one = false;
	struct ef_dp dp;
	size_t n = 0, i;
	int c, err;

	ef_getopt_reset();
	while ((c = ef_getopt(cmd, argc, argv)) != -1) {
		if (c != 'h')
			return -EINVAL;
		ef_cmd_usage(cmd, "backend");
		return 0;
	}
	if (ef_nargs(cmd, argc, argv, 0, 1))
		return -EINVAL;
	if (optind < argc) {
		if (ef_arg_vip(argv[optind], &key))
			return -EINVAL;
		one = true;
	}
	err = ef_dp_open(ef_pin_dir(ctx->pin_dir), NULL, &dp);
	if (err)
		return err;
	if (one) {
		struct ef_vip vip;

		err = ef_vip_get(&dp, &key, &vip);
		if (!err) {
			v = malloc(sizeof(*v));
			if (!v)
				err = ef_err(-ENOMEM, "out of memory");
			else {
				v->key = key;
				v->vip = vip;
				n = 1;
			}
		}
	} else {
		err = ef_vip_list(&dp, &v, &n);
	}
	if (!err)
		err = ef_backends_read(&dp, &all);
	if (err)
		goto out;
	out_text("%-28s %-6s %-40s %6s %-7s %s\n", "vip", "id", "backend", "weight", "state",
		 "src");
	out_arr_open("backends");
	for (i = 0; i < n; i++) {
		char vs[EF_VIP_STRLEN];
		__u32 id;

		ef_vip_str(&v[i].key, vs, sizeof(vs));
		for (id = 0; id < EF_MAX_BACKENDS; id++) {
			const struct ef_backend *b = &all[id];
			char a[EF_ADDR_STRLEN], s[EF_ADDR_STRLEN];

			if (b->vip_id != v[i].vip.id || b->state == EF_BE_FREE)
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
out:
	free(all);
	free(v);
	ef_dp_close(&dp);
	return err;
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
