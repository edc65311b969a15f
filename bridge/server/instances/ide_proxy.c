/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "ide_proxy.h"
#include "ide_ws.h"

#include <curl/curl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cookie_scope.h"
#include "ide_catalog.h"
#include "ide_headers.h"

#define RESP_HEADERS_MAX 64
#define BUF_CAP (256 * 1024)

typedef struct {
	CURL *e;
	CURLM *m;
	struct curl_slist *hdrs;
	char cookie_path[40];           /* /i/<id>/ */
	long status;
	int headers_done, done, paused;
	CURLcode result;
	size_t nrh;
	char *rh_name[RESP_HEADERS_MAX], *rh_value[RESP_HEADERS_MAX];
	char *buf;
	size_t off, len, cap;           /* unread bytes: buf[off..len) */
	long long content_length;
} px_t;

static void px_free(void *cls)
{
	px_t *p = cls;

	if (!p)
		return;
	if (p->m && p->e)
		curl_multi_remove_handle(p->m, p->e);
	if (p->e)
		curl_easy_cleanup(p->e);      /* its connection stays in the thread's multi, if whole */
	curl_slist_free_all(p->hdrs);
	for (size_t i = 0; i < p->nrh; i++) {
		free(p->rh_name[i]);
		free(p->rh_value[i]);
	}
	free(p->buf);
	free(p);
}

/*
 * One multi handle per libmicrohttpd worker thread, for the thread's life:
 * its connection cache keeps connections to the IDEs open between
 * requests. A connection per request would cost a handshake each and leave
 * a TIME_WAIT each: tens of thousands a minute from one busy page exhaust
 * the bridge's ports to that IDE. A connection stays on the thread that
 * took it, so the transfers of one multi never run on two threads.
 */
static __thread CURLM *tl_multi;

static CURLM *thread_multi(void)
{
	if (!tl_multi && (tl_multi = curl_multi_init()))
		curl_multi_setopt(tl_multi, CURLMOPT_MAXCONNECTS, 32L);
	return tl_multi;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *cls)
{
	px_t *p = cls;
	size_t n = size * nmemb;

	if (p->len + n > p->cap && p->off) {
		memmove(p->buf, p->buf + p->off, p->len - p->off);
		p->len -= p->off;
		p->off = 0;
	}
	if (p->len + n > p->cap) {
		char *b;

		if (p->len) {
			/* the client reads slower than the IDE writes: curl holds the rest */
			p->paused = 1;
			return CURL_WRITEFUNC_PAUSE;
		}
		/* one piece larger than the buffer (curl's, after a pause) */
		if (!(b = realloc(p->buf, n)))
			return 0;
		p->buf = b;
		p->cap = n;
	}
	memcpy(p->buf + p->len, data, n);
	p->len += n;
	return n;
}

static void add_resp_header(px_t *p, const char *name, size_t nl, const char *value, size_t vl)
{
	if (p->nrh == RESP_HEADERS_MAX)
		return;
	if (!(p->rh_name[p->nrh] = strndup(name, nl)) || !(p->rh_value[p->nrh] = strndup(value, vl))) {
		free(p->rh_name[p->nrh]);
		return;
	}
	p->nrh++;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *cls)
{
	px_t *p = cls;
	size_t n = size * nmemb, l = n;
	const char *colon;

	while (l && (data[l - 1] == '\n' || data[l - 1] == '\r'))
		l--;
	if (!strncmp(data, "HTTP/", 5)) {
		/* a new status line (after a 1xx): what came before does not count */
		for (size_t i = 0; i < p->nrh; i++) {
			free(p->rh_name[i]);
			free(p->rh_value[i]);
		}
		p->nrh = 0;
		p->content_length = -1;
		{
			const char *sp = memchr(data, ' ', l);

			p->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		}
		return n;
	}
	if (!l) {
		if (p->status >= 200)
			p->headers_done = 1;
		return n;
	}
	if (!(colon = memchr(data, ':', l)))
		return n;
	{
		size_t nl = (size_t)(colon - data);
		const char *v = colon + 1;
		size_t vl = l - nl - 1;
		char name[64];

		while (vl && (*v == ' ' || *v == '\t')) {
			v++;
			vl--;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(nl < 63 ? nl : 63), data);
		if (!strcasecmp(name, "Content-Length")) {
			p->content_length = strtoll(v, NULL, 10);
			return n;
		}
		if (!strcasecmp(name, "Connection") || !strcasecmp(name, "Keep-Alive") ||
		    !strcasecmp(name, "Transfer-Encoding") || !strcasecmp(name, "Trailer") ||
		    !strcasecmp(name, "Upgrade") || !strcasecmp(name, "Proxy-Authenticate") ||
		    /* a page of one IDE must not widen its reach over the portal's
		     * origin, nor open it to other sites' scripts */
		    !strcasecmp(name, "Service-Worker-Allowed") || !strncasecmp(name, "Access-Control-", 15))
			return n;
		add_resp_header(p, data, nl, v, vl);
	}
	return n;
}

