/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ide_proxy - /i/{id}/...: the owner's requests to their instance's IDE,
 * on the node and port Slurm and connection.yml name (never the URL). The
 * bridge adds the IDE's auth header itself, so the IDE's password never
 * reaches the browser; the caller's own credentials (Authorization, the
 * proxy's identity headers) never reach the IDE. Answers stream through;
 * WebSockets are relayed (ide_ws.c).
 */
#ifndef OCTOPUS_IDE_PROXY_H
#define OCTOPUS_IDE_PROXY_H

#include <stdbool.h>
#include <stddef.h>

#include "bridge.h"
#include "instance_conn.h"

struct MHD_Connection;

/* Serve r (identity resolved) whose raw request target is raw_uri. 1 when
 * it queued the answer itself (*queued holds MHD's result); 0 when r holds
 * an answer for the usual path. ws_ctx receives a WebSocket relay that
 * MHD has not taken over yet (ide_ws_abandon frees it). */
int ide_proxy_serve(req_t *r, const char *raw_uri, int *queued, void **ws_ctx);

#endif
