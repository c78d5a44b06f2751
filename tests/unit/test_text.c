// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_text: outside text made safe to print (util/text.c): valid UTF-8
 * kept, control bytes, invalid and overlong sequences, surrogates and C1
 * controls escaped, long text cut.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../select.h"

#include "util/text.h"

struct row {
	const char *in, *want;
};

static void test_escape_table(void **state)
{
	static const struct row rows[] = {
	    {"plain 10.0.0.1:80/tcp", "plain 10.0.0.1:80/tcp"},
	    {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	     "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
	    {"a\x1b[31mb", "a\\x1b[31mb"},		  /* terminal escape */
	    {"tab\there\n", "tab\\x09here\\x0a"},	  /* control bytes */
	    {"\xff\xfe", "\\xff\\xfe"},			  /* not UTF-8 at all */
	    {"\xc0\xaf", "\\xc0\\xaf"},			  /* overlong '/' */
	    {"\xe0\x80\xaf", "\\xe0\\x80\\xaf"},	  /* overlong, 3 bytes */
	    {"\xed\xa0\x80", "\\xed\\xa0\\x80"},	  /* a surrogate */
	    {"\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"}, /* past U+10FFFF */
	    {"\xc2\x9b", "\\xc2\\x9b"},			  /* C1 CSI */
	    {"\xc3", "\\xc3"},				  /* cut sequence at the end */
	    {"\x7f", "\\x7f"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char buf[256];

		ef_text_escape(rows[i].in, SIZE_MAX, buf, sizeof(buf));
		if (strcmp(buf, rows[i].want))
			fail_msg("row %zu: got '%s', want '%s'", i, buf, rows[i].want);
		assert_int_equal(ef_text_needs_escape(rows[i].in),
				 strcmp(rows[i].in, rows[i].want) != 0);
	}
}

static void test_cut(void **state)
{
	char in[1000], buf[64];

	(void)state;
	memset(in, 'a', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	/* max_chars first, then what fits the buffer */
	ef_text_escape(in, 10, buf, sizeof(buf));
	assert_string_equal(buf, "aaaaaaaaaa...");
	ef_text_escape(in, SIZE_MAX, buf, sizeof(buf));
	assert_true(strlen(buf) < sizeof(buf));
	/* an escape is never cut in the middle */
	memset(in, '\x01', sizeof(in) - 1);
	ef_text_escape(in, SIZE_MAX, buf, sizeof(buf));
	assert_int_equal(strlen(buf) % 4, 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_table),
	    cmocka_unit_test(test_cut),
	};

	if (ef_test_select(argc, argv))
		return 2;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
