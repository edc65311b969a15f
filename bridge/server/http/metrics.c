/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERIES 256
static const double bounds[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define NB (sizeof(bounds) / sizeof(bounds[0]))

typedef struct {
	char route[48], method[8];
	int status;
	unsigned long long count;
	unsigned long long bucket[NB];
	double sum;
} series_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static series_t s[SERIES];
static size_t ns;

void metrics_request(const char *route, const char *method, int status, double seconds)
{
	series_t *x = NULL;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < ns && !x; i++)
		if (s[i].status == status && !strcmp(s[i].route, route) && !strcmp(s[i].method, method))
			x = &s[i];
	if (!x && ns < SERIES) {
		x = &s[ns++];
		snprintf(x->route, sizeof(x->route), "%s", route);
		snprintf(x->method, sizeof(x->method), "%s", method);
		x->status = status;
	}
	if (x) {
		x->count++;
		x->sum += seconds;
		for (size_t b = 0; b < NB; b++)
			if (seconds <= bounds[b])
				x->bucket[b]++;
	}
	pthread_mutex_unlock(&lock);
}

char *metrics_render(const char *extra)
{
	size_t cap = 4096 + ns * (NB + 3) * 160 + (extra ? strlen(extra) : 0), n = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
#define P(...)                                                                     \
	do {                                                                       \
		int w_ = n < cap - 1 ? snprintf(out + n, cap - n, __VA_ARGS__) : 0; \
		n += w_ > 0 ? (size_t)w_ : 0;                                      \
		if (n >= cap)                                                      \
			n = cap - 1;                                               \
	} while (0)
	P("# HELP octopus_bridge_requests_total HTTP requests answered, by route, method and status.\n");
	P("# TYPE octopus_bridge_requests_total counter\n");
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < ns; i++)
		P("octopus_bridge_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"} %llu\n", s[i].route,
		  s[i].method, s[i].status, s[i].count);
	P("# HELP octopus_bridge_request_seconds Time to answer, by route.\n");
	P("# TYPE octopus_bridge_request_seconds histogram\n");
	for (size_t i = 0; i < ns; i++) {
		for (size_t b = 0; b < NB; b++)
			P("octopus_bridge_request_seconds_bucket{route=\"%s\",method=\"%s\",status=\"%d\",le=\"%g\"} %llu\n",
			  s[i].route, s[i].method, s[i].status, bounds[b], s[i].bucket[b]);
		P("octopus_bridge_request_seconds_bucket{route=\"%s\",method=\"%s\",status=\"%d\",le=\"+Inf\"} %llu\n",
		  s[i].route, s[i].method, s[i].status, s[i].count);
		P("octopus_bridge_request_seconds_sum{route=\"%s\",method=\"%s\",status=\"%d\"} %.6f\n", s[i].route,
		  s[i].method, s[i].status, s[i].sum);
		P("octopus_bridge_request_seconds_count{route=\"%s\",method=\"%s\",status=\"%d\"} %llu\n", s[i].route,
		  s[i].method, s[i].status, s[i].count);
	}
	pthread_mutex_unlock(&lock);
	if (extra)
		P("%s", extra);
#undef P
	return out;
}
