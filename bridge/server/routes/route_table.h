/* SPDX-License-Identifier: GPL-2.0-or-later */
/* route_table - the API's routes, for http_start() (see route_table.c) */
#ifndef OCTOPUS_ROUTE_TABLE_H
#define OCTOPUS_ROUTE_TABLE_H

#include <stddef.h>

#include "route_handler.h"
#include "router.h"

const route_t *route_table(size_t *n);

#endif
