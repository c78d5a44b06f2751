// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_maglev_quality: the assertions of the Maglev quality report
 * (tests/bench/maglev_report.c prints the full table, with build times).
 *
 * - every backend's slot share is within 1% (relative) of its weight share,
 *   for N = 3, 10, 100, 1000 equal backends, for 1:2:3 and 1:1:1:97, and for
 *   weights at the top of the range (65535) at the default table size;
 * - removing or adding one backend moves no more slots than classic Maglev
 *   does at the same table size and with the same backends.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../select.h"

#include "quality.h"

/* Fill the default-size table for n backends of these weights and check the
 * worst relative share error. */
static void check_shares(size_t n, const __u16 *weights)
{
	__u32 m = ef_maglev_default_size(n);
	struct ef_mg_backend *bes = ef_mq_backends(n, weights);
	__u32 *table = malloc(sizeof(__u32) * m);
	struct ef_mq_shares sh;

	assert_non_null(bes);
	assert_non_null(table);
	assert_int_equal(ef_maglev_fill(bes, n, m, table), (int)n);
	sh = ef_mq_measure(bes, n, table, m);
	print_message("# %zu backends, M=%u: worst share error %.4f%%\n", n, m,
		      sh.worst_error * 100);
	assert_true(sh.worst_error < 0.01);
	free(bes);
	free(table);
}

static void test_equal_shares(void **state)
{
	(void)state;
	check_shares(3, NULL);
	check_shares(10, NULL);
	check_shares(100, NULL);
	check_shares(1000, NULL);
}

static void test_weighted_shares(void **state)
{
	static const __u16 w123[] = {1, 2, 3}, w97[] = {1, 1, 1, 97};
	__u16 *big = malloc(sizeof(__u16) * 1000);

	(void)state;
	assert_non_null(big);
	check_shares(3, w123);
	check_shares(4, w97);
	/* the top of the weight range: M * w must not overflow */
	for (int i = 0; i < 1000; i++)
		big[i] = i % 2 ? 65535 : 32768;
	check_shares(1000, big);
	free(big);
}

static void check_churn(size_t n, int add)
{
	struct ef_mq_churn c;

	assert_int_equal(ef_mq_churn(n, ef_maglev_default_size(n), add, &c), 0);
	print_message("# %s one of %zu: moved %.4f%%, classic %.4f%%, ideal %.4f%%\n",
		      add ? "add" : "remove", n, c.moved * 100, c.moved_classic * 100,
		      c.ideal * 100);
	/* never better than ideal, never worse than classic Maglev */
	assert_true(c.moved >= c.ideal - 1e-9);
	assert_true(c.moved <= c.moved_classic + 1e-9);
}

static void test_churn(void **state)
{
	(void)state;
	check_churn(3, 0);
	check_churn(10, 0);
	check_churn(100, 0);
	check_churn(1000, 0);
	check_churn(10, 1);
	check_churn(100, 1);
	check_churn(1000, 1);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_equal_shares),
	    cmocka_unit_test(test_weighted_shares),
	    cmocka_unit_test(test_churn),
	};

	if (ef_test_select(argc, argv))
		return 2;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
