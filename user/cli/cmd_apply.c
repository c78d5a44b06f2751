// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * cmd_apply.c: evenflow apply FILE [--dry-run] [--force]
 *
 * Reads and validates the whole file (nothing is touched on an error),
 * computes the plan against the running configuration, prints it, refuses a
 * harmful change unless --force (plan.h), then commits it all or nothing
 * (ef_conf_commit).
 */
#include <errno.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "cli/plan_print.h"
#include "core/commit.h"
#include "core/config_file.h"
#include "core/live.h"
#include "core/model.h"
#include "dp/lb.h"
#include "dp/pindir.h"
#include "dp/xdp.h"
#include "util/log.h"

#define APPLY_DRY_RUN (1U << 0)
#define APPLY_FORCE   (1U << 1)

/* apply's arguments. */
struct apply_args {
	const char *file;
	bool dry_run, force;
};

static const struct ef_opt apply_opts[] = {
    {NULL, "FILE", EF_OPT_STR, offsetof(struct apply_args, file),
     .help = "the configuration (YAML; README: \"Configuration file\")"},
    {"dry-run", NULL, EF_OPT_FLAG, offsetof(struct apply_args, dry_run),
     .help = "print the plan, change nothing"},
    {"force", NULL, EF_OPT_FLAG, offsetof(struct apply_args, force),
     .help = "apply a change the safety check refuses"},
    EF_OPT_END,
};

static const struct apply_args apply_defaults;
const struct ef_opt_set ef_apply_args = EF_OPT_SET(apply_opts, apply_defaults);

static int apply(struct ef_dp *dp, const struct ef_conf *running, const struct ef_conf *want,
		 double max_move, unsigned flags)
{
	struct ef_plan plan;
	size_t i;
	int err;

	err = ef_plan_build(running, want, max_move, &plan);
	if (err)
		return err;
	ef_plan_print(&plan);
	/* on stderr too, where they are seen under -j */
	for (i = 0; out_is_json() && i < plan.n_warnings; i++)
		pr_warn("warning: %s", plan.warnings[i]);
	if (plan.n_warnings && !(flags & APPLY_FORCE)) {
		err = ef_err(-EPERM, "refused: %s%s (--force applies it anyway)", plan.warnings[0],
			     plan.n_warnings > 1 ? ", and more warnings" : "");
		goto out;
	}
	if (flags & APPLY_DRY_RUN) {
		out_text("dry run: nothing changed\n");
		goto out;
	}
	if (!plan.n_vips) {
		out_text("no change\n");
		goto out;
	}
	err = ef_tx_ports_sync(dp->tx_ports);
	if (!err)
		err = ef_conf_commit(dp, want);
	if (!err)
		out_text("applied\n");
out:
	out_bool("applied", NULL, !err && !(flags & APPLY_DRY_RUN) && plan.n_vips);
	ef_plan_free(&plan);
	return err;
}

int cmd_apply(const struct ef_ctx *ctx, const void *args)
{
	const struct apply_args *a = args;
	struct ef_conf running = {};
	struct ef_config_errors errs;
	struct ef_config cfg;
	unsigned flags = 0;
	struct ef_dp dp;
	bool opened = false;
	int err;

	if (a->dry_run)
		flags |= APPLY_DRY_RUN;
	if (a->force)
		flags |= APPLY_FORCE;
	err = ef_config_load(a->file, &cfg, &errs);
	if (err)
		return ef_config_report(&errs, err);
	/* The plan shows even when apply refuses it. */
	out_keep_on_error();
	if (flags & APPLY_DRY_RUN) {
		err = ef_dp_open_existing(ef_pin_dir(ctx->pin_dir), &dp);
		if (err == -ENOENT)
			err = 0; /* nothing loaded: everything would be added */
		else if (!err)
			opened = true;
	} else {
		err = ef_dp_open(ef_pin_dir(ctx->pin_dir), NULL, &dp);
		opened = !err;
	}
	if (!err && opened)
		err = ef_conf_read(&dp, &running);
	if (!err)
		err = apply(opened ? &dp : NULL, &running, &cfg.conf, cfg.max_move, flags);
	ef_conf_free(&running);
	if (opened)
		ef_dp_close(&dp);
	ef_config_free(&cfg);
	return err;
}
