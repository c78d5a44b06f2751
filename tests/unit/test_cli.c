// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_cli: the command-table helpers (user/cli.c), the recorded error line
 * (user/log.c) and the text/JSON printer (user/output.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "util/log.h"

static const struct option set_opts[] = {
    {"weight", required_argument, NULL, 'w'},
    {"state", required_argument, NULL, 's'},
    {NULL, 0, NULL, 0},
};

static const struct ef_cmd table[] = {
    {.name = "add", .args = "X", .help = "add"},
    {.name = "del", .args = "X", .help = "del"},
    {.name = "set", .opts = set_opts, .args = "X Y", .help = "set"},
    {.name = "show", .args = "X", .help = "show"},
    {.name = "status", .args = "", .help = "status"},
    {NULL},
};

static int reset(void **state)
{
	(void)state;
	ef_err_clear();
	return 0;
}

static void test_find(void **state)
{
	(void)state;
	assert_ptr_equal(ef_cmd_find(table, "add", "obj"), &table[0]);
	assert_ptr_equal(ef_cmd_find(table, "a", "obj"), &table[0]);
	assert_ptr_equal(ef_cmd_find(table, "se", "obj"), &table[2]);
	/* an exact name wins over being a prefix of another */
	assert_ptr_equal(ef_cmd_find(table, "set", "obj"), &table[2]);
	assert_ptr_equal(ef_cmd_find(table, "stat", "obj"), &table[4]);
	assert_null(ef_err_msg());
}

static void test_find_ambiguous(void **state)
{
	(void)state;
	assert_null(ef_cmd_find(table, "s", "obj"));
	assert_true(ef_err_is_usage());
	assert_string_equal(ef_err_msg(), "obj: command 's' is ambiguous (try 'obj --help')");
}

static void test_find_unknown(void **state)
{
	(void)state;
	assert_null(ef_cmd_find(table, "frob", NULL));
	assert_true(ef_err_is_usage());
	assert_string_equal(ef_err_msg(), "unknown object 'frob' (try --help)");
	ef_err_clear();
	/* an empty word matches nothing, not everything */
	assert_null(ef_cmd_find(table, "", "obj"));
	assert_non_null(strstr(ef_err_msg(), "unknown command"));
}

static void test_getopt(void **state)
{
	char *argv[] = {"set", "VIP", "--weight", "3", "ADDR", "--state=up", NULL};
	int argc = 6, c, seen = 0;

	(void)state;
	ef_cmd_set_path("backend", "set");
	ef_getopt_reset();
	while ((c = ef_getopt(&table[2], argc, argv)) != -1) {
		if (c == 'w')
			assert_string_equal(optarg, "3"), seen |= 1;
		else if (c == 's')
			assert_string_equal(optarg, "up"), seen |= 2;
		else
			fail_msg("unexpected option %d", c);
	}
	assert_int_equal(seen, 3);
	/* positionals are moved after the options */
	assert_int_equal(ef_nargs(&table[2], argc, argv, 2, 2), 0);
	assert_string_equal(argv[optind], "VIP");
	assert_string_equal(argv[optind + 1], "ADDR");
	assert_int_equal(ef_nargs(&table[2], argc, argv, 3, 3), -EINVAL);
	assert_string_equal(ef_err_msg(), "backend set: missing argument (backend set X Y)");
}

static void test_getopt_errors(void **state)
{
	char *bad[] = {"set", "VIP", "--bogus", NULL};
	char *noval[] = {"set", "VIP", "--weight", NULL};
	char *help[] = {"set", "-h", NULL};
	char *extra[] = {"set", "A", "B", "C", NULL};

	(void)state;
	ef_cmd_set_path("backend", "set");
	ef_getopt_reset();
	assert_int_equal(ef_getopt(&table[2], 3, bad), '?');
	assert_string_equal(ef_err_msg(), "backend set: unknown option '--bogus'");
	ef_err_clear();
	ef_getopt_reset();
	assert_int_equal(ef_getopt(&table[2], 3, noval), '?');
	assert_string_equal(ef_err_msg(), "backend set: option '--weight' needs a value");
	assert_true(ef_err_is_usage());
	ef_err_clear();
	ef_getopt_reset();
	assert_int_equal(ef_getopt(&table[2], 2, help), 'h');
	ef_getopt_reset();
	assert_int_equal(ef_getopt(&table[2], 4, extra), -1);
	assert_int_equal(ef_nargs(&table[2], 4, extra, 2, 2), -EINVAL);
	assert_string_equal(ef_err_msg(), "backend set: unexpected argument 'C'");
}

static void test_err_first_wins(void **state)
{
	(void)state;
	assert_int_equal(ef_err(-ENOENT, "vip %s: no such VIP", "1.2.3.4:80/tcp"), -ENOENT);
	assert_int_equal(ef_err(-EIO, "outer context"), -EIO);
	assert_string_equal(ef_err_msg(), "vip 1.2.3.4:80/tcp: no such VIP");
	assert_false(ef_err_is_usage());
	/* a positive or zero error still reads as a failure */
	assert_true(ef_err(0, "x") < 0);
}

/* Runs fn with stdout in a temp file; returns what it printed. */
static void capture(void (*fn)(void), char *buf, size_t len)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDOUT_FILENO);
	size_t n;

	assert_non_null(tmp);
	fflush(stdout);
	dup2(fileno(tmp), STDOUT_FILENO);
	fn();
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, len - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
}

