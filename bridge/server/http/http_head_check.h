/* SPDX-License-Identifier: GPL-2.0-or-later */
/* http_head_check - is a request head one the bridge will serve? */
#ifndef OCTOPUS_HTTP_HEAD_CHECK_H
#define OCTOPUS_HTTP_HEAD_CHECK_H

#include <stddef.h>

enum { HEAD_MORE, HEAD_OK, HEAD_REFUSE };

/* Limits: the head as a whole (request line, fields, blank line), the
 * request line alone, and the number of fields. */
typedef struct {
	size_t max_head;
	size_t max_line;
	unsigned max_fields;
} head_limits_t;

typedef struct {
	int status;             /* HTTP status of the refusal */
	const char *code;       /* the API's error code */
	char message[256];      /* names the field and the fix */
} head_verdict_t;

/* Look at the first len bytes a client sent on a new connection (they may
 * be more than the head: a body, a pipelined request). HEAD_MORE: the head
 * is incomplete and nothing so far is wrong; HEAD_OK: a complete head
 * libmicrohttpd will parse without refusing; HEAD_REFUSE: *v says why.
 * Stricter than RFC 9112 where it allows a choice (no line folding, no
 * Transfer-Encoding, one Host), so that no request reaches libmicrohttpd's
 * own error pages. */
int http_head_check(const char *buf, size_t len, const head_limits_t *lim, head_verdict_t *v);

#endif
