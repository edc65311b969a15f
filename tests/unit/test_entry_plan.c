/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "entrypoint/entry_plan.h"

static void test_round_trip(void **state)
{
	char *in[] = { "/docker-entrypoint.sh", "", "a,b:c d", "10:x,", "/bin/true" }, *out[8];
	char *plan = entry_plan_encode(in, 5);

	(void)state;
	assert_non_null(plan);
	assert_string_equal(plan, "21:/docker-entrypoint.sh,0:,7:a,b:c d,5:10:x,,9:/bin/true,");
	assert_int_equal(entry_plan_decode(plan, out, 8), 5);
	for (int i = 0; i < 5; i++)
		assert_string_equal(out[i], in[i]);
	free(plan);
}

static void bad(const char *s, size_t max)
{
	char buf[256], *out[4];

	snprintf(buf, sizeof(buf), "%s", s);
	if (entry_plan_decode(buf, out, max) != -1)
		fail_msg("'%s' decoded", s);
}

static void test_malformed(void **state)
{
	char empty[] = "", *out[2];

	(void)state;
	assert_int_equal(entry_plan_decode(empty, out, 2), 0);
	bad("3:abc", 4);                /* no ',' */
	bad("4:abc,", 4);               /* shorter than it says */
	bad("2:abc,", 4);               /* longer */
	bad(":abc,", 4);                /* no length */
	bad("03:abc,", 4);              /* two spellings of one length */
	bad("-1:a,", 4);
	bad("1000000:a,", 4);           /* length beyond any plan */
	bad("1:a,1:b,1:c,", 2);         /* more words than the caller takes */
	bad("1:a,x", 4);                /* trailing junk */
}

static void test_limits(void **state)
{
	char *many[ENTRY_PLAN_MAX_WORDS + 1], *big;

	(void)state;
	for (int i = 0; i <= ENTRY_PLAN_MAX_WORDS; i++)
		many[i] = "x";
	assert_null(entry_plan_encode(many, ENTRY_PLAN_MAX_WORDS + 1));
	big = malloc(ENTRY_PLAN_MAX_BYTES + 1);
	assert_non_null(big);
	memset(big, 'y', ENTRY_PLAN_MAX_BYTES);
	big[ENTRY_PLAN_MAX_BYTES] = '\0';
	assert_null(entry_plan_encode(&big, 1));
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
