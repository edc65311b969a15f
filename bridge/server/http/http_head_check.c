/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * http_head_check - the request-head rules of RFC 9112 that libmicrohttpd
 * would otherwise enforce itself with an HTML page (request line, version,
 * field syntax, Host, Content-Length, size), checked on the bytes a new
 * connection has sent so far so that the bridge answers them in the API's
 * JSON. It only accepts or refuses; libmicrohttpd still does the parsing.
 */
#define _GNU_SOURCE
#include "http_head_check.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int refuse(head_verdict_t *v, int status, const char *code, const char *fmt, ...)
{
	va_list ap;

	v->status = status;
	v->code = code;
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof(v->message), fmt, ap);
	va_end(ap);
	return HEAD_REFUSE;
}

static int is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* a line's end: LF, with an optional CR before it (libmicrohttpd takes both) */
static const char *line_end(const char *p, const char *end, size_t *len)
{
	const char *lf = memchr(p, '\n', (size_t)(end - p));

	if (!lf)
		return NULL;
	*len = (size_t)(lf - p) - (lf > p && lf[-1] == '\r');
	return lf + 1;
}

/* bytes no request line or field may hold: controls but HT, and DEL */
static const char *bad_byte(const char *p, size_t n, int allow_tab)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c < 0x20 && !(allow_tab && c == '\t')) || c == 0x7f)
			return p + i;
	}
	return NULL;
}

static int check_request_line(const char *p, size_t n, int *http11, head_verdict_t *v)
{
	const char *sp1, *sp2, *ver;
	size_t i;

	if (bad_byte(p, n, 0))
		return refuse(v, 400, "malformed_request", "the request line holds a control byte; send METHOD SP /path SP HTTP/1.1");
	for (i = 0; i < n && is_tchar((unsigned char)p[i]); i++)
		;
	if (!i || i == n || p[i] != ' ')
		return refuse(v, 400, "malformed_request", "the request line must be METHOD SP /path SP HTTP/1.1");
	sp1 = p + i;
	if (!(sp2 = memchr(sp1 + 1, ' ', n - i - 1)))
		return refuse(v, 400, "malformed_request", "the request line has no HTTP version; end it with HTTP/1.1");
	if (sp2 == sp1 + 1 || memchr(sp2 + 1, ' ', (size_t)(p + n - sp2 - 1)))
		return refuse(v, 400, "malformed_request",
			      "the request line must be METHOD SP /path SP HTTP/1.1, with one space each and none in the path (encode it as %%20)");
	for (const char *t = sp1 + 1; t < sp2; t++)
		if ((unsigned char)*t >= 0x80)
			return refuse(v, 400, "malformed_request", "the request target holds a byte over 0x7f: percent-encode it");
	if (sp1[1] != '/' && !(sp2 == sp1 + 2 && sp1[1] == '*') && !memmem(sp1 + 1, (size_t)(sp2 - sp1 - 1), "://", 3))
		return refuse(v, 400, "malformed_request", "the request target must be a path starting with /");
	ver = sp2 + 1;
	if ((size_t)(p + n - ver) != 8 || strncmp(ver, "HTTP/", 5) || ver[5] < '0' || ver[5] > '9' || ver[6] != '.' ||
	    ver[7] < '0' || ver[7] > '9')
		return refuse(v, 400, "malformed_request", "the HTTP version must read HTTP/1.1 or HTTP/1.0");
	if (ver[5] != '1')
		return refuse(v, 505, "http_version_not_supported", "HTTP/%c.%c is not served: use HTTP/1.1", ver[5], ver[7]);
	*http11 = ver[7] != '0';
	return HEAD_OK;
}

typedef struct {
	int hosts;
	int lengths;
	int transfer_encoding;
	char length[24];
} fields_seen_t;

