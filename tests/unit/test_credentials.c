/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "credentials.h"

static int lookup(const char *json, const char *registry, char *out)
{
	return cred_lookup(json, strlen(json), registry, out, CRED_MAX);
}

static void test_lookup(void **state)
{
	/* "alice:s3cret", "bob:pw:with:colons", "hub:x" */
	static const char file[] = "{\"auths\": {"
				   "\"harbor.example.org\": {\"auth\": \"YWxpY2U6czNjcmV0\"},"
				   "\"https://10.0.0.1:5000\": {\"auth\": \"Ym9iOnB3OndpdGg6Y29sb25z\"},"
				   "\"https://index.docker.io/v1/\": {\"auth\": \"aHViOng=\"},"
				   "\"bad.example\": {\"auth\": \"!!!!\"},"
				   "\"nocolon.example\": {\"auth\": \"YWxpY2U=\"}}}";
	char out[CRED_MAX];

	(void)state;
	assert_int_equal(lookup(file, "harbor.example.org", out), 1);
	assert_string_equal(out, "alice:s3cret");
	assert_int_equal(lookup(file, "10.0.0.1:5000", out), 1);
	assert_string_equal(out, "bob:pw:with:colons");
	assert_int_equal(lookup(file, "registry-1.docker.io", out), 1);
	assert_string_equal(out, "hub:x");
	assert_int_equal(lookup(file, "10.0.0.1", out), 0);         /* the port is part of the name */
	assert_int_equal(lookup(file, "harbor.example", out), 0);
	assert_int_equal(lookup(file, "bad.example", out), 0);
	assert_int_equal(lookup(file, "nocolon.example", out), 0);
	assert_string_equal(out, "");
	assert_int_equal(lookup("{}", "x", out), 0);
	assert_int_equal(lookup("not json", "x", out), -1);
	assert_int_equal(lookup("[1]", "x", out), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
