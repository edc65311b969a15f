/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ide_ws - WebSockets to an instance's IDE, relayed (see ide_ws.c) */
#ifndef OCTOPUS_IDE_WS_H
#define OCTOPUS_IDE_WS_H

#include "bridge.h"
#include "instance_conn.h"

/* WebSocket (ide_ws.c): connect, hand the upgrade to the IDE, and on its
 * 101 queue ours; the relay runs on its own thread once MHD lets go. */
int ide_ws_serve(req_t *r, const char *raw_uri, const instance_target_t *t, const char *auth_name,
		 const char *auth_value, int *queued, void **ws_ctx);
/* The connection ended before MHD handed the socket over (a no-op after) */
void ide_ws_abandon(void *ws_ctx);
/* Relays running now */
unsigned ide_ws_active(void);
/* Ask every relay to end, and wait up to wait_ms for them (at shutdown:
 * libmicrohttpd does not close upgraded connections itself) */
void ide_ws_shutdown(int wait_ms);

#endif
