// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * commands.c: the top-level command table (cli.h). Apart from main.c so that
 * the documentation generator (docs/man/docgen.c) prints evenflow(8) from the
 * very rows the parser and --help use.
 */
#include "cli/cli.h"

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
    {.name = "doctor",
     .run = cmd_doctor,
     .args = &ef_doctor_args,
     .help = "check the set-up step by step, with the fix for each failed step: lb (default): "
	     "bpffs, devices and their modes, forwarding, each backend's route, neighbour, MTU and "
	     "health, the announced addresses; backend: each VIP on lo, decap, rp_filter, ARP, MTU "
	     "and a probe; exit 1 if a step fails"},
    {NULL},
};
