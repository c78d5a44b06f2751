// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cmd_backend.c: evenflow backend add|set|del|list. */
#include <errno.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "core/edit.h"
#include "core/live.h"
#include "core/model.h"
#include "dp/devtable.h"
#include "dp/lb.h"
#include "dp/pindir.h"
#include "dp/xdp.h"
#include "util/addr.h"
#include "util/log.h"

/* What add, set, del and list take. */
struct backend_args {
	struct ef_vip_key key;
	struct ef_arg_addr be;
	unsigned weight; /* 0: keep (set) */
	int state;	 /* EF_BE_FREE: keep (set) */
	bool force;
};

static const struct ef_choice state_choices[] = {
    {"up", EF_BE_UP},
    {"drain", EF_BE_DRAIN},
    {"down", EF_BE_DOWN},
    {NULL, 0},
};

#define VIP_ROW                                                                                    \
	{                                                                                          \
		NULL, "VIP", EF_OPT_VIP, offsetof(struct backend_args, key), .help = "the VIP"     \
	}
#define BACKEND_ROW                                                                                \
	{                                                                                          \
		NULL, "BACKEND", EF_OPT_ADDR, offsetof(struct backend_args, be),                   \
		    .help = "the backend's IPv4 or IPv6 address"                                   \
	}
#define FORCE_ROW                                                                                  \
	{                                                                                          \
		"force", NULL, EF_OPT_FLAG, offsetof(struct backend_args, force),                  \
		    .help = "apply it even if the safety check refuses it (README)"                \
	}
#define WEIGHT_ROW(help_line)                                                                      \
	{                                                                                          \
		"weight", "W", EF_OPT_U32, offsetof(struct backend_args, weight), 1, 65535,        \
		    .help = (help_line)                                                            \
	}

static const struct ef_opt add_opts[] = {
    VIP_ROW,
    BACKEND_ROW,
    WEIGHT_ROW("its share of new flows is its weight over the sum of its VIP's"),
    FORCE_ROW,
    EF_OPT_END,
};

static const struct ef_opt set_opts[] = {
    VIP_ROW,
    BACKEND_ROW,
    WEIGHT_ROW("the new weight"),
    {"state", "up|drain|down", EF_OPT_CHOICE, offsetof(struct backend_args, state),
     .choices = state_choices,
     .help = "drain: takes no new flows, keeps its own; down: its flows move too"},
    FORCE_ROW,
    EF_OPT_END,
};

static const struct ef_opt del_opts[] = {VIP_ROW, BACKEND_ROW, FORCE_ROW, EF_OPT_END};

static const struct ef_opt list_opts[] = {
    {NULL, "VIP", EF_OPT_VIP, offsetof(struct backend_args, key), .flags = EF_OPT_OPTIONAL,
     .help = "only this VIP's backends"},
    EF_OPT_END,
};

static const struct backend_args add_defaults = {.weight = EF_WEIGHT_DEFAULT};
static const struct backend_args keep_defaults = {.state = EF_BE_FREE};
static const struct ef_opt_set add_args = EF_OPT_SET(add_opts, add_defaults);
static const struct ef_opt_set set_args = EF_OPT_SET(set_opts, keep_defaults);
static const struct ef_opt_set del_args = EF_OPT_SET(del_opts, keep_defaults);
static const struct ef_opt_set list_args = EF_OPT_SET(list_opts, keep_defaults);

/* The safety check's limits (core/safety.h), none with --force. */
static const struct ef_safety *limits(const struct backend_args *a)
{
	static struct ef_safety lim;

	ef_safety_default(&lim);
	return a->force ? NULL : &lim;
}

enum backend_op { BACKEND_ADD, BACKEND_SET, BACKEND_DEL };

/* One change of a backend, on the loaded data plane. */
static int backend_change(const struct ef_ctx *ctx, const struct backend_args *a,
			  enum backend_op op)
{
	struct ef_dp dp;
	int err;

	err = ef_dp_open_loaded(ef_pin_dir(ctx->pin_dir), &dp);
	if (err)
		return err;
	switch (op) {
	case BACKEND_ADD:
		err = ef_devices_sync(&dp);
		if (!err)
			err = ef_backend_add(&dp, &a->key, &a->be.addr, a->be.family,
					     (__u16)a->weight, limits(a));
		break;
	case BACKEND_SET:
		err = ef_backend_set(&dp, &a->key, &a->be.addr, a->be.family, (__u16)a->weight,
				     (__u8)a->state, limits(a));
		break;
	case BACKEND_DEL:
		err = ef_backend_del(&dp, &a->key, &a->be.addr, a->be.family, limits(a));
		break;
	}
	ef_dp_close(&dp);
	return err;
}

static int backend_add(const struct ef_ctx *ctx, const void *args)
{
	return backend_change(ctx, args, BACKEND_ADD);
}

static int backend_set(const struct ef_ctx *ctx, const void *args)
{
	const struct backend_args *a = args;

	if (!a->weight && a->state == EF_BE_FREE)
		return ef_usage("backend set: nothing to set (--weight W and/or --state "
				"up|drain|down)");
	return backend_change(ctx, a, BACKEND_SET);
}

static int backend_del(const struct ef_ctx *ctx, const void *args)
{
	return backend_change(ctx, args, BACKEND_DEL);
}

static int backend_list(const struct ef_ctx *ctx, const void *args)
{
	const struct backend_args *a = args;
	struct ef_listing l;
	size_t i;
	int err;

	err = ef_listing_open(ef_pin_dir(ctx->pin_dir), a->key.family ? &a->key : NULL, &l);
	if (err)
		return err;
	out_text("%-28s %-6s %-40s %6s %-6s %-6s %-10s %s\n", "vip", "id", "backend", "weight",
		 "state", "admin", "health", "src");
	out_arr_open("backends");
	for (i = 0; i < l.n_vips; i++) {
		char vs[EF_VIP_STRLEN];
		__u32 id;

		ef_vip_str(&l.vips[i].key, vs, sizeof(vs));
		for (id = 0; id < EF_MAX_BACKENDS; id++) {
			const struct ef_backend *b = &l.backends[id];
			char as[EF_ADDR_STRLEN], ss[EF_ADDR_STRLEN];

			if (b->vip_id != l.vips[i].vip.id || b->state == EF_BE_FREE)
				continue;
			out_obj_open(NULL);
			out_str("vip", "%-28s", vs);
			out_u64("id", " %-6llu", id);
			out_str("addr", " %-40s", ef_addr_str(&b->addr, b->family, as, sizeof(as)));
			out_u64("weight", " %6llu", b->weight);
			out_str("state", " %-6s", ef_state_str(b->state));
			out_str("admin", " %-6s", ef_state_str(b->admin));
			out_str("health", " %-10s", ef_health_str(b->health));
			out_str("src", " %s", ef_addr_str(&b->src, b->family, ss, sizeof(ss)));
			out_u64("gen", NULL, b->gen);
			out_obj_close();
			out_text("\n");
		}
	}
	out_arr_close();
	ef_listing_close(&l);
	return 0;
}

const struct ef_cmd ef_backend_cmds[] = {
    {.name = "add", .run = backend_add, .args = &add_args, .help = "add a backend to a VIP (up)"},
    {.name = "set",
     .run = backend_set,
     .args = &set_args,
     .help = "change a backend's weight or state"},
    {.name = "del", .run = backend_del, .args = &del_args, .help = "remove a backend"},
    {.name = "list", .run = backend_list, .args = &list_args, .help = "list the backends"},
    {NULL},
};
