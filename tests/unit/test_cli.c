// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_cli: the command tables and argument tables (user/cli/cli.c,
 * user/cli/opts.c), the recorded error line (user/util/log.c) and the
 * text/JSON printer (user/cli/output.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <cmocka.h>

#include "../select.h"

#include "cli/cli.h"
#include "cli/output.h"
#include "util/log.h"

/* A command's arguments, as the command tables declare them. */
struct set_args {
	struct ef_vip_key key;
	struct ef_arg_addr be;
	unsigned weight;
	int state;
	double ratio;
	bool flag;
};

static const struct ef_choice states[] = {{"up", 1}, {"drain", 2}, {"down", 3}, {NULL, 0}};

static const struct ef_opt set_opts[] = {
    {NULL, "VIP", EF_OPT_VIP, offsetof(struct set_args, key), .help = "the VIP"},
    {NULL, "BACKEND", EF_OPT_ADDR, offsetof(struct set_args, be), .help = "the backend"},
    {"weight", "W", EF_OPT_U32, offsetof(struct set_args, weight), 1, 65535, .help = "weight"},
    {"state", "up|drain|down", EF_OPT_CHOICE, offsetof(struct set_args, state), .choices = states,
     .help = "state"},
    {"ratio", "R", EF_OPT_NUM, offsetof(struct set_args, ratio), 0, 1, .help = "ratio"},
    {"flag", NULL, EF_OPT_FLAG, offsetof(struct set_args, flag), .help = "flag"},
    EF_OPT_END,
};

static const struct set_args set_defaults = {.weight = 7, .ratio = 0.5};
static const struct ef_opt_set set_set = EF_OPT_SET(set_opts, set_defaults);

static const struct ef_cmd table[] = {
    {.name = "add", .args = &ef_no_args, .help = "add"},
    {.name = "del", .args = &ef_no_args, .help = "del"},
    {.name = "set", .args = &set_set, .help = "set"},
    {.name = "show", .args = &ef_no_args, .help = "show"},
    {.name = "status", .args = &ef_no_args, .help = "status"},
    {NULL},
};

/* Parses argv (argc words, argv[0] the command) into *a from the defaults. */
static int parse(struct ef_ctx *ctx, struct set_args *a, int argc, char **argv)
{
	*a = set_defaults;
	return ef_opts_parse(&set_set, "backend set", ctx, argc, argv, a);
}

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

static void test_parse(void **state)
{
	char *argv[] = {"set",	   "--weight", "3",	 "10.0.0.10:80/tcp", "-j", "10.1.0.2",
			"--state", "drain",    "--flag", "--pin-dir",	     "/x", NULL};
	struct ef_ctx ctx = {};
	struct set_args a;

	(void)state;
	assert_int_equal(parse(&ctx, &a, 11, argv), 0);
	assert_int_equal(a.weight, 3);
	assert_int_equal(a.state, 2);
	assert_true(a.flag);
	assert_true(a.ratio == 0.5); /* the default, not given */
	assert_int_equal(a.key.family, EF_FAMILY_V4);
	assert_int_equal(ntohs(a.key.port), 80);
	assert_int_equal(a.be.family, EF_FAMILY_V4);
	assert_int_equal(a.be.addr.a32[0], htonl(0x0a010002));
	/* the global options, after the command */
	assert_true(ctx.json);
	assert_string_equal(ctx.pin_dir, "/x");
	assert_null(ef_err_msg());
}

/* Each bad command line: the usage error it records. */
static void test_parse_errors(void **state)
{
	static const struct {
		int argc;
		char *argv[5];
		const char *err;
	} cases[] = {
	    {4,
	     {"set", "V", "B", "--bogus"},
	     "backend set: unknown option '--bogus' (try 'backend "
	     "set --help')"},
	    {2, {"set", "--weight"}, "backend set: option '--weight' needs a value"},
	    {2,
	     {"set", "10.0.0.10:80/tcp"},
	     "backend set: missing BACKEND (try 'backend set --help')"},
	    {4,
	     {"set", "10.0.0.10:80/tcp", "10.1.0.2", "C"},
	     "backend set: unexpected argument 'C'"},
	    {4,
	     {"set", "10.0.0.10:80/tcp", "10.1.0.2", "--weight=0"},
	     "backend set: --weight 0: must be a number in 1..65535"},
	    {4,
	     {"set", "10.0.0.10:80/tcp", "10.1.0.2", "--ratio=2"},
	     "backend set: --ratio 2: must be a number from 0 to 1"},
	    {4,
	     {"set", "10.0.0.10:80/tcp", "10.1.0.2", "--state=sideways"},
	     "backend set: --state sideways: must be up, drain or down"},
	    {3,
	     {"set", "10.0.0.300:80/tcp", "10.1.0.2"},
	     "backend set: vip 10.0.0.300:80/tcp: invalid IPv4 address"},
	    {3,
	     {"set", "10.0.0.10:80/tcp", "10.1.0.\xff\x01"},
	     "backend set: backend 10.1.0.\\xff\\x01: invalid IPv4 address"},
	};
	struct set_args a;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ef_ctx ctx = {};

		ef_err_clear();
		assert_int_equal(parse(&ctx, &a, cases[i].argc, (char **)cases[i].argv), -EINVAL);
		assert_true(ef_err_is_usage());
		assert_string_equal(ef_err_msg(), cases[i].err);
	}
}

