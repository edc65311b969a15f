/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "job_cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEYS 256

typedef struct {
	char key[40];
	job_list_t *jobs;
	int64_t at_ms;
	int64_t at_epoch;               /* when the list was fetched, for update_time */
	int fetching;
	uint64_t generation;
} entry_t;

struct job_cache {
	pthread_mutex_t lock;
	pthread_cond_t done;
	int ttl_ms;
	entry_t e[KEYS];
	uint64_t hits, misses;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

job_cache_t *job_cache_new(int ttl_ms)
{
	job_cache_t *c = calloc(1, sizeof(*c));
	pthread_condattr_t ca;

	if (!c)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->done, &ca);
	pthread_condattr_destroy(&ca);
	c->ttl_ms = ttl_ms;
	return c;
}

void job_cache_free(job_cache_t *c)
{
	if (!c)
		return;
	for (int i = 0; i < KEYS; i++)
		job_list_unref(c->e[i].jobs);
	pthread_cond_destroy(&c->done);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static entry_t *slot(job_cache_t *c, const char *key)
{
	entry_t *free_e = NULL, *old = NULL;

	for (int i = 0; i < KEYS; i++) {
		entry_t *e = &c->e[i];

		if (e->key[0] && !strcmp(e->key, key))
			return e;
		if (!e->key[0] && !free_e)
			free_e = e;
		if (e->key[0] && !e->fetching && (!old || e->at_ms < old->at_ms))
			old = e;
	}
	if (!free_e && old) {
		job_list_unref(old->jobs);
		memset(old, 0, sizeof(*old));
		free_e = old;
	}
	if (free_e)
		strncpy(free_e->key, key, sizeof(free_e->key) - 1);
	return free_e;
}

job_list_t *job_cache_get(job_cache_t *c, const char *key, job_fetch_fn fetch, void *arg, int *hit)
{
	job_list_t *jobs = NULL, *prev;
	int64_t prev_at, started;
	entry_t *e;
	uint64_t gen;

	*hit = 0;
	pthread_mutex_lock(&c->lock);
	if (!(e = slot(c, key))) {
		/* every slot is mid-fetch: ask without caching */
		pthread_mutex_unlock(&c->lock);
		return fetch(arg, NULL, 0, &jobs) ? NULL : jobs;
	}
	for (;;) {
		if (e->jobs && now_ms() - e->at_ms < c->ttl_ms) {
			c->hits++;
			*hit = 1;
			jobs = job_list_ref(e->jobs);
			pthread_mutex_unlock(&c->lock);
			return jobs;
		}
		if (!e->fetching)
			break;
		/* someone is asking slurmrestd already: their answer is ours */
		gen = e->generation;
		while (e->fetching && e->generation == gen) {
			struct timespec until;

			clock_gettime(CLOCK_MONOTONIC, &until);
			until.tv_sec += 30;
			if (pthread_cond_timedwait(&c->done, &c->lock, &until))
				break;
		}
		if (e->fetching || strcmp(e->key, key) || !e->jobs) {
			/* their fetch failed, or took too long: ask ourselves */
			pthread_mutex_unlock(&c->lock);
			return fetch(arg, NULL, 0, &jobs) ? NULL : jobs;
		}
	}
	e->fetching = 1;
	c->misses++;
	/* the fetcher alone touches e->jobs until fetching is cleared */
	prev = job_list_ref(e->jobs);
	prev_at = e->at_epoch;
	started = (int64_t)time(NULL);
	pthread_mutex_unlock(&c->lock);

	if (fetch(arg, prev, prev_at, &jobs))
		jobs = NULL;
	job_list_unref(prev);

	pthread_mutex_lock(&c->lock);
	e->fetching = 0;
	e->generation++;
	if (jobs) {
		job_list_unref(e->jobs);
		e->jobs = job_list_ref(jobs);
		e->at_ms = now_ms();
		e->at_epoch = started;
	}
	pthread_cond_broadcast(&c->done);
	pthread_mutex_unlock(&c->lock);
	return jobs;
}

void job_cache_invalidate(job_cache_t *c)
{
	pthread_mutex_lock(&c->lock);
	for (int i = 0; i < KEYS; i++)
		c->e[i].at_ms = INT64_MIN / 2;
	pthread_mutex_unlock(&c->lock);
}

void job_cache_stats(job_cache_t *c, uint64_t *hits, uint64_t *misses)
{
	pthread_mutex_lock(&c->lock);
	*hits = c->hits;
	*misses = c->misses;
	pthread_mutex_unlock(&c->lock);
}
