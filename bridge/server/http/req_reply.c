/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * req_reply - a handler's answer: the status and JSON body it leaves in the
 * request for http_server to send. Below every handler, route and service,
 * so that none of them depends on the server that calls them.
 */
#include <stdarg.h>
#include <stdio.h>

#include "api_error.h"
#include "bridge.h"

void reply_json(req_t *r, int status, json_object *body)
{
	json_object_put(r->out);
	r->status = status;
	r->out = body;
}

void reply_error(req_t *r, int status, const char *code, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	reply_json(r, status, api_error_new(code, msg, r->request_id));
	if (r->audit_action)
		snprintf(r->audit_detail, sizeof(r->audit_detail), "%s: %.200s", code, msg);
}