static int check_field(const char *p, size_t n, fields_seen_t *s, head_verdict_t *v)
{
	const char *colon = memchr(p, ':', n), *val, *end = p + n;
	size_t name_len, i;

	if (*p == ' ' || *p == '\t')
		return refuse(v, 400, "malformed_request", "a header field continues on a folded line: send each field on one line");
	for (i = 0; i < n && is_tchar((unsigned char)p[i]); i++)
		;
	if (!colon || !i || p + i != colon)
		return refuse(v, 400, "malformed_request",
			      "the header line '%.*s' is not Name: value (a name of letters, digits and !#$%%&'*+-.^_`|~, then a colon with no space before it)",
			      (int)(n > 40 ? 40 : n), p);
	if (bad_byte(colon, (size_t)(end - colon), 1))
		return refuse(v, 400, "malformed_request", "the %.*s header holds a control byte", (int)(colon - p > 40 ? 40 : colon - p), p);
	name_len = (size_t)(colon - p);
	for (val = colon + 1; val < end && (*val == ' ' || *val == '\t'); val++)
		;
	while (end > val && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (name_len == 4 && !strncasecmp(p, "Host", 4)) {
		s->hosts++;
	} else if (name_len == 17 && !strncasecmp(p, "Transfer-Encoding", 17)) {
		s->transfer_encoding = 1;
	} else if (name_len == 14 && !strncasecmp(p, "Content-Length", 14)) {
		size_t vl = (size_t)(end - val);

		for (i = 0; i < vl; i++)
			if (val[i] < '0' || val[i] > '9')
				break;
		if (!vl || i != vl)
			return refuse(v, 400, "malformed_request", "Content-Length must be one decimal number of bytes");
		if (vl > 18)
			return refuse(v, 413, "body_too_large", "Content-Length %.24s is beyond any body the bridge reads", val);
		if (s->lengths++ && (strlen(s->length) != vl || strncmp(s->length, val, vl)))
			return refuse(v, 400, "malformed_request", "Content-Length is given twice with different values: send it once");
		memcpy(s->length, val, vl);
		s->length[vl] = '\0';
	}
	return HEAD_OK;
}

int http_head_check(const char *buf, size_t len, const head_limits_t *lim, head_verdict_t *v)
{
	const char *p = buf, *end = buf + len, *next;
	fields_seen_t seen = { 0 };
	unsigned fields = 0;
	int http11 = 1, rc;
	size_t n;

	/* RFC 9112 2.2: a server ignores empty lines before the request line */
	while (p < end && (*p == '\r' || *p == '\n') && (size_t)(p - buf) < 8)
		p++;
	if (!(next = line_end(p, end, &n))) {
		if ((size_t)(end - p) > lim->max_line)
			return refuse(v, 414, "uri_too_long", "the request line is over %zu bytes: shorten the path or query",
				      lim->max_line);
		/* a TLS hello or other binary sent to the plain HTTP port */
		n = (size_t)(end - p) - (end > p && end[-1] == '\r');
		if (bad_byte(p, n, 0))
			return refuse(v, 400, "malformed_request", "this is not an HTTP/1.1 request (TLS or binary data on a plain HTTP socket?)");
		return HEAD_MORE;
	}
	if (n > lim->max_line)
		return refuse(v, 414, "uri_too_long", "the request line is over %zu bytes: shorten the path or query", lim->max_line);
	if ((rc = check_request_line(p, n, &http11, v)) != HEAD_OK)
		return rc;
	for (p = next;; p = next) {
		if ((size_t)(p - buf) > lim->max_head)
			return refuse(v, 431, "headers_too_large", "the request head is over %zu bytes: send fewer or shorter header fields",
				      lim->max_head);
		if (!(next = line_end(p, end, &n))) {
			if ((size_t)(end - buf) > lim->max_head)
				return refuse(v, 431, "headers_too_large",
					      "the request head is over %zu bytes: send fewer or shorter header fields", lim->max_head);
			return HEAD_MORE;
		}
		if (!n)
			break;
		if (++fields > lim->max_fields)
			return refuse(v, 431, "headers_too_large", "the request has over %u header fields: send fewer", lim->max_fields);
		if ((rc = check_field(p, n, &seen, v)) != HEAD_OK)
			return rc;
	}
	if ((size_t)(next - buf) > lim->max_head)
		return refuse(v, 431, "headers_too_large", "the request head is over %zu bytes: send fewer or shorter header fields",
			      lim->max_head);
	if (http11 && !seen.hosts)
		return refuse(v, 400, "malformed_request", "an HTTP/1.1 request needs a Host header");
	if (seen.hosts > 1)
		return refuse(v, 400, "malformed_request", "Host is given %d times: send it once", seen.hosts);
	if (seen.transfer_encoding)
		return refuse(v, seen.lengths ? 400 : 411, seen.lengths ? "malformed_request" : "length_required",
			      "Transfer-Encoding is not accepted: send the body with Content-Length");
	return HEAD_OK;
}
