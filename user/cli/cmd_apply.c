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
#include "core/safety.h"
#include "util/addr.h"
#include "dp/devtable.h"
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
	struct ef_vip_key remove[EF_MAX_VIPS];
	size_t n_remove;
};

/* --remove VIP, once per VIP the change may remove. */
static int parse_remove(const struct ef_opt *o, const char *arg, void *field)
{
	struct apply_args *a =
	    (struct apply_args *)((char *)field - offsetof(struct apply_args, remove));
	const char *why;

	if (a->n_remove == EF_MAX_VIPS)
		return ef_usage("apply: --%s: %d VIPs at most", o->name, EF_MAX_VIPS);
	if (ef_vip_parse(arg, &a->remove[a->n_remove], &why))
		return ef_usage("apply: --%s %s: %s", o->name, arg, why);
	a->n_remove++;
	return 0;
}

static const struct ef_opt apply_opts[] = {
    {NULL, "FILE", EF_OPT_STR, offsetof(struct apply_args, file),
     .help = "the configuration (YAML; README: \"Configuration file\")"},
    {"dry-run", NULL, EF_OPT_FLAG, offsetof(struct apply_args, dry_run),
     .help = "print the plan, change nothing"},
    {"force", NULL, EF_OPT_FLAG, offsetof(struct apply_args, force),
     .help = "apply a change the safety check refuses (README: \"The safety check\")"},
    {"remove", "VIP", EF_OPT_CUSTOM, offsetof(struct apply_args, remove), .parse = parse_remove,
     .help = "a running VIP the file leaves out may go (once per VIP)"},
    EF_OPT_END,
};

static const struct apply_args apply_defaults;
const struct ef_opt_set ef_apply_args = EF_OPT_SET(apply_opts, apply_defaults);

static int apply(struct ef_dp *dp, const struct ef_conf *running, struct ef_conf *want,
		 const struct ef_config *cfg, const struct apply_args *a, unsigned flags)
{
	const struct ef_removals removals = {.keys = a->remove, .n = a->n_remove};
	struct ef_plan plan;
	size_t i;
	int err;

	ef_conf_keep_health(want, running);
	err = ef_safety_plan(running, want, &cfg->limits, &removals, &plan);
	if (err)
		return err;
	ef_plan_print(&plan);
	/* on stderr too, where they are seen under -j */
	for (i = 0; out_is_json() && i < plan.n_warnings; i++)
		pr_warn("warning: %s", plan.warnings[i]);
	if (plan.n_warnings && !(flags & APPLY_FORCE)) {
		err = ef_err(-EPERM, "refused: %s%s (--force applies it anyway)", plan.warnings[0],
			     plan.n_warnings > 1 ? ", and more" : "");
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
	err = ef_devices_sync(dp);
	if (!err)
		err = ef_conf_commit(dp, want);
	if (!err)
		out_text("applied\n");
out:
	out_bool("applied", NULL, !err && !(flags & APPLY_DRY_RUN) && plan.n_vips);
	ef_plan_free(&plan);
	return err;
}

/* The file's errors in file order: every line but the last on stderr, the
 * last recorded for main; under -j all of them in "errors" as well, with
 * "errors_found" counting those not kept. */
static int report_config(const struct ef_config_errors *errs, int err)
{
	if (!errs->shown)
		return err;
	out_keep_on_error();
	out_arr_open("errors");
	for (size_t i = 0; i < errs->shown; i++)
		out_str(NULL, NULL, errs->line[i]);
	out_arr_close();
	out_u64("errors_found", NULL, errs->n);
	for (size_t i = 0; i + 1 < errs->shown; i++)
		pr_warn("%s", errs->line[i]);
	if (errs->n > errs->shown)
		pr_warn("(%zu more errors not shown)", errs->n - errs->shown);
	return ef_err(err, "%s", errs->line[errs->shown - 1]);
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
		return report_config(&errs, err);
	if (!cfg.has_vips) {
		ef_config_free(&cfg);
		return ef_err(-EINVAL,
			      "%s: no 'vips:' to apply ('decap:' is for the daemon on a "
			      "backend)",
			      a->file);
	}
	if (cfg.decap.on)
		pr_warn("%s: 'decap:' is the daemon's on a backend; apply ignores it", a->file);
	if (cfg.dataplane.on)
		pr_warn("%s: 'dataplane:' is the daemon's; apply ignores it (evenflow attach "
			"attaches by hand)",
			a->file);
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
		err = apply(opened ? &dp : NULL, &running, &cfg.conf, &cfg, a, flags);
	ef_conf_free(&running);
	if (opened)
		ef_dp_close(&dp);
	ef_config_free(&cfg);
	return err;
}
