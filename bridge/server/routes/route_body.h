/* SPDX-License-Identifier: GPL-2.0-or-later */
/* route_body - body and field helpers shared by the quota and grant routes */
#ifndef OCTOPUS_ROUTE_BODY_H
#define OCTOPUS_ROUTE_BODY_H

#include <stddef.h>
#include <stdint.h>

#include "bridge.h"

/* The body as an object whose keys are all in allowed (NULL-terminated);
 * NULL after answering 400. */
json_object *body_object(req_t *r, const char *const *allowed);

/* A non-empty string of at most max bytes, or NULL. */
const char *str_field(json_object *in, const char *k, size_t max);

/* 0 and *out for an integer, 1 when absent, -1 when not an integer. */
int int_field(json_object *in, const char *k, int64_t *out);

/* 0 when Ledger= and MachineTypes= are set; else answers 503 and -1. */
int need_ledger(req_t *r);

#define MAX_PERIOD (366 * 86400)        /* the longest request or grant, seconds */

#endif
