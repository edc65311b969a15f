/* SPDX-License-Identifier: GPL-2.0-or-later */
/* http_server - the bridge's HTTP side (libmicrohttpd); see http_server.c */
#ifndef OCTOPUS_HTTP_SERVER_H
#define OCTOPUS_HTTP_SERVER_H

#include <stddef.h>

#include "bridge.h"
#include "router.h"

struct MHD_Daemon;

/* Listen= (the API, and /i/ unless InstanceListen= is set) and
 * InstanceListen= (/i/ only), serving the n routes of table (their handlers
 * are route_handler_t). 0, or -1 with why. */
int http_start(bridge_t *b, const route_t *table, size_t n, struct MHD_Daemon *d[2], char *why, size_t whylen);
void http_stop(struct MHD_Daemon *d[2]);

#endif
