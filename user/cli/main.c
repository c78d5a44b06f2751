// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * main.c: evenflow [-j] [-v] [--pin-dir DIR] OBJECT COMMAND [ARGS]
 *
 * Only dispatch: global options, then the command table (cli.h). The error
 * a command recorded is printed here, once; exit status 2 for usage errors,
 * 1 for other failures.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "util/log.h"

static const struct option attach_opts[] = {
    {"mode", required_argument, NULL, 'm'},
    {"conntrack-size", required_argument, NULL, 'c'},
    {"udp-timeout", required_argument, NULL, 'u'},
    {NULL, 0, NULL, 0},
};

const struct ef_cmd ef_top_cmds[] = {
    {.name = "attach",
     .run = cmd_attach,
     .opts = attach_opts,
     .args = "DEV [--mode native|generic] [--conntrack-size N] [--udp-timeout S]",
     .help = "load the data plane (once per pin dir) and attach it to DEV"},
    {.name = "detach",
     .run = cmd_detach,
     .args = "DEV",
     .help = "detach; the pinned state goes when the last device is detached"},
    {.name = "status",
     .run = cmd_status,
     .args = "",
     .help = "attached devices, mode, program id, pin dir, map fill"},
    {.name = "vip", .sub = ef_vip_cmds, .help = "virtual services"},
    {.name = "backend", .sub = ef_backend_cmds, .help = "backends of a VIP"},
    {.name = "stats",
     .run = cmd_stats,
     .opts = ef_stats_opts,
     .args = "[--interval S [--count N] [--window S] [--factor F] [--margin M] [--min-flows N]]",
     .help = "counters per VIP and backend, and every verdict counter; --interval: every S "
	     "seconds, rates and each backend's share of new flows next to its expected share, "
	     "'!' when outside tolerance (-j: one JSON object per line)"},
    {.name = "check",
     .run = cmd_check,
     .opts = ef_check_opts,
     .args = "[--window S] [--factor F] [--margin M] [--min-flows N]",
     .help = "watch S seconds (5); exit 1 naming the VIP and backend if a backend takes more "
	     "new flows than its weight says (over F=2 times or M=0.20 above its expected share, "
	     "with N=100 new flows at least), else 0"},
    {.name = "top",
     .run = cmd_top,
     .opts = ef_top_opts,
     .args = "[--interval S] [--window S] [--factor F] [--margin M] [--min-flows N]",
     .help = "full-screen live view of every backend's share (tab: VIP, s: sort, q: quit)"},
    {.name = "metrics",
     .run = cmd_metrics,
     .opts = ef_metrics_opts,
     .args = "[--listen ADDR:PORT] [--window S] [--factor F] [--margin M] [--min-flows N]",
     .help = "serve Prometheus metrics at http://ADDR:PORT/metrics (default 127.0.0.1:9632)"},
    {.name = "lookup",
     .run = cmd_lookup,
     .opts = ef_lookup_opts,
     .args = "VIP CLIENT [--dport P]",
     .help = "the backend a new flow from CLIENT (ADDR:PORT, [v6]:PORT) would take, and its "
	     "connection entry if any; --dport: the port, for a VIP of every port"},
    {.name = "decap", .sub = ef_decap_cmds, .help = "backend side: decapsulation"},
    {.name = "apply",
     .run = cmd_apply,
     .opts = ef_apply_opts,
     .args = "FILE [--dry-run] [--force]",
     .help = "make the YAML FILE the whole configuration, all or nothing: validates it, prints "
	     "the plan (shares before and after, slots that move), refuses a harmful change "
	     "without --force; --dry-run: the plan only"},
    {.name = "daemon",
     .run = cmd_daemon,
     .opts = ef_daemon_opts,
     .args = "--config FILE [--force]",
     .help = "apply FILE, then health-check its backends and mark them down/up, reload on "
	     "SIGHUP, serve metrics, log imbalance; SIGTERM leaves the data plane running"},
    {NULL},
};

static void usage(void)
{
	const struct ef_cmd *c, *s;

	printf("Usage: evenflow [-j] [-v] [--pin-dir DIR] OBJECT COMMAND [ARGS]\n"
	       "  -j, --json        JSON output\n"
	       "  -v, --verbose     more messages (-vv: libbpf and libxdp too)\n"
	       "  --pin-dir DIR     state directory (default $EVENFLOW_PIN_DIR or "
	       "/sys/fs/bpf/evenflow)\n\n");
	for (c = ef_top_cmds; c->name; c++) {
		if (!c->sub) {
			printf("  %s%s%s\n", c->name, *c->args ? " " : "", c->args);
			continue;
		}
		for (s = c->sub; s->name; s++)
			printf("  %s %s%s%s\n", c->name, s->name, *s->args ? " " : "", s->args);
	}
	printf("\nNames may be shortened to an unambiguous prefix; COMMAND --help for more.\n");
}

static int dispatch(const struct ef_ctx *ctx, int argc, char **argv)
{
	const struct ef_cmd *obj, *cmd;

	if (argc < 1)
		return ef_usage("missing OBJECT (try --help)");
	obj = ef_cmd_find(ef_top_cmds, argv[0], NULL);
	if (!obj)
		return -EINVAL;
	if (!obj->sub) {
		ef_cmd_set_path(NULL, obj->name);
		return obj->run(ctx, obj, argc, argv);
	}
	if (argc < 2)
		return ef_usage("%s: missing command (try '%s --help')", obj->name, obj->name);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		ef_cmd_usage(obj, NULL);
		return 0;
	}
	cmd = ef_cmd_find(obj->sub, argv[1], obj->name);
	if (!cmd)
		return -EINVAL;
	ef_cmd_set_path(obj->name, cmd->name);
	return cmd->run(ctx, cmd, argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"pin-dir", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct ef_ctx ctx = {};
	const char *msg;
	int c, err;

	opterr = 0;
	/* '+': global options end at OBJECT */
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
			usage();
			return 0;
		case ':':
			ef_usage("option '%s' needs a value", argv[optind - 1]);
			goto fail;
		default:
			ef_usage("unknown option '%s' (try --help)", argv[optind - 1]);
			goto fail;
		}
	}
	ef_log_init(ctx.verbose);
	out_init(ctx.json);
	err = dispatch(&ctx, argc - optind, argv + optind);
	if (!err) {
		out_finish();
		return 0;
	}
	if (!ef_err_msg())
		ef_err(err, "%s: %s", argv[optind] ? argv[optind] : "evenflow", strerror(-err));
fail:
	out_init(ctx.json);
	msg = ef_err_msg();
	fprintf(stderr, "evenflow: %s\n", msg);
	out_error(msg);
	return ef_err_is_usage() ? 2 : 1;
}
