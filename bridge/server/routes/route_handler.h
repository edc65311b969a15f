/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * route_handler - what a route of the API points to: its handler and who
 * may call it. The table (routes/route_table.c) is given to http_start(),
 * so the server never names a handler and no handler needs the server.
 */
#ifndef OCTOPUS_ROUTE_HANDLER_H
#define OCTOPUS_ROUTE_HANDLER_H

#include "bridge.h"

enum { ROUTE_PUBLIC = 1, ROUTE_ADMIN = 2 };

typedef struct {
	void (*fn)(req_t *r);
	int flags;              /* ROUTE_PUBLIC: no identity needed; ROUTE_ADMIN: admins only */
} route_handler_t;

#endif
