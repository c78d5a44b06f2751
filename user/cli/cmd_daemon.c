// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cmd_daemon.c: evenflow daemon --config FILE [--force] (daemon/daemon.h). */
#include <stddef.h>

#include "cli/cli.h"
#include "daemon/daemon.h"
#include "dp/pindir.h"
#include "util/log.h"

/* daemon's arguments. */
struct daemon_args {
	const char *file;
	bool force;
};

static const struct ef_opt daemon_opts[] = {
    {"config", "FILE", EF_OPT_STR, offsetof(struct daemon_args, file), .flags = EF_OPT_REQUIRED,
     .help = "the configuration file, applied at start and on SIGHUP"},
    {"force", NULL, EF_OPT_FLAG, offsetof(struct daemon_args, force),
     .help = "the first apply may do what apply --force may"},
    EF_OPT_END,
};

static const struct daemon_args daemon_defaults;
const struct ef_opt_set ef_daemon_args = EF_OPT_SET(daemon_opts, daemon_defaults);

int cmd_daemon(const struct ef_ctx *ctx, const void *args)
{
	const struct daemon_args *a = args;
	struct ef_daemon_opts o = {.pin_dir = ef_pin_dir(ctx->pin_dir),
				   .file = a->file,
				   .force = a->force,
				   .verbose = ctx->verbose};

	return ef_daemon_run(&o);
}
