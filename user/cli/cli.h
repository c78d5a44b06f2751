/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * cli.h: the command table. main() matches OBJECT and COMMAND (exact name or
 * unambiguous prefix, like ip), fills the command's argument struct from
 * its table (cli/opts.h) and calls the command with it. A command returns 0
 * or a negative errno with the error line recorded (util/log.h); main()
 * prints it once.
 */
#ifndef EF_CLI_H
#define EF_CLI_H

#include "cli/opts.h"

/* A command: args is its argument struct, filled from its table. */
typedef int (*ef_run_fn)(const struct ef_ctx *ctx, const void *args);

struct ef_cmd {
	const char *name;
	ef_run_fn run;		       /* NULL for an object with commands */
	const struct ef_cmd *sub;      /* an object's commands, NULL-name terminated */
	const struct ef_opt_set *args; /* positionals and options (cli/opts.h) */
	const char *help;	       /* one line */
	/* A command whose failure to find something is its answer (check):
	 * it returns EF_ERR_FOUND for the finding, and any other failure exits
	 * EF_EXIT_UNCHECKED rather than EF_EXIT_FAIL. */
	bool answers;
};

/* Exit statuses of evenflow (README, "Exit status"). */
enum ef_exit {
	EF_EXIT_OK = 0,
	EF_EXIT_FAIL = 1,      /* failed; check: found an imbalance or a difference */
	EF_EXIT_USAGE = 2,     /* bad arguments: nothing was done */
	EF_EXIT_UNCHECKED = 3, /* check could not check (no data plane, sibling unreadable) */
};
#define EF_ERR_FOUND (-ERANGE)

/* The top-level table (main.c) and each object's table (cmd_*.c). */
extern const struct ef_cmd ef_top_cmds[];
extern const struct ef_cmd ef_vip_cmds[];
extern const struct ef_cmd ef_backend_cmds[];
extern const struct ef_cmd ef_decap_cmds[];

/* The top-level commands and their arguments (each in its cmd_*.c). */
#define EF_TOP_CMD(name)                                                                           \
	extern const struct ef_opt_set ef_##name##_args;                                           \
	int cmd_##name(const struct ef_ctx *ctx, const void *args)
EF_TOP_CMD(attach);
EF_TOP_CMD(detach);
EF_TOP_CMD(status);
EF_TOP_CMD(stats);
EF_TOP_CMD(check);
EF_TOP_CMD(top);
EF_TOP_CMD(metrics);
EF_TOP_CMD(lookup);
EF_TOP_CMD(apply);
EF_TOP_CMD(daemon);
EF_TOP_CMD(doctor);

/* "devices:" and, per device running program prog_id, its name, ifindex,
 * mode and whether libxdp's dispatcher holds it (array "devices"); for
 * status and decap status. */
int ef_print_devices(__u32 prog_id);

/* The state the daemon of pin_dir reports (daemon/runfile.h) when one runs
 * (it holds its lock): the parsed JSON (json_decref it), else NULL. */
struct json_t *ef_daemon_state(const char *pin_dir);

/* --mode of the attach commands: native or generic (enum xdp_attach_mode). */
extern const struct ef_choice ef_mode_choices[];

/* Finds name (exact, else unambiguous prefix) in table (of object parent,
 * NULL at the top); NULL + usage error. */
const struct ef_cmd *ef_cmd_find(const struct ef_cmd *table, const char *name, const char *parent);

/*
 * Runs argv[0] (OBJECT [COMMAND] ARGS...) from table: 0, or a negative
 * errno with the error recorded. "help [OBJECT [COMMAND]]" and --help
 * anywhere print the usage.
 */
int ef_cmd_dispatch(const struct ef_cmd *table, struct ef_ctx *ctx, int argc, char **argv);
/* The exit status for dispatch's result err (ctx->cmd: the command it ran). */
enum ef_exit ef_cmd_exit(const struct ef_ctx *ctx, int err);

/* Usage of cmd (of object parent, NULL at the top) on stdout. */
void ef_cmd_usage(const struct ef_cmd *cmd, const char *parent);
/* Usage of the whole table on stdout. */
void ef_cmd_usage_all(const struct ef_cmd *table);

#endif /* EF_CLI_H */
