/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rate_limit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	char key[40];
	double tokens;
	int64_t last_ms;
	int used;
} bucket_t;

struct rate_limit {
	pthread_mutex_t lock;
	double per_ms;
	double burst;
	unsigned nslots;
	bucket_t *slot;
};

rate_limit_t *rate_limit_new(unsigned per_minute, unsigned burst, unsigned slots)
{
	rate_limit_t *rl;

	if (!per_minute || !burst || !slots || slots > 1u << 20)
		return NULL;
	if (!(rl = calloc(1, sizeof(*rl))) || !(rl->slot = calloc(slots, sizeof(*rl->slot)))) {
		free(rl);
		return NULL;
	}
	pthread_mutex_init(&rl->lock, NULL);
	rl->per_ms = per_minute / 60000.0;
	rl->burst = burst;
	rl->nslots = slots;
	return rl;
}

void rate_limit_free(rate_limit_t *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl->slot);
	free(rl);
}

static bucket_t *find(rate_limit_t *rl, const char *key, int64_t now_ms)
{
	bucket_t *idle = &rl->slot[0];

	for (unsigned i = 0; i < rl->nslots; i++) {
		bucket_t *b = &rl->slot[i];

		if (b->used && !strncmp(b->key, key, sizeof(b->key) - 1))
			return b;
		if (!b->used || (idle->used && b->last_ms < idle->last_ms))
			idle = b;
	}
	/* a new key, or the one idle longest makes room: it starts full */
	memset(idle, 0, sizeof(*idle));
	strncpy(idle->key, key, sizeof(idle->key) - 1);
	idle->tokens = rl->burst;
	idle->last_ms = now_ms;
	idle->used = 1;
	return idle;
}

int rate_limit_take(rate_limit_t *rl, const char *key, int64_t now_ms, int64_t *retry_ms)
{
	bucket_t *b;
	int ok;

	pthread_mutex_lock(&rl->lock);
	b = find(rl, key, now_ms);
	if (now_ms > b->last_ms) {
		b->tokens += (double)(now_ms - b->last_ms) * rl->per_ms;
		if (b->tokens > rl->burst)
			b->tokens = rl->burst;
	}
	b->last_ms = now_ms > b->last_ms ? now_ms : b->last_ms;
	ok = b->tokens >= 1.0;
	if (ok)
		b->tokens -= 1.0;
	else if (retry_ms)
		*retry_ms = (int64_t)((1.0 - b->tokens) / rl->per_ms) + 1;
	pthread_mutex_unlock(&rl->lock);
	return ok;
}
