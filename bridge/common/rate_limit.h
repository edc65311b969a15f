/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rate_limit - token buckets per key (a user name), for submits and mints.
 * A fixed table: when it is full the bucket idle longest is reused, so a
 * flood of names costs no memory. Thread-safe.
 */
#ifndef OCTOPUS_RATE_LIMIT_H
#define OCTOPUS_RATE_LIMIT_H

#include <stdint.h>

typedef struct rate_limit rate_limit_t;

/* per_minute tokens refill per minute, up to burst. NULL on bad values. */
rate_limit_t *rate_limit_new(unsigned per_minute, unsigned burst, unsigned slots);
void rate_limit_free(rate_limit_t *rl);

/* Take one token for key at now_ms: 1 if allowed, 0 if over the limit
 * (*retry_ms, when not NULL, says when the next token comes). */
int rate_limit_take(rate_limit_t *rl, const char *key, int64_t now_ms, int64_t *retry_ms);

#endif
