/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "latency.h"

#include <string.h>

#define BUCKETS 2000    /* 0..1999 us; the last also holds everything slower */

typedef struct {
	uint64_t hist[BUCKETS];
	uint64_t max_us;
} histogram_t;

/* written by job_submit (serialised by slurmctld), read by the watcher */
static histogram_t wall_h;

static uint64_t elapsed_us(const struct timespec *a, const struct timespec *b)
{
	int64_t ns = (int64_t)(b->tv_sec - a->tv_sec) * 1000000000 + (b->tv_nsec - a->tv_nsec);

	return ns > 0 ? (uint64_t)ns / 1000u : 0;
}

static void add(histogram_t *h, uint64_t us)
{
	__atomic_fetch_add(&h->hist[us < BUCKETS ? us : BUCKETS - 1], 1, __ATOMIC_RELAXED);
	if (us > __atomic_load_n(&h->max_us, __ATOMIC_RELAXED))
		__atomic_store_n(&h->max_us, us, __ATOMIC_RELAXED);
}

void latency_start(struct timespec *start)
{
	clock_gettime(CLOCK_MONOTONIC, start);
}

void latency_record(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	add(&wall_h, elapsed_us(start, &now));
}

/* Reset h and return its count, p50, p99 and max. */
static uint64_t take(histogram_t *h, uint64_t *p50, uint64_t *p99, uint64_t *max)
{
	static uint64_t snap[BUCKETS];  /* only the watcher thread takes */
	uint64_t n = 0, seen = 0;
	int have50 = 0;

	*p50 = *p99 = 0;
	for (int i = 0; i < BUCKETS; i++) {
		snap[i] = __atomic_exchange_n(&h->hist[i], 0, __ATOMIC_RELAXED);
		n += snap[i];
	}
	*max = __atomic_exchange_n(&h->max_us, 0, __ATOMIC_RELAXED);
	for (int i = 0; i < BUCKETS && n; i++) {
		seen += snap[i];
		if (!have50 && seen * 2 >= n) {
			*p50 = (uint64_t)i;
			have50 = 1;
		}
		if (seen * 100 >= n * 99) {
			*p99 = (uint64_t)i;
			break;
		}
	}
	return n;
}

void latency_take(latency_report_t *r)
{
	memset(r, 0, sizeof(*r));
	r->n = take(&wall_h, &r->p50_us, &r->p99_us, &r->max_us);
}
