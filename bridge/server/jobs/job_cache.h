/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * job_cache - slurmrestd's job list, kept for JobsCacheMs, so a crowd of
 * pollers costs slurmctld one RPC per period: while one request fetches,
 * the others with the same key wait for its answer instead of asking too
 * (coalescing). Keyed by "*" when every user sees the same list (no
 * PrivateData=jobs), else by user.
 */
#ifndef OCTOPUS_JOB_CACHE_H
#define OCTOPUS_JOB_CACHE_H

#include <stdint.h>

#include "job_list.h"

typedef struct job_cache job_cache_t;

/* fetch: get a fresh list (one reference, handed over) for key; 0 or -1.
 * prev (may be NULL) is the list fetched at epoch second prev_at: when
 * slurmctld says nothing changed since (slurmrestd's update_time, 304),
 * fetch hands back a new reference to prev instead of parsing a new one. */
typedef int (*job_fetch_fn)(void *arg, job_list_t *prev, int64_t prev_at, job_list_t **jobs);

job_cache_t *job_cache_new(int ttl_ms);
void job_cache_free(job_cache_t *c);

/* The list for key (a new reference: job_list_unref it), from the cache
 * when fresh, else from fetch (one caller fetches per key; the rest wait).
 * NULL when the fetch failed. *hit says which. */
job_list_t *job_cache_get(job_cache_t *c, const char *key, job_fetch_fn fetch, void *arg, int *hit);

/* Drop key (after a submit or cancel, the list is stale). */
void job_cache_invalidate(job_cache_t *c);

void job_cache_stats(job_cache_t *c, uint64_t *hits, uint64_t *misses);

#endif
