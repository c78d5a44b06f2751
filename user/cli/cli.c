// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cli.c: command tables: name matching, dispatch, usage. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "util/log.h"

#define GLOBAL_USAGE "evenflow [-j] [-v] [--pin-dir DIR]"

const struct ef_cmd *ef_cmd_find(const struct ef_cmd *table, const char *name, const char *parent)
{
	const struct ef_cmd *c, *found = NULL;
	char shown[EF_ARG_SHOWN * 4 + 8];
	size_t len = strlen(name);
	int matches = 0;

	for (c = table; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	for (c = table; c->name && len; c++) {
		if (!strncmp(c->name, name, len)) {
			found = c;
			matches++;
		}
	}
	if (matches == 1)
		return found;
	ef_arg_show(name, shown, sizeof(shown));
	if (!parent && matches > 1)
		ef_usage("object '%s' is ambiguous (try --help)", shown);
	else if (!parent)
		ef_usage("unknown object '%s' (try --help)", shown);
	else if (matches > 1)
		ef_usage("%s: command '%s' is ambiguous (try '%s --help')", parent, shown, parent);
	else
		ef_usage("%s: unknown command '%s' (try '%s --help')", parent, shown, parent);
	return NULL;
}

void ef_cmd_usage(const struct ef_cmd *cmd, const char *parent)
{
	const struct ef_cmd *c;

	if (cmd->sub) {
		printf("Usage: " GLOBAL_USAGE " %s COMMAND [ARGS]\n  %s\n", cmd->name, cmd->help);
		for (c = cmd->sub; c->name; c++) {
			printf("\n%s %s", cmd->name, c->name);
			ef_opts_usage_line(stdout, c->args);
			printf("\n  %s\n", c->help);
			ef_opts_help(stdout, c->args);
		}
		return;
	}
	printf("Usage: " GLOBAL_USAGE " %s%s%s", parent ? parent : "", parent ? " " : "",
	       cmd->name);
	ef_opts_usage_line(stdout, cmd->args);
	printf("\n  %s\n", cmd->help);
	ef_opts_help(stdout, cmd->args);
}

void ef_cmd_usage_all(const struct ef_cmd *table)
{
	const struct ef_opt_set globals = {.opts = ef_global_opts};
	const struct ef_cmd *c, *s;

	printf("Usage: " GLOBAL_USAGE " OBJECT COMMAND [ARGS]\n");
	ef_opts_help(stdout, &globals);
	printf("\n");
	for (c = table; c->name; c++) {
		for (s = c->sub ? c->sub : c; s->name; s++) {
			printf("  %s%s%s", c->sub ? c->name : "", c->sub ? " " : "", s->name);
			ef_opts_usage_line(stdout, s->args);
			printf("\n");
			if (!c->sub)
				break;
		}
	}
	printf(
	    "\nGlobal options may also follow the command. Names may be shortened to an\n"
	    "unambiguous prefix; 'evenflow help OBJECT [COMMAND]' or COMMAND --help for more.\n");
}

/* evenflow help [OBJECT [COMMAND]] */
static int help(const struct ef_cmd *table, int argc, char **argv)
{
	const struct ef_cmd *obj, *cmd;

	if (argc < 2) {
		ef_cmd_usage_all(table);
		return 0;
	}
	obj = ef_cmd_find(table, argv[1], NULL);
	if (!obj)
		return -EINVAL;
	if (argc < 3 || !obj->sub) {
		ef_cmd_usage(obj, NULL);
		return 0;
	}
	cmd = ef_cmd_find(obj->sub, argv[2], obj->name);
	if (!cmd)
		return -EINVAL;
	ef_cmd_usage(cmd, obj->name);
	return 0;
}

/* Parses cmd's arguments (argv[0] is its name) into a copy of its
 * defaults and runs it. */
static int run(const struct ef_cmd *cmd, const char *parent, struct ef_ctx *ctx, int argc,
	       char **argv)
{
	char path[64];
	void *args = NULL;
	int err;

	snprintf(path, sizeof(path), "%s%s%s", parent ? parent : "", parent ? " " : "", cmd->name);
	if (cmd->args->size) {
		args = malloc(cmd->args->size);
		if (!args)
			return ef_err(-ENOMEM, "out of memory");
		memcpy(args, cmd->args->defaults, cmd->args->size);
	}
	err = ef_opts_parse(cmd->args, path, ctx, argc, argv, args);
	if (err == 1) {
		ef_cmd_usage(cmd, parent);
		err = 0;
	} else if (!err) {
		ef_log_init(ctx->verbose);
		out_init(ctx->json);
		err = cmd->run(ctx, args);
	}
	free(args);
	return err;
}

int ef_cmd_dispatch(const struct ef_cmd *table, struct ef_ctx *ctx, int argc, char **argv)
{
	const struct ef_cmd *obj, *cmd;

	if (argc < 1)
		return ef_usage("missing OBJECT (try --help)");
	if (!strcmp(argv[0], "help"))
		return help(table, argc, argv);
	obj = ef_cmd_find(table, argv[0], NULL);
	if (!obj)
		return -EINVAL;
	if (!obj->sub) {
		ctx->cmd = obj;
		return run(obj, NULL, ctx, argc, argv);
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
	ctx->cmd = cmd;
	return run(cmd, obj->name, ctx, argc - 1, argv + 1);
}

enum ef_exit ef_cmd_exit(const struct ef_ctx *ctx, int err)
{
	if (!err)
		return EF_EXIT_OK;
	if (ef_err_is_usage())
		return EF_EXIT_USAGE;
	if (ctx->cmd && ctx->cmd->answers && err != EF_ERR_FOUND)
		return EF_EXIT_UNCHECKED;
	return EF_EXIT_FAIL;
}
