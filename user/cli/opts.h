/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * opts.h: a command's arguments declared as a table (in the spirit of
 * xdp-tools' params.c). Each row names a positional argument or an
 * option, its type, the field of the command's argument struct it fills,
 * its range and its help line. One parser fills the struct from argv
 * (getopt_long underneath) and one printer makes `--help` from the same
 * rows, defaults included, so the help cannot drift from the parser.
 *
 * The global options (-j, -v, --pin-dir) are accepted anywhere on the
 * command line, before or after OBJECT COMMAND.
 */
#ifndef EF_OPTS_H
#define EF_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "evenflow.h"

/* What a row's argument is, and the C type of its field. */
enum ef_opt_type {
	EF_OPT_FLAG,	 /* bool: an option without a value */
	EF_OPT_U32,	 /* unsigned: a decimal number in [min, max] */
	EF_OPT_U64,	 /* uint64_t: a decimal number in [min, max] */
	EF_OPT_NUM,	 /* double: a number in [min, max] */
	EF_OPT_STR,	 /* const char *: the text as given */
	EF_OPT_CHOICE,	 /* int: the value of one of choices[] */
	EF_OPT_VIP,	 /* struct ef_vip_key: ADDR:PORT/PROTO */
	EF_OPT_ADDR,	 /* struct ef_arg_addr: an IPv4 or IPv6 address */
	EF_OPT_ENDPOINT, /* struct ef_arg_endpoint: ADDR:PORT or [ADDR]:PORT */
	EF_OPT_DEV,	 /* const char *: a network device of this namespace */
	EF_OPT_CUSTOM,	 /* the row's parse function fills the field */
};

struct ef_arg_addr {
	struct ef_addr addr;
	__u8 family; /* 0: not given */
};

struct ef_arg_endpoint {
	struct ef_addr addr;
	__u8 family;
	__u16 port; /* host order */
};

/* A name and the value it stands for (EF_OPT_CHOICE). */
struct ef_choice {
	const char *name;
	int value;
};

/* A macro's value as a string, for help lines. */
#define EF_STR_(x) #x
#define EF_STR(x)  EF_STR_(x)

/* Row flags. */
#define EF_OPT_OPTIONAL (1U << 0) /* a positional that may be left out */
#define EF_OPT_REQUIRED (1U << 1) /* an option that must be given */
#define EF_OPT_MANY	(1U << 2) /* the last positional: every argument left, each through parse */

struct ef_opt {
	const char *name;    /* long option without "--"; NULL for a positional */
	const char *metavar; /* its value in the usage ("W"); a positional's name */
	enum ef_opt_type type;
	size_t field; /* offsetof() in the command's argument struct */
	double min, max;
	const struct ef_choice *choices; /* EF_OPT_CHOICE: ends with a NULL name */
	/* EF_OPT_CUSTOM: 0, or a usage error recorded (ef_usage) naming opt */
	int (*parse)(const struct ef_opt *opt, const char *arg, void *field);
	unsigned flags;
	const char *help; /* one line */
};

/* A table ends with a row whose name and metavar are both NULL. */
#define EF_OPT_END                                                                                 \
	{                                                                                          \
		NULL, NULL, EF_OPT_FLAG, 0, 0, 0, NULL, NULL, 0, NULL                              \
	}

/* What a command's arguments are: its table, and the defaults its struct
 * starts from (also shown by --help). */
struct ef_opt_set {
	const struct ef_opt *opts;
	const void *defaults;
	size_t size;
};

#define EF_OPT_SET(table, defaults_struct)                                                         \
	{                                                                                          \
		.opts = (table), .defaults = &(defaults_struct), .size = sizeof(defaults_struct)   \
	}

/* A command that takes nothing. */
extern const struct ef_opt_set ef_no_args;

/* The global options, wherever they are given. */
struct ef_ctx {
	const char *pin_dir;
	bool json;
	int verbose;
	const struct ef_cmd *cmd; /* set by ef_cmd_dispatch: the command it runs */
};

/*
 * Fills args (which the caller has set to the defaults) from argv[1..]
 * (argv[0] is the command's name): options anywhere, positionals in table
 * order, global options into ctx. Returns 0, 1 when --help was asked (the
 * caller prints the usage), or -EINVAL with a usage error recorded that
 * names `path` ("backend set: ...").
 */
int ef_opts_parse(const struct ef_opt_set *set, const char *path, struct ef_ctx *ctx, int argc,
		  char **argv, void *args);

/* "VIP ADDR [--weight W]": the usage line of a table. */
void ef_opts_usage_line(FILE *f, const struct ef_opt_set *set);
/* Row o of set as --help shows it: left "--weight W" (or a positional's
 * name), right its help, range and default. */
void ef_opts_row(const struct ef_opt_set *set, const struct ef_opt *o, char *left, size_t llen,
		 char *right, size_t rlen);
/* One line per row: name, metavar, help, range and default. */
void ef_opts_help(FILE *f, const struct ef_opt_set *set);

/* The global options' rows (for the top-level help). */
extern const struct ef_opt ef_global_opts[];

/* An argument as it may appear in an error line: printable ASCII and valid
 * UTF-8 kept, anything else escaped (\xNN), cut to EF_ARG_SHOWN characters
 * with "..." after. Returns buf. */
#define EF_ARG_SHOWN 64
const char *ef_arg_show(const char *arg, char *buf, size_t len);

#endif /* EF_OPTS_H */
