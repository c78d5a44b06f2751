/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * select.h: the command line of the unit and packet test programs.
 *
 *   PROGRAM [-t PATTERN] [-g GROUP]
 *
 * -t runs only the cases whose name matches PATTERN (cmocka's wildcards:
 * `*` any text, `?` one character), e.g. `-t 'ipv6*'`; -g (packet tests)
 * only the groups whose name holds GROUP, e.g. `-g conntrack`. Each case's
 * name is the one its TAP line prints.
 */
#ifndef EF_TEST_SELECT_H
#define EF_TEST_SELECT_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The -g argument, NULL: every group. */
static const char *ef_test_group;

/* Reads argv: 0, or -1 after a usage line on stderr. */
static inline int ef_test_select(int argc, char **argv)
{
	int opt;

	while ((opt = getopt(argc, argv, "t:g:")) != -1) {
		if (opt == 't') {
			cmocka_set_test_filter(optarg);
		} else if (opt == 'g') {
			ef_test_group = optarg;
		} else {
			fprintf(stderr, "usage: %s [-t PATTERN] [-g GROUP]\n", argv[0]);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0], argv[optind]);
		return -1;
	}
	return 0;
}

/* Whether group name runs (-g). */
static inline int ef_test_group_on(const char *name)
{
	return !ef_test_group || strstr(name, ef_test_group);
}

#endif /* EF_TEST_SELECT_H */
