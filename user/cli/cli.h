/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * cli.h: the command table. main() matches OBJECT and COMMAND (exact name or
 * unambiguous prefix, like ip) and calls the command's run function with
 * argv[0] = the command name; each command parses its own options with
 * getopt_long over its option table (ef_getopt).
 */
#ifndef EF_CLI_H
#define EF_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include <xdp/libxdp.h>

/* Global options, from before OBJECT. */
struct ef_ctx {
	const char *pin_dir;
	bool json;
	int verbose;
};

struct ef_cmd;

/* A command: run gets argv[0] = its name. Returns 0 or a negative errno
 * (with the error line recorded through ef_err / ef_usage). */
typedef int (*ef_run_fn)(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv);

struct ef_cmd {
	const char *name;
	ef_run_fn run;		   /* NULL for an object with sub-commands */
	const struct ef_cmd *sub;  /* an object's commands, NULL-name terminated */
	const struct option *opts; /* getopt_long table (--help is added) */
	const char *args;	   /* "VIP ADDR [--weight W]" */
	const char *help;	   /* one line */
};

/* The top-level table (main.c) and each object's table (cmd_*.c). */
extern const struct ef_cmd ef_top_cmds[];
extern const struct ef_cmd ef_vip_cmds[];
extern const struct ef_cmd ef_backend_cmds[];
extern const struct ef_cmd ef_decap_cmds[];

int cmd_attach(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv);
int cmd_detach(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv);
int cmd_status(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv);
int cmd_stats(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv);
extern const struct option ef_lookup_opts[];
int cmd_lookup(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv);
/* Watching the shares (cmd_stats.c, cmd_check.c, cmd_top.c, cmd_metrics.c). */
extern const struct option ef_stats_opts[], ef_check_opts[], ef_top_opts[], ef_metrics_opts[];
int cmd_check(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv);
int cmd_top(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv);
int cmd_metrics(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv);
/* The configuration file (cmd_apply.c, cmd_daemon.c). */
extern const struct option ef_apply_opts[], ef_daemon_opts[];
int cmd_apply(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv);
int cmd_daemon(const struct ef_ctx *ctx, const struct ef_cmd *cmd, int argc, char **argv);

/* Finds name (exact, else unambiguous prefix) in table (of object parent,
 * NULL at the top); NULL + usage error. */
const struct ef_cmd *ef_cmd_find(const struct ef_cmd *table, const char *name, const char *parent);

/* Names the running command ("vip add") in usage messages. */
void ef_cmd_set_path(const char *object, const char *command);

/* Prints "Usage: evenflow [prefix] cmd args" and the help line to stdout. */
void ef_cmd_usage(const struct ef_cmd *cmd, const char *prefix);

/*
 * getopt_long over cmd->opts plus --help/-h. Returns the option's val, -1 at
 * the end (optind = first positional), 'h' for help (the caller prints
 * usage and returns 0), or '?' after recording a usage error.
 * Call ef_getopt_reset() before the first call.
 */
void ef_getopt_reset(void);
int ef_getopt(const struct ef_cmd *cmd, int argc, char **argv);

/* The option loop of a command with no option but --help (usage printed
 * with prefix): 0 with optind at the positionals, 1 after printing the
 * usage (the caller returns 0), -EINVAL after recording a usage error. */
int ef_getopt_none(const struct ef_cmd *cmd, int argc, char **argv, const char *prefix);

/* Checks that exactly min..max positional arguments remain after options. */
int ef_nargs(const struct ef_cmd *cmd, int argc, char **argv, int min, int max);

/* Positional arguments, parsed with a usage error naming the input:
 * "vip 10.0.0.1:80/tcpx: unknown protocol (tcp or udp)". */
struct ef_vip_key;
struct ef_addr;
int ef_arg_vip(const char *s, struct ef_vip_key *key);
int ef_arg_addr(const char *what, const char *s, struct ef_addr *addr, unsigned char *family);
/* The one positional DEV of attach commands: a device of this netns. */
int ef_arg_dev(const struct ef_cmd *cmd, int argc, char **argv, const char **dev);
int ef_arg_u32(const char *what, const char *s, unsigned min, unsigned max, unsigned *out);
/* --mode: "native" or "generic". */
int ef_arg_mode(const char *s, enum xdp_attach_mode *mode);

#endif /* EF_CLI_H */
