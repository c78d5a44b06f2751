// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ef_announce.c: the announcement table by hand, through user/announce.h,
 * for the cluster harness and tests until the daemon announces by itself.
 *
 *   ef-announce [--table N] [--proto P] set ADDR...   the table holds exactly these
 *   ef-announce [--table N] [--proto P] withdraw      none
 *   ef-announce [--table N] [--proto P] show          one address a line
 *
 * `set` and `withdraw` print "added N removed N". Exit status 0, 1 on an
 * error (one line on stderr), 2 on a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/addr.h"
#include "daemon/announce.h"
#include "util/log.h"

static int usage(FILE *f, int status)
{
	fprintf(f,
		"usage: ef-announce [--table N] [--proto P] set ADDR... | withdraw | show\n"
		"  --table N  routing table (default %d)\n"
		"  --proto P  route protocol (default %d)\n",
		EF_ANNOUNCE_TABLE_DEFAULT, EF_ANNOUNCE_PROTO_DEFAULT);
	return status;
}

static int show(struct ef_announce *a)
{
	struct ef_announce_addr *v;
	char text[EF_ADDR_STRLEN];
	size_t n, i;
	int err;

	err = ef_announce_read(a, &v, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++)
		printf("%s\n", ef_addr_str(&v[i].addr, v[i].family, text, sizeof(text)));
	free(v);
	return 0;
}

static void print_change(const struct ef_announce_change *chg)
{
	printf("added %zu removed %zu\n", chg->added, chg->removed);
}

static int set(struct ef_announce *a, char **args, int n)
{
	struct ef_announce_change chg;
	struct ef_announce_addr *v;
	const char *why;
	int i, err = 0;

	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return ef_err(-ENOMEM, "out of memory");
	for (i = 0; i < n && !err; i++)
		if (ef_addr_parse(args[i], &v[i].addr, &v[i].family, &why))
			err = ef_usage("%s: %s", args[i], why);
	if (!err)
		err = ef_announce_set(a, v, (size_t)n, &chg);
	if (!err)
		print_change(&chg);
	free(v);
	return err;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"table", required_argument, NULL, 't'},
	    {"proto", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {},
	};
	__u32 table = EF_ANNOUNCE_TABLE_DEFAULT, proto = EF_ANNOUNCE_PROTO_DEFAULT;
	struct ef_announce_change chg;
	struct ef_announce *a = NULL;
	const char *cmd;
	int c, err;

	ef_log_init(0);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (ef_parse_u32(optarg, 1, 0xffffffffU, &table))
				return fprintf(stderr, "ef-announce: bad table %s\n", optarg), 2;
			break;
		case 'p':
			if (ef_parse_u32(optarg, 0, 255, &proto))
				return fprintf(stderr, "ef-announce: bad protocol %s\n", optarg), 2;
			break;
		case 'h':
			return usage(stdout, 0);
		default:
			return usage(stderr, 2);
		}
	}
	if (optind >= argc)
		return usage(stderr, 2);
	cmd = argv[optind++];
	if (strcmp(cmd, "set") &&
	    ((strcmp(cmd, "withdraw") && strcmp(cmd, "show")) || optind < argc))
		return usage(stderr, 2);

	err = ef_announce_open(table, (__u8)proto, &a);
	if (!err) {
		if (!strcmp(cmd, "set"))
			err = set(a, argv + optind, argc - optind);
		else if (!strcmp(cmd, "show"))
			err = show(a);
		else if (!(err = ef_announce_withdraw_all(a, &chg)))
			print_change(&chg);
	}
	ef_announce_close(a);
	if (err) {
		fprintf(stderr, "ef-announce: %s\n", ef_err_msg() ? ef_err_msg() : strerror(-err));
		return ef_err_is_usage() ? 2 : 1;
	}
	return 0;
}
