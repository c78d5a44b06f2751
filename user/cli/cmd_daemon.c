// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cmd_daemon.c: evenflow daemon --config FILE [--force] (daemon/daemon.h). */
#include <errno.h>

#include "cli/cli.h"
#include "daemon/daemon.h"
#include "dp/pindir.h"
#include "util/log.h"

int cmd_daemon(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv)
{
	struct ef_daemon_opts o = {.pin_dir = ef_pin_dir(ctx->pin_dir), .verbose = ctx->verbose};
	int c;

	ef_getopt_reset();
	while ((c = ef_getopt(cmd, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			ef_cmd_usage(cmd, NULL);
			return 0;
		case 'c':
			o.file = optarg;
			break;
		case 'f':
			o.force = true;
			break;
		default:
			return -EINVAL;
		}
	}
	if (ef_nargs(cmd, argc, argv, 0, 0))
		return -EINVAL;
	if (!o.file)
		return ef_usage("daemon: --config FILE is required");
	return ef_daemon_run(&o);
}

const struct option ef_daemon_opts[] = {
    {"config", required_argument, NULL, 'c'},
    {"force", no_argument, NULL, 'f'},
    {NULL, 0, NULL, 0},
};
