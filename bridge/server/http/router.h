/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * router - which handler serves METHOD PATH. Patterns are literal segments
 * and "{}" for one parameter segment ("/api/v1/jobs/{}/log"). A path that
 * matches some pattern under another method is 405 (with the methods it
 * allows), anything else 404. Pure: fuzzed with hostile paths.
 */
#ifndef OCTOPUS_ROUTER_H
#define OCTOPUS_ROUTER_H

#include <stddef.h>

#define ROUTE_MAX_PARAMS 3
#define ROUTE_PARAM_MAX 128

typedef struct {
	const char *method;
	const char *pattern;
	const void *handler;            /* the caller's */
} route_t;

typedef struct {
	const route_t *route;           /* NULL when status is 404 or 405 */
	int status;                     /* 0 (found), 404, 405 */
	char allow[64];                 /* 405: "GET, DELETE" */
	size_t nparams;
	char params[ROUTE_MAX_PARAMS][ROUTE_PARAM_MAX];
} route_match_t;

void route_find(const route_t *table, size_t n, const char *method, const char *path, route_match_t *m);

#endif
