/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "latency.h"

/* Record a call that began us microseconds ago. */
static void record_ago(uint64_t us)
{
	struct timespec m;
	int64_t ns;

	latency_start(&m);
	ns = (int64_t)m.tv_sec * 1000000000 + m.tv_nsec - (int64_t)us * 1000;
	m.tv_sec = ns / 1000000000;
	m.tv_nsec = ns % 1000000000;
	latency_record(&m);
}

static void test_percentiles_and_reset(void **state)
{
	latency_report_t r;

	(void)state;
	latency_take(&r);       /* start empty */
	for (int i = 0; i < 98; i++)
		record_ago(10);
	record_ago(200);
	record_ago(1500);
	latency_take(&r);
	assert_int_equal(r.n, 100);
	/* gaps between the groups absorb preemption of this test; each
	 * percentile must land in its own group */
	assert_in_range(r.p50_us, 10, 150);
	assert_in_range(r.p99_us, 200, 1400);
	assert_in_range(r.max_us, 1500, 1999);

	latency_take(&r);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.p99_us, 0);
	assert_int_equal(r.max_us, 0);
}

static void test_slow_calls_land_in_the_last_bucket(void **state)
{
	latency_report_t r;

	(void)state;
	latency_take(&r);
	record_ago(5000000);
	latency_take(&r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.p50_us, 1999);
	assert_in_range(r.max_us, 5000000, 5000100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentiles_and_reset),
		cmocka_unit_test(test_slow_calls_land_in_the_last_bucket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
