#include "latency.h"

#include <string.h>

#define BUCKETS 2000    /* 0..1999 us; the last also holds everything slower */

/* written by job_submit (serialised by slurmctld), read by the watcher */
static uint64_t hist[BUCKETS];
static uint64_t max_us;

void latency_record(const struct timespec *start)
{
	struct timespec now;
	uint64_t us;

	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (uint64_t)(now.tv_sec - start->tv_sec) * 1000000u + (uint64_t)(now.tv_nsec - start->tv_nsec) / 1000u;
	__atomic_fetch_add(&hist[us < BUCKETS ? us : BUCKETS - 1], 1, __ATOMIC_RELAXED);
	if (us > __atomic_load_n(&max_us, __ATOMIC_RELAXED))
		__atomic_store_n(&max_us, us, __ATOMIC_RELAXED);
}

void latency_take(latency_report_t *r)
{
	uint64_t snap[BUCKETS], seen = 0;
	int have50 = 0;

	memset(r, 0, sizeof(*r));
	for (int i = 0; i < BUCKETS; i++) {
		snap[i] = __atomic_exchange_n(&hist[i], 0, __ATOMIC_RELAXED);
		r->n += snap[i];
	}
	r->max_us = __atomic_exchange_n(&max_us, 0, __ATOMIC_RELAXED);
	for (int i = 0; i < BUCKETS && r->n; i++) {
		seen += snap[i];
		if (!have50 && seen * 2 >= r->n) {
			r->p50_us = (uint64_t)i;
			have50 = 1;
		}
		if (seen * 100 >= r->n * 99) {
			r->p99_us = (uint64_t)i;
			break;
		}
	}
}
