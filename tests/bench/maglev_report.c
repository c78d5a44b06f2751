// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * maglev_report.c: the Maglev quality report (run by `make bench`).
 *
 * For equal backends (N = 3, 10, 100, 1000) and weighted sets (1:2:3,
 * 1:1:1:97) at the default table size: max/min slot share per unit of weight,
 * the worst relative error against the weight share, the fraction of slots
 * that move when one backend is removed or added next to classic Maglev and
 * to the ideal, and the time to build the table (median of 9 builds).
 * Then build times for 10..10000 backends. `--json FILE` also writes the rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "quality.h"

struct mq_case {
	const char *name;
	size_t n;
	const __u16 *weights; /* NULL: equal */
};

static const __u16 w123[] = {1, 2, 3};
static const __u16 w97[] = {1, 1, 1, 97};

static const struct mq_case cases[] = {
    {"3 equal", 3, NULL},	{"10 equal", 10, NULL},	    {"100 equal", 100, NULL},
    {"1000 equal", 1000, NULL}, {"weights 1:2:3", 3, w123}, {"weights 1:1:1:97", 4, w97},
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median time of 9 fills of n backends at size m, in ms. */
static double build_ms(const struct ef_mg_backend *bes, size_t n, __u32 m, __u32 *table)
{
	double t[9];

	for (int i = 0; i < 9; i++) {
		double start = now_ms();

		if (ef_maglev_fill(bes, n, m, table) < 0)
			return -1;
		t[i] = now_ms() - start;
	}
	qsort(t, 9, sizeof(t[0]), cmp_double);
	return t[4];
}

int main(int argc, char **argv)
{
	FILE *json = NULL;
	int failed = 0;

	if (argc == 3 && !strcmp(argv[1], "--json")) {
		json = fopen(argv[2], "w");
		if (!json) {
			perror(argv[2]);
			return 1;
		}
		fprintf(json, "{\"cases\": [");
	} else if (argc != 1) {
		fprintf(stderr, "usage: %s [--json FILE]\n", argv[0]);
		return 2;
	}

	printf("Maglev quality at the default table size (evenflow's weighted fill)\n");
	printf("%-17s %8s %8s %8s | %-24s | %-24s | %8s\n", "case", "M", "max/min", "worst",
	       "remove one: moved", "add one: moved", "build");
	printf("%-17s %8s %8s %8s | %7s %7s %8s | %7s %7s %8s | %8s\n", "", "slots", "", "error",
	       "ours", "classic", "ours/ideal", "ours", "classic", "ours/ideal", "ms");
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct mq_case *k = &cases[c];
		__u32 m = ef_maglev_default_size(k->n);
		struct ef_mg_backend *bes = ef_mq_backends(k->n, k->weights);
		__u32 *table = malloc(sizeof(__u32) * m);
		struct ef_mq_churn rm = {0}, add = {0};
		struct ef_mq_shares sh;
		double ms;

		if (!bes || !table || ef_maglev_fill(bes, k->n, m, table) < 0) {
			fprintf(stderr, "%s: fill failed\n", k->name);
			return 1;
		}
		sh = ef_mq_measure(bes, k->n, table, m);
		ms = build_ms(bes, k->n, m, table);
		if (!k->weights && (ef_mq_churn(k->n, m, 0, &rm) || ef_mq_churn(k->n, m, 1, &add)))
			failed = 1;
		if (k->weights)
			printf("%-17s %8u %8.4f %7.3f%% | %7s %7s %8s | %7s %7s %8s | %8.3f\n",
			       k->name, m, sh.max_over_min, sh.worst_error * 100, "-", "-", "-",
			       "-", "-", "-", ms);
		else
			printf("%-17s %8u %8.4f %7.3f%% | %6.3f%% %6.3f%% %8.3f | %6.3f%% %6.3f%% "
			       "%8.3f | %8.3f\n",
			       k->name, m, sh.max_over_min, sh.worst_error * 100, rm.moved * 100,
			       rm.moved_classic * 100, rm.moved / rm.ideal, add.moved * 100,
			       add.moved_classic * 100, add.moved / add.ideal, ms);
		if (json)
			fprintf(
			    json,
			    "%s\n {\"case\": \"%s\", \"table_size\": %u, \"max_over_min\": %.6f, "
			    "\"worst_error\": %.6f, \"remove_moved\": %.6f, "
			    "\"remove_moved_classic\": %.6f, \"remove_ideal\": %.6f, "
			    "\"add_moved\": %.6f, \"add_moved_classic\": %.6f, \"add_ideal\": "
			    "%.6f, "
			    "\"build_ms\": %.4f}",
			    c ? "," : "", k->name, m, sh.max_over_min, sh.worst_error, rm.moved,
			    rm.moved_classic, rm.ideal, add.moved, add.moved_classic, add.ideal,
			    ms);
		free(bes);
		free(table);
	}

	printf("\nTable build time, equal weights, default size (median of 9)\n");
	printf("%10s %10s %10s\n", "backends", "slots", "ms");
	if (json)
		fprintf(json, "],\n \"build\": [");
	for (size_t n = 10, i = 0; n <= 10000; n *= 10, i++) {
		__u32 m = ef_maglev_default_size(n);
		struct ef_mg_backend *bes = ef_mq_backends(n, NULL);
		__u32 *table = malloc(sizeof(__u32) * m);
		double ms;

		if (!bes || !table)
			return 1;
		ms = build_ms(bes, n, m, table);
		printf("%10zu %10u %10.3f\n", n, m, ms);
		if (json)
			fprintf(json,
				"%s{\"backends\": %zu, \"table_size\": %u, \"build_ms\": %.4f}",
				i ? ", " : "", n, m, ms);
		free(bes);
		free(table);
	}
	if (json) {
		fprintf(json, "]}\n");
		fclose(json);
	}
	return failed;
}
