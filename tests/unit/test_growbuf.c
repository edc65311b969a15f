/* SPDX-License-Identifier: GPL-2.0-or-later */
/* growbuf: the bound is kept exactly, the bytes and the NUL are right
 * across growths, and a refused append leaves the buffer as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "growbuf.h"

static void test_append_grows_and_terminates(void **state)
{
	growbuf_t b = { 0 };
	char chunk[1000];
	size_t len;
	char *d;

	(void)state;
	for (size_t i = 0; i < 100; i++) {
		memset(chunk, 'a' + (int)(i % 26), sizeof(chunk));
		assert_int_equal(growbuf_append(&b, chunk, sizeof(chunk), 1 << 20), 0);
		assert_int_equal(b.len, (i + 1) * sizeof(chunk));
		assert_int_equal(b.data[b.len], '\0');
		assert_true(b.cap > b.len);
	}
	for (size_t i = 0; i < 100; i++)
		assert_int_equal(b.data[i * 1000 + 999], 'a' + (int)(i % 26));
	/* doubling: a 100 kB answer in far fewer allocations than appends */
	assert_true(b.cap < 2 * 100000 + 16384);
	d = growbuf_take(&b, &len);
	assert_int_equal(len, 100000);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	free(d);
}

static void test_bound(void **state)
{
	growbuf_t b = { 0 };

	(void)state;
	assert_int_equal(growbuf_append(&b, "12345", 5, 10), 0);
	assert_int_equal(growbuf_append(&b, "12345", 5, 10), 0);   /* exactly the bound */
	assert_int_equal(growbuf_append(&b, "x", 1, 10), -1);      /* one past */
	assert_int_equal(b.len, 10);
	assert_string_equal(b.data, "1234512345");
	assert_true(b.cap <= 11);                                  /* never reserved past the bound */
	assert_int_equal(growbuf_append(&b, "x", SIZE_MAX, SIZE_MAX - 1), -1);     /* no wrap-around */
	assert_int_equal(growbuf_append(&b, "", 0, 10), 0);
	growbuf_free(&b);
	assert_null(b.data);
	/* the first byte past a bound of 0 */
	assert_int_equal(growbuf_append(&b, "x", 1, 0), -1);
	assert_null(b.data);
}

static void test_reserve(void **state)
{
	growbuf_t b = { 0 };
	char *before;

	(void)state;
	assert_int_equal(growbuf_reserve(&b, 3000000, 1 << 22), 0);
	assert_int_equal(b.cap, 3000001);
	before = b.data;
	for (int i = 0; i < 3000; i++) {
		char k[1000];

		memset(k, 'k', sizeof(k));
		assert_int_equal(growbuf_append(&b, k, sizeof(k), 1 << 22), 0);
	}
	assert_ptr_equal(b.data, before);       /* one buffer, no copies */
	assert_int_equal(growbuf_reserve(&b, 5000000, 1 << 22), -1);
	assert_int_equal(growbuf_reserve(&b, SIZE_MAX, SIZE_MAX), -1);
	growbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_grows_and_terminates),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_reserve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
