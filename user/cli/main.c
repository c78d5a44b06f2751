// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * main.c: evenflow [-j] [-v] [--pin-dir DIR] OBJECT COMMAND [ARGS]
 *         evenflow [-j] --version
 *
 * Only dispatch: the global options before OBJECT, then the command table
 * (cli.h). The error a command recorded is printed here, once; the exit
 * status is enum ef_exit's (cli.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "lib/hash.h"
#include "util/log.h"
#include "util/text.h"

/* The release (VERSION, passed by the Makefile) and the flow-hash version
 * (bpf/lib/hash.h): load balancers sharing a VIP must run the same flow-hash
 * version (README, "Several load balancers"). */
static void print_version(void)
{
	out_str("version", "evenflow %s\n", EF_VERSION);
	out_u64("flow_hash_version", "flow-hash version %llu\n", EF_FLOW_HASH_VERSION);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},	       {"verbose", no_argument, NULL, 'v'},
	    {"pin-dir", required_argument, NULL, 'p'}, {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},       {NULL, 0, NULL, 0},
	};
	struct ef_ctx ctx = {};
	bool version = false;
	char shown[4096];
	const char *msg;
	int c, err = -EINVAL;

	opterr = 0;
	/* '+': the global options before OBJECT; the command's parser takes
	 * them after it too */
	while ((c = getopt_long(argc, argv, "+:jvh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctx.json = true;
			break;
		case 'v':
			ctx.verbose++;
			break;
		case 'p':
			ctx.pin_dir = optarg;
			break;
		case 'h':
			ef_cmd_usage_all(ef_top_cmds);
			return 0;
		case 'V':
			version = true;
			break;
		case ':':
			ef_usage("option '%s' needs a value",
				 ef_arg_show(argv[optind - 1], shown, sizeof(shown)));
			goto fail;
		default:
			ef_usage("unknown option '%s' (try --help)",
				 ef_arg_show(argv[optind - 1], shown, sizeof(shown)));
			goto fail;
		}
	}
	ef_log_init(ctx.verbose);
	out_init(ctx.json);
	if (version) {
		print_version();
		out_finish();
		return 0;
	}
	err = ef_cmd_dispatch(ef_top_cmds, &ctx, argc - optind, argv + optind);
	if (!err) {
		out_finish();
		return EF_EXIT_OK;
	}
	if (!ef_err_msg())
		ef_err(err, "%s: %s", argv[optind] ? argv[optind] : "evenflow", strerror(-err));
fail:
	out_init(ctx.json);
	msg = ef_text_escape(ef_err_msg(), SIZE_MAX, shown, sizeof(shown));
	fprintf(stderr, "evenflow: %s\n", msg);
	out_error(msg);
	return ef_cmd_exit(&ctx, err);
}