static void print_sample(void)
{
	out_str("vip", "vip %s", "10.0.0.10:80/tcp");
	out_u64("id", " id %llu\n", 3);
	out_arr_open("backends");
	out_obj_open(NULL);
	out_str("addr", "  %s", "10.0.0.2");
	out_double("share", " %.1f%%\n", 25.0);
	out_bool("up", NULL, true);
	out_obj_close();
	out_arr_close();
	out_text("end\n");
	out_finish();
}

static void test_output_text(void **state)
{
	char buf[512];

	(void)state;
	out_init(false);
	capture(print_sample, buf, sizeof(buf));
	assert_string_equal(buf, "vip 10.0.0.10:80/tcp id 3\n  10.0.0.2 25.0%\nend\n");
}

static void test_output_json(void **state)
{
	char buf[512];

	(void)state;
	out_init(true);
	capture(print_sample, buf, sizeof(buf));
	assert_string_equal(buf, "{\n"
				 "  \"vip\": \"10.0.0.10:80/tcp\",\n"
				 "  \"id\": 3,\n"
				 "  \"backends\": [\n"
				 "    {\n"
				 "      \"addr\": \"10.0.0.2\",\n"
				 "      \"share\": 25.0,\n"
				 "      \"up\": true\n"
				 "    }\n"
				 "  ]\n"
				 "}\n");
}

static void print_failure(void)
{
	out_str("half", "x", "printed before the failure");
	out_error("vip x: no such VIP");
}

static void test_output_error(void **state)
{
	char buf[256];

	(void)state;
	out_init(true);
	capture(print_failure, buf, sizeof(buf));
	/* the error replaces the half-built document */
	assert_string_equal(buf, "{\"error\": \"vip x: no such VIP\"}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_find, reset),
	    cmocka_unit_test_setup(test_find_ambiguous, reset),
	    cmocka_unit_test_setup(test_find_unknown, reset),
	    cmocka_unit_test_setup(test_getopt, reset),
	    cmocka_unit_test_setup(test_getopt_errors, reset),
	    cmocka_unit_test_setup(test_err_first_wins, reset),
	    cmocka_unit_test_setup(test_output_text, reset),
	    cmocka_unit_test_setup(test_output_json, reset),
	    cmocka_unit_test_setup(test_output_error, reset),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