/* Run the transfer until cond holds or it ends */
static void drive(px_t *p, int want_headers)
{
	int running = 1;

	while (!p->done) {
		CURLMsg *msg;
		int left;

		curl_multi_perform(p->m, &running);
		/* the multi is the thread's: a message may be another transfer's */
		while ((msg = curl_multi_info_read(p->m, &left))) {
			px_t *owner = NULL;

			if (msg->msg == CURLMSG_DONE && !curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &owner) &&
			    owner) {
				owner->done = 1;
				owner->result = msg->data.result;
			}
		}
		if (p->done || (want_headers ? p->headers_done : p->len > p->off))
			return;
		if (p->paused)
			return;
		curl_multi_poll(p->m, NULL, 0, 200, NULL);
	}
}

static ssize_t read_body(void *cls, uint64_t pos, char *out, size_t max)
{
	px_t *p = cls;
	size_t n;

	(void)pos;
	if (p->off == p->len) {
		p->off = p->len = 0;
		if (p->paused) {
			p->paused = 0;
			curl_easy_pause(p->e, CURLPAUSE_CONT);
		}
		drive(p, 0);
	}
	if (p->off < p->len) {
		n = p->len - p->off < max ? p->len - p->off : max;
		memcpy(out, p->buf + p->off, n);
		p->off += n;
		return (ssize_t)n;
	}
	return p->done && p->result == CURLE_OK ? MHD_CONTENT_READER_END_OF_STREAM : MHD_CONTENT_READER_END_WITH_ERROR;
}

typedef struct {
	px_t *p;
	bool websocket;
	int bad;
} hdr_arg_t;

static enum MHD_Result copy_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	hdr_arg_t *a = cls;
	char *line;
	struct curl_slist *l;

	(void)kind;
	if (!key || !value || !ide_header_forwarded(key, a->websocket) || strpbrk(value, "\r\n"))
		return MHD_YES;
	if (asprintf(&line, "%s: %s", key, value) < 0) {
		a->bad = 1;
		return MHD_NO;
	}
	if (!(l = curl_slist_append(a->p->hdrs, line)))
		a->bad = 1;
	else
		a->p->hdrs = l;
	free(line);
	return a->bad ? MHD_NO : MHD_YES;
}

/* a request header line for the IDE; 0, or -1 out of memory */
static int hdr_add(px_t *p, const char *line)
{
	struct curl_slist *l = curl_slist_append(p->hdrs, line);

	if (!l)
		return -1;
	p->hdrs = l;
	return 0;
}

