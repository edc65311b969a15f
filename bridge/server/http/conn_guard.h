/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conn_guard - a new connection's request head is checked before libmicrohttpd gets it */
#ifndef OCTOPUS_CONN_GUARD_H
#define OCTOPUS_CONN_GUARD_H

#include <stddef.h>
#include "http_head_check.h"

struct MHD_Daemon;
typedef struct conn_guard conn_guard_t;

typedef struct {
	head_limits_t limits;
	unsigned max_pending;   /* connections still sending their head */
	unsigned timeout_s;     /* for the whole head to arrive */
} conn_guard_cfg_t;

/* Accept on listen_fd (the guard owns it from here) in a thread of its
 * own; hand each connection whose head passes http_head_check to d (which
 * must run with MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC), and answer every
 * other one with the API's JSON error. NULL with why on failure (listen_fd
 * is closed then too). */
conn_guard_t *conn_guard_start(int listen_fd, struct MHD_Daemon *d, const conn_guard_cfg_t *cfg, char *why, size_t wl);

/* Stop accepting and close what is still pending; before MHD_stop_daemon. */
void conn_guard_stop(conn_guard_t *g);

#endif