static void test_parse_help(void **state)
{
	char *argv[] = {"set", "--help", NULL};
	struct ef_ctx ctx = {};
	struct set_args a;

	(void)state;
	assert_int_equal(parse(&ctx, &a, 2, argv), 1);
	assert_null(ef_err_msg());
}

/* A long argument is shown cut, never whole. */
/* The last positional with EF_OPT_MANY takes every argument left, each
 * through its parse; none at all when it is optional. */
struct many_args {
	int side;
	unsigned n;
	char last[16];
};

static int count_word(const struct ef_opt *o, const char *arg, void *field)
{
	struct many_args *a = (struct many_args *)((char *)field - offsetof(struct many_args, n));

	(void)o;
	a->n++;
	snprintf(a->last, sizeof(a->last), "%s", arg);
	return 0;
}

static const struct ef_opt many_opts[] = {
    {NULL, "lb|backend", EF_OPT_CHOICE, offsetof(struct many_args, side), .choices = states,
     .flags = EF_OPT_OPTIONAL, .help = "side"},
    {NULL, "WORD", EF_OPT_CUSTOM, offsetof(struct many_args, n), .parse = count_word,
     .flags = EF_OPT_OPTIONAL | EF_OPT_MANY, .help = "words"},
    EF_OPT_END,
};
static const struct many_args many_defaults = {.side = 1};
static const struct ef_opt_set many_set = EF_OPT_SET(many_opts, many_defaults);

static void test_parse_many(void **state)
{
	char *three[] = {"doctor", "down", "a", "-j", "b", "c", NULL};
	char *none[] = {"doctor", NULL};
	struct ef_ctx ctx = {};
	struct many_args a = many_defaults;
	char *line = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(ef_opts_parse(&many_set, "doctor", &ctx, 6, three, &a), 0);
	assert_int_equal(a.side, 3);
	assert_int_equal(a.n, 3);
	assert_string_equal(a.last, "c");
	assert_true(ctx.json);
	a = many_defaults;
	assert_int_equal(ef_opts_parse(&many_set, "doctor", &ctx, 1, none, &a), 0);
	assert_int_equal(a.n, 0);
	assert_int_equal(a.side, 1);
	f = open_memstream(&line, &len);
	assert_non_null(f);
	ef_opts_usage_line(f, &many_set);
	fclose(f);
	assert_string_equal(line, " [lb|backend] [WORD...]");
	free(line);
}

static void test_arg_show(void **state)
{
	char big[100001], buf[EF_ARG_SHOWN * 4 + 8];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ef_arg_show(big, buf, sizeof(buf));
	assert_int_equal(strlen(buf), EF_ARG_SHOWN + 3);
	assert_string_equal(buf + EF_ARG_SHOWN, "...");
	ef_arg_show("caf\xc3\xa9 \x1b[31m", buf, sizeof(buf));
	assert_string_equal(buf, "caf\xc3\xa9 \\x1b[31m");
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

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_find, reset),
	    cmocka_unit_test_setup(test_find_ambiguous, reset),
	    cmocka_unit_test_setup(test_find_unknown, reset),
	    cmocka_unit_test_setup(test_parse, reset),
	    cmocka_unit_test_setup(test_parse_errors, reset),
	    cmocka_unit_test_setup(test_parse_help, reset),
	    cmocka_unit_test_setup(test_parse_many, reset),
	    cmocka_unit_test_setup(test_arg_show, reset),
	    cmocka_unit_test_setup(test_err_first_wins, reset),
	    cmocka_unit_test_setup(test_output_text, reset),
	    cmocka_unit_test_setup(test_output_json, reset),
	    cmocka_unit_test_setup(test_output_error, reset),
	};

	if (ef_test_select(argc, argv))
		return 2;
	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
