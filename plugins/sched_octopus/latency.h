/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * latency - a histogram of the time spent in job_submit, 1 us buckets.
 *
 * Admission cost is this plugin's contract (flat in queue length, p99 within
 * tens of microseconds), so it is measured where it is spent. Wall time only:
 * it is what the submitting RPC waits, and CLOCK_MONOTONIC is a vDSO read,
 * while a thread CPU clock is a syscall that would cost more than a fifth of
 * the call it measures. The watcher thread logs p50/p99/max and resets on
 * every `scontrol reconfigure`; bench/sched-octopus reads those lines.
 */
#ifndef OCTOPUS_LATENCY_H
#define OCTOPUS_LATENCY_H

#include <stdint.h>
#include <time.h>

void latency_start(struct timespec *start);
void latency_record(const struct timespec *start);

typedef struct {
	uint64_t n, p50_us, p99_us, max_us;
} latency_report_t;

/* Summarise and reset. */
void latency_take(latency_report_t *r);

#endif
