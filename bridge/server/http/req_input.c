/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * req_input - what a request brings besides its route: query parameters
 * (numbers checked and named), the content type, and the body, checked
 * once before any handler reads it.
 */
#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bridge.h"
#include "json_body_check.h"

const char *req_query(req_t *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int req_query_int(req_t *r, const char *name, long long lo, long long hi, long long dflt, long long *out)
{
	const char *v = req_query(r, name);
	char *end;
	long long n;

	if (!v) {
		*out = dflt;
		return 0;
	}
	errno = 0;
	n = strtoll(v, &end, 10);
	if (!v[0] || *end || errno || n < lo || n > hi || (v[0] != '-' && !isdigit((unsigned char)v[0]))) {
		reply_error(r, 400, "invalid_query", "%s: a whole number from %lld to %lld (got '%.40s')", name, lo, hi,
			    v);
		return -1;
	}
	*out = n;
	return 0;
}

/* Only a script can send application/json to another origin, and only
 * after a CORS preflight the bridge never answers: so a cookie session at
 * the proxy cannot be ridden by a cross-site form or a simple request. */
int req_json_content_type(const char *v)
{
	return v && !strncasecmp(v, "application/json", 16) && (!v[16] || v[16] == ';' || v[16] == ' ');
}

/* Every body a route reads is one clean JSON value (json_body_check.h). */
int req_body_clean(req_t *r)
{
	char field[128], why[200];

	if (!json_body_check(r->body, r->body_len, field, sizeof(field), why, sizeof(why)))
		return 1;
	if (field[0])
		reply_error(r, 400, "invalid_field", "%s: %s", field, why);
	else
		reply_error(r, 400, "invalid_json", "%s", why);
	return 0;
}

