/* http_server - the bridge's HTTP side (libmicrohttpd); see http_server.c */
#ifndef OCTOPUS_HTTP_SERVER_H
#define OCTOPUS_HTTP_SERVER_H

#include <stddef.h>

#include "bridge.h"

struct MHD_Daemon;

struct MHD_Daemon *http_start(bridge_t *b, char *why, size_t whylen);
void http_stop(struct MHD_Daemon *d);

#endif
