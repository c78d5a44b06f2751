// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cli.c: command-table helpers: name matching, usage, per-command getopt. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "util/addr.h"
#include "util/log.h"

#define EF_MAX_OPTS 16

/* "vip add": the command being run, for messages */
static char cmd_path[64];

void ef_cmd_set_path(const char *object, const char *command)
{
	snprintf(cmd_path, sizeof(cmd_path), "%s%s%s", object ? object : "", object ? " " : "",
		 command);
}

static const char *path_of(const struct ef_cmd *cmd)
{
	return cmd_path[0] ? cmd_path : cmd->name;
}

const struct ef_cmd *ef_cmd_find(const struct ef_cmd *table, const char *name, const char *parent)
{
	const struct ef_cmd *c, *found = NULL;
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
	if (!parent && matches > 1)
		ef_usage("object '%s' is ambiguous (try --help)", name);
	else if (!parent)
		ef_usage("unknown object '%s' (try --help)", name);
	else if (matches > 1)
		ef_usage("%s: command '%s' is ambiguous (try '%s --help')", parent, name, parent);
	else
		ef_usage("%s: unknown command '%s' (try '%s --help')", parent, name, parent);
	return NULL;
}

void ef_cmd_usage(const struct ef_cmd *cmd, const char *prefix)
{
	const struct ef_cmd *c;

	if (cmd->sub) {
		printf("Usage: evenflow [-j] [-v] [--pin-dir DIR] %s COMMAND [ARGS]\n", cmd->name);
		for (c = cmd->sub; c->name; c++)
			printf("  %s %s%s%s\n      %s\n", cmd->name, c->name,
			       c->args && *c->args ? " " : "", c->args ? c->args : "", c->help);
		return;
	}
	printf("Usage: evenflow [-j] [-v] [--pin-dir DIR] %s%s%s%s%s\n  %s\n", prefix ? prefix : "",
	       prefix ? " " : "", cmd->name, cmd->args && *cmd->args ? " " : "",
	       cmd->args ? cmd->args : "", cmd->help);
}

void ef_getopt_reset(void)
{
	optind = 0; /* glibc: 0 also resets its internal state */
	opterr = 0;
}

int ef_getopt(const struct ef_cmd *cmd, int argc, char **argv)
{
	struct option all[EF_MAX_OPTS + 2];
	size_t n = 0;
	int c;

	for (; cmd->opts && cmd->opts[n].name && n < EF_MAX_OPTS; n++)
		all[n] = cmd->opts[n];
	all[n++] = (struct option){"help", no_argument, NULL, 'h'};
	all[n] = (struct option){NULL, 0, NULL, 0};

	c = getopt_long(argc, argv, ":h", all, NULL);
	if (c == '?') {
		if (optopt)
			ef_usage("%s: unknown option '-%c'", path_of(cmd), optopt);
		else
			ef_usage("%s: unknown option '%s'", path_of(cmd), argv[optind - 1]);
		return '?';
	}
	if (c == ':') {
		ef_usage("%s: option '%s' needs a value", path_of(cmd), argv[optind - 1]);
		return '?';
	}
	return c;
}

int ef_getopt_none(const struct ef_cmd *cmd, int argc, char **argv, const char *prefix)
{
	int c;

	ef_getopt_reset();
	c = ef_getopt(cmd, argc, argv);
	if (c == -1)
		return 0;
	if (c != 'h')
		return -EINVAL;
	ef_cmd_usage(cmd, prefix);
	return 1;
}

int ef_nargs(const struct ef_cmd *cmd, int argc, char **argv, int min, int max)
{
	int n = argc - optind;

	if (n < min)
		return ef_usage("%s: missing argument (%s %s)", path_of(cmd), path_of(cmd),
				cmd->args ? cmd->args : "");
	if (n > max)
		return ef_usage("%s: unexpected argument '%s'", path_of(cmd), argv[optind + max]);
	return 0;
}

int ef_arg_vip(const char *s, struct ef_vip_key *key)
{
	const char *why;

	if (ef_vip_parse(s, key, &why))
		return ef_usage("vip %s: %s", s, why);
	return 0;
}

int ef_arg_addr(const char *what, const char *s, struct ef_addr *addr, unsigned char *family)
{
	const char *why;

	if (ef_addr_parse(s, addr, family, &why))
		return ef_usage("%s %s: %s", what, s, why);
	return 0;
}

int ef_arg_dev(const struct ef_cmd *cmd, int argc, char **argv, const char **dev)
{
	if (ef_nargs(cmd, argc, argv, 1, 1))
		return -EINVAL;
	*dev = argv[optind];
	if (!if_nametoindex(*dev))
		return ef_err(-ENODEV, "device %s: no such device", *dev);
	return 0;
}

int ef_arg_u32(const char *what, const char *s, unsigned min, unsigned max, unsigned *out)
{
	__u32 v;

	if (ef_parse_u32(s, min, max, &v))
		return ef_usage("%s %s: must be a number in %u..%u", what, s, min, max);
	*out = v;
	return 0;
}

int ef_arg_mode(const char *s, enum xdp_attach_mode *mode)
{
	if (!strcmp(s, "native"))
		*mode = XDP_MODE_NATIVE;
	else if (!strcmp(s, "generic"))
		*mode = XDP_MODE_SKB;
	else
		return ef_usage("--mode %s: must be native or generic", s);
	return 0;
}
