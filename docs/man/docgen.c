// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * docgen: the reference pages from the tables the program itself runs on,
 * so that they cannot drift from it (README, "Manual pages").
 *
 *   docgen TEMPLATE    copies the scdoc TEMPLATE to stdout, each line that
 *                      is only a marker replaced by what it names:
 *     @GLOBALS@        the global options (ef_global_opts)
 *     @COMMANDS@       every command: usage line, help, and each row of its
 *                      argument table as --help prints it (cli/opts.h)
 *     @SCHEMA@         every key of the configuration file, nested
 *                      (core/config_schema.h)
 *   docgen --schema-md the schema as the README's Markdown table
 *
 * Built at `make` time and linked with the CLI's objects (not main.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/config_schema.h"

/* scdoc's markup characters are escaped: the tables hold plain text. */
static void scd(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '*' || *s == '_')
			putchar('\\');
		putchar(*s);
	}
}

/* A Markdown table cell: '|' escaped. */
static void md(const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			putchar('\\');
		putchar(*s);
	}
}

static bool row_end(const struct ef_opt *o)
{
	return !o->name && !o->metavar;
}

/* Each row of set: "*--weight W*" then its help indented. */
static void opt_rows(const struct ef_opt_set *set)
{
	const struct ef_opt *o;

	for (o = set->opts; o && !row_end(o); o++) {
		char left[48], right[512];

		ef_opts_row(set, o, left, sizeof(left), right, sizeof(right));
		printf("\t*");
		scd(left);
		printf("*\n\t\t");
		scd(right);
		printf("\n\n");
	}
}

static void usage_line(const char *path, const struct ef_opt_set *set)
{
	char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);

	if (!f)
		exit(1);
	fprintf(f, "evenflow %s", path);
	ef_opts_usage_line(f, set);
	fclose(f);
	printf("## ");
	scd(line);
	printf("\n\n");
	free(line);
}

static void command(const char *path, const struct ef_cmd *c)
{
	usage_line(path, c->args);
	scd(c->help);
	printf("\n\n");
	opt_rows(c->args);
}

static void commands(void)
{
	const struct ef_cmd *c, *s;
	char path[64];

	for (c = ef_top_cmds; c->name; c++) {
		if (!c->sub) {
			command(c->name, c);
			continue;
		}
		for (s = c->sub; s->name; s++) {
			snprintf(path, sizeof(path), "%s %s", c->name, s->name);
			command(path, s);
		}
	}
}

static void globals(void)
{
	const struct ef_opt_set set = {.opts = ef_global_opts};

	opt_rows(&set);
}

/* A list's items are named "key[]": "vips[].backends[].weight". */
static void key_path(char *buf, size_t len, const char *prefix, const struct ef_cfg_key *k)
{
	snprintf(buf, len, "%s%s%s%s", prefix, prefix[0] ? "." : "", k->name,
		 !strncmp(k->type, "list", 4) && k->keys ? "[]" : "");
}

/* Each key of table under prefix, then its own keys; a table already shown
 * (health under a VIP and a backend) is named, not repeated. */
static void schema(const struct ef_cfg_key *table, const char *prefix, bool as_md,
		   const struct ef_cfg_key **shown, size_t *n_shown)
{
	const struct ef_cfg_key *k;
	char path[256];
	size_t i;

	for (k = table; k->name; k++) {
		key_path(path, sizeof(path), prefix, k);
		for (i = 0; k->keys && i < *n_shown && shown[i] != k->keys; i++)
			;
		if (as_md) {
			printf("| `%s` | ", path);
			md(k->type);
			printf(": ");
			md(k->help);
			printf("%s |\n", k->keys && i < *n_shown ? " (keys as above)" : "");
		} else {
			printf("*");
			scd(path);
			printf("* (");
			scd(k->type);
			printf(")\n\t");
			scd(k->help);
			if (k->keys && i < *n_shown)
				printf(" (keys as above)");
			printf("\n\n");
		}
		if (!k->keys || i < *n_shown)
			continue;
		shown[(*n_shown)++] = k->keys;
		schema(k->keys, path, as_md, shown, n_shown);
	}
}

static void schema_all(bool as_md)
{
	const struct ef_cfg_key *shown[64];
	size_t n = 0;

	if (as_md)
		printf("| key | value |\n|---|---|\n");
	schema(ef_cfg_top_keys, "", as_md, shown, &n);
}

int main(int argc, char **argv)
{
	char line[1024];
	FILE *f;

	if (argc == 2 && !strcmp(argv[1], "--schema-md")) {
		schema_all(true);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: docgen TEMPLATE | docgen --schema-md\n");
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strcmp(line, "@GLOBALS@\n"))
			globals();
		else if (!strcmp(line, "@COMMANDS@\n"))
			commands();
		else if (!strcmp(line, "@SCHEMA@\n"))
			schema_all(false);
		else
			fputs(line, stdout);
	}
	fclose(f);
	return 0;
}