static int http_proxy(req_t *r, const char *raw_uri, const instance_target_t *t, const ide_t *ide, const char *auth,
		      int *queued)
{
	px_t *p = calloc(1, sizeof(*p));
	hdr_arg_t ha = { .p = p };
	struct MHD_Response *resp;
	char url[2200], line[512];
	int body_allowed;

	if (!p || !(p->buf = malloc(BUF_CAP)) || !(p->e = curl_easy_init()) || !(p->m = thread_multi())) {
		px_free(p);
		reply_error(r, 500, "internal", "out of memory");
		return 0;
	}
	p->cap = BUF_CAP;
	p->content_length = -1;
	snprintf(p->cookie_path, sizeof(p->cookie_path), "/i/%s/", t->id);
	if (snprintf(url, sizeof(url), "http://%s%s%s:%d%s", strchr(t->addr, ':') ? "[" : "", t->addr,
		     strchr(t->addr, ':') ? "]" : "", t->port, raw_uri) >= (int)sizeof(url)) {
		px_free(p);
		reply_error(r, 414, "uri_too_long", "the request target is too long");
		return 0;
	}
	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, copy_header, &ha);
	snprintf(line, sizeof(line), "%s: %s", ide->auth_name, auth);
	ha.bad |= hdr_add(p, line) | hdr_add(p, "Expect:");
	explicit_bzero(line, sizeof(line));
	/* curl would otherwise label a body form-urlencoded */
	if (!MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type"))
		ha.bad |= hdr_add(p, "Content-Type:");
	snprintf(line, sizeof(line), "X-Forwarded-For: %s", r->source);
	ha.bad |= hdr_add(p, line);
	if (ha.bad) {
		px_free(p);
		reply_error(r, 500, "internal", "out of memory");
		return 0;
	}
	curl_easy_setopt(p->e, CURLOPT_URL, url);
	curl_easy_setopt(p->e, CURLOPT_PRIVATE, p);
	curl_easy_setopt(p->e, CURLOPT_PROXY, "");
	curl_easy_setopt(p->e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(p->e, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(p->e, CURLOPT_HTTPHEADER, p->hdrs);
	curl_easy_setopt(p->e, CURLOPT_CONNECTTIMEOUT, (long)r->b->cfg.instance_timeout);
	curl_easy_setopt(p->e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(p->e, CURLOPT_LOW_SPEED_TIME, (long)r->b->cfg.instance_timeout);
	curl_easy_setopt(p->e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(p->e, CURLOPT_HEADERDATA, p);
	curl_easy_setopt(p->e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(p->e, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(p->e, CURLOPT_HTTP_CONTENT_DECODING, 0L);
	curl_easy_setopt(p->e, CURLOPT_HTTP_TRANSFER_DECODING, 1L);
	if (!strcmp(r->method, "HEAD")) {
		curl_easy_setopt(p->e, CURLOPT_NOBODY, 1L);
	} else if (strcmp(r->method, "GET") || r->body_len) {
		curl_easy_setopt(p->e, CURLOPT_CUSTOMREQUEST, r->method);
		curl_easy_setopt(p->e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
		curl_easy_setopt(p->e, CURLOPT_POSTFIELDS, r->body);
	}
	curl_multi_add_handle(p->m, p->e);
	drive(p, 1);
	if (!p->headers_done) {
		long err = p->done ? (long)p->result : 0;

		px_free(p);
		reply_error(r, 502, "ide_unreachable", "the IDE of instance %s on %s did not answer (%s)", t->id,
			    t->node, err ? curl_easy_strerror((CURLcode)err) : "no answer");
		ic_drop(r->b->conns, t->id);    /* it may have moved: read connection.yml again next time */
		return 0;
	}
	body_allowed = strcmp(r->method, "HEAD") && p->status != 204 && p->status != 304;
	if (!body_allowed)
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	else
		resp = MHD_create_response_from_callback(p->content_length >= 0 ? (uint64_t)p->content_length
										 : MHD_SIZE_UNKNOWN,
							 64 * 1024, read_body, p, px_free);
	if (!resp) {
		px_free(p);
		reply_error(r, 500, "internal", "out of memory");
		return 0;
	}
	for (size_t i = 0; i < p->nrh; i++) {
		if (!strcasecmp(p->rh_name[i], "Set-Cookie")) {
			char *c = cookie_scope(p->rh_value[i], p->cookie_path);

			if (c)
				MHD_add_response_header(resp, "Set-Cookie", c);
			free(c);
		} else {
			MHD_add_response_header(resp, p->rh_name[i], p->rh_value[i]);
		}
	}
	MHD_add_response_header(resp, "X-Request-Id", r->request_id);
	r->status = (int)p->status;
	*queued = MHD_queue_response(r->conn, (unsigned)p->status, resp);
	MHD_destroy_response(resp);
	if (!body_allowed)
		px_free(p);
	return 1;
}

int ide_proxy_serve(req_t *r, const char *raw_uri, int *queued, void **ws_ctx)
{
	char id[IW_ID_LEN + 1], auth[400];
	instance_target_t t;
	const ide_t *ide;
	const char *up;
	int rc;

	/* /i/<id>/...: the raw target must name the same instance the
	 * decoded path does, and the IDE serves under /i/<id>/ */
	if (strncmp(r->path, "/i/", 3) || strlen(r->path) < 3 + IW_ID_LEN) {
		reply_error(r, 404, "not_found", "no such instance");
		return 0;
	}
	snprintf(id, sizeof(id), "%.*s", IW_ID_LEN, r->path + 3);
	if (!iw_id_ok(id) || (r->path[3 + IW_ID_LEN] && r->path[3 + IW_ID_LEN] != '/') ||
	    strncmp(raw_uri, r->path, 3 + IW_ID_LEN)) {
		reply_error(r, 404, "not_found", "no such instance");
		return 0;
	}
	if (!r->b->ides) {
		reply_error(r, 503, "no_instances", "this bridge runs no instances (Instances= is unset)");
		return 0;
	}
	if (instance_target(r, id, &t))
		return 0;
	if (!r->path[3 + IW_ID_LEN]) {
		/* the IDE's relative links need the trailing slash */
		struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
		char loc[64];

		snprintf(loc, sizeof(loc), "/i/%s/", id);
		MHD_add_response_header(resp, "Location", loc);
		r->status = 308;
		*queued = MHD_queue_response(r->conn, 308, resp);
		MHD_destroy_response(resp);
		return 1;
	}
	{
		bdb_instance_t in;

		if (bdb_instance_get(r->b->db, id, &in) || !(ide = ide_catalog_find(r->b->ides, in.ide))) {
			reply_error(r, 502, "no_ide", "instance %s runs an IDE this bridge no longer knows", id);
			return 0;
		}
	}
	if (ide_auth_value(ide, t.password, auth, sizeof(auth))) {
		reply_error(r, 500, "internal", "the IDE's auth header does not fit");
		return 0;
	}
	up = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Upgrade");
	if (up && !strcasecmp(up, "websocket") && !strcmp(r->method, "GET"))
		rc = ide_ws_serve(r, raw_uri, &t, ide->auth_name, auth, queued, ws_ctx);
	else
		rc = http_proxy(r, raw_uri, &t, ide, auth, queued);
	explicit_bzero(auth, sizeof(auth));
	explicit_bzero(t.password, sizeof(t.password));
	return rc;
}
