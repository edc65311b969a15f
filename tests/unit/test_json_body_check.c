// SPDX-License-Identifier: GPL-2.0-or-later
/* json_body_check: what json-c alone lets through (bad UTF-8, "\u0000",
 * a key twice, bytes after the value) is refused, naming the field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "json_body_check.h"

static int check(const char *body, size_t len, char *field, char *why)
{
	return json_body_check(body, len, field, 128, why, 200);
}

#define REFUSED(body, want_field, want_why)                                                                 \
	do {                                                                                                \
		char f[128], w[200];                                                                        \
		assert_int_equal(check(body, sizeof(body) - 1, f, w), -1);                                  \
		assert_string_equal(f, want_field);                                                         \
		if (!strstr(w, want_why))                                                           \
			fail_msg("%s: why '%s' lacks '%s'", #body, w, want_why);                            \
	} while (0)

static void test_clean_bodies_pass(void **state)
{
	static const char *const ok[] = {
		"{}", "[]", "{\"a\":1}", " {\"name\": \"caf\xc3\xa9 \xe2\x9c\x93\", \"n\": [1, 2.5, true, null]} \n",
		"{\"a\":{\"a\":{\"a\":1}},\"b\":[{\"a\":1},{\"a\":2}]}", "\"just a string\"", "42",
	};
	char f[128], w[200];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (check(ok[i], strlen(ok[i]), f, w))
			fail_msg("refused %s: %s: %s", ok[i], f, w);
}

static void test_refusals_name_the_field(void **state)
{
	(void)state;
	REFUSED("{\"reason\": \"bad \xff byte\"}", "reason", "not valid UTF-8");
	REFUSED("{\"spec\": {\"command\": \"echo \xc3\x28\"}}", "spec.command", "not valid UTF-8");
	REFUSED("{\"args\": [\"ok\", \"\xed\xa0\x80\"]}", "args[1]", "not valid UTF-8");       /* a surrogate */
	REFUSED("{\"name\": \"a\\u0000b\"}", "name", "NUL");
	REFUSED("{\"na\\u0000me\": 1}", "", "a key contains a NUL");
	REFUSED("{\"units\": 1, \"units\": 9}", "units", "appears twice");
	REFUSED("{\"env\": {\"A\": \"1\", \"A\": \"2\"}}", "env.A", "appears twice");
	REFUSED("{\"a\": 1} trailing", "", "not one JSON value");
	REFUSED("{\"a\": 1}{\"b\": 2}", "", "not one JSON value");
	REFUSED("{\"a\": ", "", "not one JSON value");
	REFUSED("", "", "not one JSON value");
	REFUSED("[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]", "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]",
		"nested too deeply");
}

static void test_many_keys(void **state)
{
	char body[16384], f[128], w[200];
	size_t n = 0;

	(void)state;
	n += (size_t)snprintf(body + n, sizeof(body) - n, "{");
	for (int i = 0; i < JBC_MAX_KEYS + 1; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "%s\"k%d\":%d", i ? "," : "", i, i);
	n += (size_t)snprintf(body + n, sizeof(body) - n, "}");
	assert_int_equal(check(body, n, f, w), -1);
	assert_non_null(strstr(w, "too many fields"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_bodies_pass),
		cmocka_unit_test(test_refusals_name_the_field),
		cmocka_unit_test(test_many_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
