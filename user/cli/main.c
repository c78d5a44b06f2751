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

const struct ef_cmd ef_top_cmds[] = {
    {.name = "attach",
     .run = cmd_attach,
     .args = &ef_attach_args,
     .help = "load the data plane (once per pin dir) and attach it to DEV"},
    {.name = "detach",
     .run = cmd_detach,
     .args = &ef_detach_args,
     .help = "detach; the pinned state goes when the last device is detached"},
    {.name = "status",
     .run = cmd_status,
     .args = &ef_status_args,
     .help = "attached devices, mode, program id, pin dir, map fill"},
    {.name = "vip", .sub = ef_vip_cmds, .help = "virtual services"},
    {.name = "backend", .sub = ef_backend_cmds, .help = "backends of a VIP"},
    {.name = "stats",
     .run = cmd_stats,
     .args = &ef_stats_args,
     .help = "counters per VIP and backend, and every verdict counter; --interval: every S "
	     "seconds, rates and each backend's share of new flows next to its expected share, "
	     "'!' when outside tolerance (-j: one JSON object per line)"},
    {.name = "check",
     .run = cmd_check,
     .args = &ef_check_args,
     .answers = true,
     .help = "watch the counters for a window; exit 1 naming the VIP and backend if a backend "
	     "takes more new flows than its weight says, else 0; --peer URL...: exit 1 naming the "
	     "VIP and sibling whose fingerprints differ; exit 3 when it cannot check (no data "
	     "plane, a sibling that cannot be read)"},
    {.name = "top",
     .run = cmd_top,
     .args = &ef_top_args,
     .help = "full-screen live view of every backend's share (tab: VIP, s: sort, q: quit)"},
    {.name = "metrics",
     .run = cmd_metrics,
     .args = &ef_metrics_args,
     .help = "serve Prometheus metrics at http://ADDR:PORT/metrics"},
    {.name = "lookup",
     .run = cmd_lookup,
     .args = &ef_lookup_args,
     .help = "the backend a new flow from CLIENT would take, and its connection entry if any"},
    {.name = "decap", .sub = ef_decap_cmds, .help = "backend side: decapsulation"},
    {.name = "apply",
     .run = cmd_apply,
     .args = &ef_apply_args,
     .help = "make the YAML FILE the whole configuration, all or nothing: validates it, prints "
	     "the plan (shares before and after, slots that move), refuses a harmful change "
	     "without --force"},
    {.name = "daemon",
     .run = cmd_daemon,
     .args = &ef_daemon_args,
     .help = "apply FILE, then health-check its backends and mark them down/up, reload on "
	     "SIGHUP, serve metrics, log imbalance, announce the VIP addresses (announce:) and "
	     "compare fingerprints with siblings (siblings:); SIGTERM withdraws, drains and stops, "
	     "leaving the data plane running; SIGUSR1/SIGUSR2: maintenance on/off"},
    {NULL},
};

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
