/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * http_server - libmicrohttpd to handlers: listening (a unix socket, or
 * loopback TCP only), bounded bodies, who is asking (identity.c), routing,
 * JSON answers with a request id, and the audit line for every change.
 */
#define _GNU_SOURCE
#include "http_server.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "api_error.h"
#include "bridge.h"
#include "conn_guard.h"
#include "ide_proxy.h"
#include "ide_ws.h"
#include "utf8_valid.h"
#include "identity.h"
#include "metrics.h"
#include "route_handler.h"
#include "router.h"

/* the API's routes, from the caller (routes/route_table.c): the server
 * dispatches to handlers it does not know */
static const route_t *routes;
static size_t nroutes;

/* Where a listener's requests may go: with InstanceListen= set, the IDEs
 * get a listener (and so, at the proxy, an origin) of their own, and a page
 * an IDE serves cannot reach the API with the user's session */
enum { SERVE_API = 1, SERVE_IDE = 2 };

typedef struct {
	bridge_t *b;
	int serves;
} listener_t;

static listener_t listeners[2];

typedef struct {
	req_t r;
	route_match_t m;
	char *body;
	size_t len;
	int too_big;
	int started;
	int ide;                        /* /i/{id}/...: proxied to an instance */
	void *ws;                       /* a WebSocket relay MHD has not taken yet */
	char *raw_uri;                  /* the request target as sent, query included */
	struct timespec t0;
} conn_ctx_t;

static bridge_t *the_bridge;

static void source_of(struct MHD_Connection *c, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	char ip[64] = "";

	if (!sa || sa->sa_family == AF_UNIX) {
		snprintf(out, len, "unix");
		return;
	}
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip, sizeof(ip));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ip, sizeof(ip));
	snprintf(out, len, "%s", ip[0] ? ip : "?");
}

/* Server-Timing (W3C): slurmrestd's own time (request to first byte),
 * its answer arriving, the job list's parse and views on a miss, and the
 * whole request, in ms. A client then tells the bridge's cost from
 * slurmrestd's per request, which a comparison of separate runs cannot on
 * a busy machine. */
static void server_timing(const conn_ctx_t *cx, char *out, size_t len)
{
	const req_t *r = &cx->r;
	struct timespec t1;
	int n = 0;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (r->restd_calls)
		n = snprintf(out, len, "slurmrestd;dur=%.3f, slurmrestd-body;dur=%.3f, ", r->restd_wait_s * 1e3,
			     r->restd_body_s * 1e3);
	if (r->jobs_cache == 2 && n >= 0 && (size_t)n < len)
		n += snprintf(out + n, len - (size_t)n,
			      "parse;dur=%.3f, reused;desc=%zu, render;dur=%.3f, cache;desc=miss, ", r->parse_s * 1e3,
			      r->jobs_reused, r->render_s * 1e3);
	else if (r->jobs_cache == 1 && n >= 0 && (size_t)n < len)
		n += snprintf(out + n, len - (size_t)n, "cache;desc=hit, ");
	if (n >= 0 && (size_t)n < len)
		snprintf(out + n, len - (size_t)n, "total;dur=%.3f",
			 ((double)(t1.tv_sec - cx->t0.tv_sec) + (t1.tv_nsec - cx->t0.tv_nsec) / 1e9) * 1e3);
}

static enum MHD_Result send_answer(conn_ctx_t *cx)
{
	req_t *r = &cx->r;
	const char *text = r->text;
	char *clean = NULL;
	struct MHD_Response *resp;
	enum MHD_Result rc;
	struct timespec t1;

	if (!text && !r->out)
		reply_error(r, 500, "internal", "the handler gave no answer");
	if (!text) {
		size_t n, size;

		text = json_object_to_json_string_ext(r->out, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		/* json-c passes non-ASCII bytes through as they are, so text that
		 * entered the database before the edge refused bad UTF-8 (or came
		 * from slurmrestd) could make the answer unreadable to a strict
		 * client: such bytes, always inside strings, become U+FFFD */
		n = strlen(text);
		if ((size = utf8_valid_size(text, n)) != n && (clean = malloc(size + 1))) {
			utf8_valid_copy(clean, size, text, n);
			text = clean;
		}
	}
	resp = MHD_create_response_from_buffer(r->text && r->text_len ? r->text_len : strlen(text), (void *)text,
					       MHD_RESPMEM_MUST_COPY);
	free(clean);
	MHD_add_response_header(resp, "Content-Type",
				r->text ? (r->text_type ? r->text_type : "text/plain; version=0.0.4") : "application/json");
	MHD_add_response_header(resp, "X-Request-Id", r->request_id);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	/* the next request then comes on a new connection, through the guard
	 * (conn_guard.c): libmicrohttpd never answers a head itself */
	MHD_add_response_header(resp, "Connection", "close");
	if (cx->m.status == 405)
		MHD_add_response_header(resp, "Allow", cx->m.allow);
	if (r->retry_after_s > 0) {
		char ra[16];

		snprintf(ra, sizeof(ra), "%d", r->retry_after_s);
		MHD_add_response_header(resp, "Retry-After", ra);
	}
	if (r->log_size[0]) {
		MHD_add_response_header(resp, "X-Log-Size", r->log_size);
		MHD_add_response_header(resp, "X-Log-Offset", r->log_offset);
	}
	if (the_bridge->cfg.server_timing) {
		char st[256];

		server_timing(cx, st, sizeof(st));
		MHD_add_response_header(resp, "Server-Timing", st);
	}
	rc = MHD_queue_response(r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	/* what changed anything, or tried to, is on record before it returns */
	if (r->audit_action && the_bridge->db)
		bdb_audit(the_bridge->db, r->request_id, r->who.user[0] ? r->who.user : "-", r->source,
			  r->audit_action, r->audit_target, r->status, r->audit_detail);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	metrics_request(cx->ide ? "/i/{id}" : cx->m.route ? cx->m.route->pattern : "other", r->method, r->status,
			(double)(t1.tv_sec - cx->t0.tv_sec) + (t1.tv_nsec - cx->t0.tv_nsec) / 1e9);
	return rc;
}

static void dispatch(conn_ctx_t *cx)
{
	req_t *r = &cx->r;
	const route_handler_t *h;
	char why[300], code[32];
	int st;

	if (cx->m.status == 404) {
		reply_error(r, 404, "not_found", "no such route: %s %.200s", r->method, r->path);
		return;
	}
	if (cx->m.status == 405) {
		reply_error(r, 405, "method_not_allowed", "%s is not allowed on %.200s (allowed: %s)", r->method, r->path,
			    cx->m.allow);
		return;
	}
	h = cx->m.route->handler;
	for (size_t i = 0; i < cx->m.nparams; i++)
		r->params[i] = cx->m.params[i];
	r->nparams = cx->m.nparams;
	if (!(h->flags & ROUTE_PUBLIC)) {
		st = identity_resolve(r, code, sizeof(code), why, sizeof(why));
		if (st) {
			reply_error(r, st, code, "%s", why);
			return;
		}
		if ((h->flags & ROUTE_ADMIN) && !r->who.admin) {
			reply_error(r, 403, "forbidden", "%s is for admins", r->path);
			return;
		}
		if (strcmp(r->method, "GET") && !r->who.can_write) {
			reply_error(r, 403, "forbidden", "this token is read-only");
			return;
		}
	}
	h->fn(r);
}

/* bind with umask mask (start-up only: umask is the process's) */
static int bind_masked(int fd, const struct sockaddr_un *sa, mode_t mask)
{
	mode_t old = umask(mask);
	int rc = bind(fd, (const struct sockaddr *)sa, sizeof(*sa));
	int e = errno;

	umask(old);
	errno = e;
	return rc;
}

/* MHD hands over the request target as sent only here; the proxy passes
 * it on untouched (the decoded path would lose %2F and the query) */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	conn_ctx_t *cx = calloc(1, sizeof(*cx));

	(void)cls;
	(void)conn;
	if (cx && !(cx->raw_uri = strdup(uri))) {
		free(cx);
		cx = NULL;
	}
	return cx;
}

/* A browser tells where a request comes from; one that may change
 * something (anything but GET and HEAD, CORS preflights included) from
 * another origin is refused before it reaches an IDE that would trust the
 * auth header the bridge adds (Jupyter skips its XSRF check for it). */
static int same_origin(struct MHD_Connection *conn)
{
	const char *site = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
	const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-Host");
	const char *o;

	if (site && strcmp(site, "same-origin") && strcmp(site, "none"))
		return 0;
	if (!origin)
		return 1;
	/* the nearest proxy appends its own: the last one counts */
	if (host && strrchr(host, ','))
		for (host = strrchr(host, ',') + 1; *host == ' '; host++)
			;
	if (!host)
		host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	if (!host || !(o = strstr(origin, "://")))
		return 0;
	return !strcasecmp(o + 3, host);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	const listener_t *li = cls;
	bridge_t *b = li->b;
	conn_ctx_t *cx = *con_cls;

	(void)version;
	if (!cx)
		return MHD_NO;
	if (!cx->started) {
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

		cx->started = 1;
		clock_gettime(CLOCK_MONOTONIC, &cx->t0);
		cx->r.b = b;
		cx->r.conn = conn;
		cx->r.method = method;
		cx->r.status = 500;
		snprintf(cx->r.path, sizeof(cx->r.path), "%s", url);
		api_request_id(cx->r.request_id, sizeof(cx->r.request_id));
		source_of(conn, cx->r.source, sizeof(cx->r.source));
		cx->ide = !strncmp(url, "/i/", 3) && (li->serves & SERVE_IDE);
		if (cx->ide)
			cx->m.status = 200;
		else if (li->serves & SERVE_API)
			route_find(routes, nroutes, method, url, &cx->m);
		else
			cx->m.status = 404;
		if (cl && strtoull(cl, NULL, 10) > (unsigned long long)(cx->ide ? b->cfg.instance_max_body : b->cfg.max_body))
			cx->too_big = 1;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!cx->too_big && cx->len + *upload_size <= (size_t)(cx->ide ? b->cfg.instance_max_body : b->cfg.max_body)) {
			char *p = realloc(cx->body, cx->len + *upload_size + 1);

			if (p) {
				memcpy(p + cx->len, upload, *upload_size);
				cx->body = p;
				cx->len += *upload_size;
				cx->body[cx->len] = '\0';
			} else {
				cx->too_big = 1;
			}
		} else {
			cx->too_big = 1;        /* keep reading, keep nothing */
		}
		*upload_size = 0;
		return MHD_YES;
	}
	cx->r.body = cx->body ? cx->body : "";
	cx->r.body_len = cx->len;
	if (cx->ide) {
		char code[32], why[300];
		int st, queued = MHD_NO;

		if (cx->too_big)
			reply_error(&cx->r, 413, "body_too_large", "the body is over InstanceMaxBody=%d bytes",
				    b->cfg.instance_max_body);
		else if ((st = identity_resolve(&cx->r, code, sizeof(code), why, sizeof(why))))
			reply_error(&cx->r, st, code, "%s", why);
		else if (strcmp(method, "GET") && strcmp(method, "HEAD") && !same_origin(conn))
			reply_error(&cx->r, 403, "cross_origin", "%s from another site is refused", method);
		else if (!cx->r.who.can_write && strcmp(method, "GET") && strcmp(method, "HEAD"))
			reply_error(&cx->r, 403, "forbidden", "this token is read-only");
		else if (ide_proxy_serve(&cx->r, cx->raw_uri, &queued, &cx->ws)) {
			struct timespec t1;

			clock_gettime(CLOCK_MONOTONIC, &t1);
			metrics_request("/i/{id}", method, cx->r.status,
					(double)(t1.tv_sec - cx->t0.tv_sec) + (t1.tv_nsec - cx->t0.tv_nsec) / 1e9);
			return (enum MHD_Result)queued;
		}
		return send_answer(cx);
	}
	if (cx->too_big)
		reply_error(&cx->r, 413, "body_too_large", "the body is over MaxBody=%d bytes", b->cfg.max_body);
	else if ((!strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "PATCH")) &&
		 !req_json_content_type(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE)))
		reply_error(&cx->r, 415, "unsupported_media_type",
			    "%s needs Content-Type: application/json (also with no body): other types could come from "
			    "another site's form",
			    method);
	else if (cx->len && strcmp(method, "POST") && strcmp(method, "PUT"))
		reply_error(&cx->r, 400, "unexpected_body", "%s takes no body", method);
	else if (cx->len && !req_body_clean(&cx->r))
		;       /* answered */
	else
		dispatch(cx);
	return send_answer(cx);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode t)
{
	conn_ctx_t *cx = *con_cls;

	(void)cls;
	(void)conn;
	if (!cx)
		return;
	(void)t;
	ide_ws_abandon(cx->ws);         /* NULL once the relay took it */
	json_object_put(cx->r.out);
	free((void *)cx->r.text);
	free(cx->body);
	free(cx->raw_uri);
	free(cx);
	*con_cls = NULL;
}

/* unix:/path (0660: the proxy's group decides who may connect) or a
 * loopback address:port: the bridge speaks plain HTTP, never to a network */
static int bind_listen(const char *spec, char *why, size_t wl)
{
	int fd = -1;

	if (!strncmp(spec, "unix:", 5)) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		const char *path = spec + 5;
		struct stat st;

		if (path[0] != '/' || strlen(path) >= sizeof(sa.sun_path)) {
			snprintf(why, wl, "Listen=%s: unix: needs an absolute path under %zu bytes", spec,
				 sizeof(sa.sun_path));
			return -1;
		}
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
		if (!lstat(path, &st)) {
			if (!S_ISSOCK(st.st_mode)) {
				snprintf(why, wl, "Listen=%s exists and is not a socket", spec);
				return -1;
			}
			unlink(path);
		}
		/* the socket is born 0660 (umask around bind): no moment in which
		 * the default umask's modes let others connect before a chmod */
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 || bind_masked(fd, &sa, 0117) ||
		    chmod(path, 0660) || listen(fd, 512)) {
			snprintf(why, wl, "Listen=%s: %s", spec, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		return fd;
	}
	{
		char host[64];
		const char *colon = strrchr(spec, ':');
		struct sockaddr_storage ss;
		socklen_t sl;
		long port;
		int one = 1;

		memset(&ss, 0, sizeof(ss));
		if (!colon || (size_t)(colon - spec) >= sizeof(host) || (port = strtol(colon + 1, NULL, 10)) < 1 ||
		    port > 65535) {
			snprintf(why, wl, "Listen=%s: give unix:/path or 127.0.0.1:PORT", spec);
			return -1;
		}
		snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
		if (host[0] == '[' && host[strlen(host) - 1] == ']') {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			host[strlen(host) - 1] = '\0';
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons((uint16_t)port);
			if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1 || !IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
				goto not_loopback;
			sl = sizeof(*s6);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			s4->sin_family = AF_INET;
			s4->sin_port = htons((uint16_t)port);
			if (inet_pton(AF_INET, host, &s4->sin_addr) != 1 || (ntohl(s4->sin_addr.s_addr) >> 24) != 127)
				goto not_loopback;
			sl = sizeof(*s4);
		}
		if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
		    bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, 512)) {
			snprintf(why, wl, "Listen=%s: %s", spec, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		return fd;
not_loopback:
		snprintf(why, wl, "Listen=%s: the bridge listens on a unix socket or a loopback address only; put a TLS proxy in front for anything else",
			 spec);
		return -1;
	}
}

static struct MHD_Daemon *start_one(bridge_t *b, const char *spec, listener_t *li, conn_guard_t **guard, char *why,
				     size_t wl)
{
	size_t head = (size_t)b->cfg.max_request_head;
	conn_guard_cfg_t gc = { .limits = { .max_head = head, .max_line = head < 8192 ? head : 8192, .max_fields = 100 },
				.max_pending = (unsigned)b->cfg.max_connections,
				.timeout_s = (unsigned)b->cfg.connection_timeout };
	struct MHD_Daemon *d;
	int fd;

	if ((fd = bind_listen(spec, why, wl)) < 0)
		return NULL;
	/* the pool holds the head and its parsed fields: never the limit a
	 * head the guard let through meets */
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY | MHD_USE_ERROR_LOG |
				     MHD_ALLOW_UPGRADE | MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC,
			     0, NULL, NULL, on_request, li, MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
			     MHD_OPTION_THREAD_POOL_SIZE, (unsigned)b->cfg.threads, MHD_OPTION_CONNECTION_LIMIT,
			     (unsigned)b->cfg.max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
			     (unsigned)b->cfg.connection_timeout, MHD_OPTION_PER_IP_CONNECTION_LIMIT, 0u,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, 4 * head + 64 * 1024, MHD_OPTION_NOTIFY_COMPLETED,
			     on_completed, NULL, MHD_OPTION_END);
	if (!d) {
		snprintf(why, wl, "%s: libmicrohttpd did not start", spec);
		close(fd);
		return NULL;
	}
	if (!(*guard = conn_guard_start(fd, d, &gc, why, wl))) {
		MHD_stop_daemon(d);
		return NULL;
	}
	return d;
}

static conn_guard_t *guards[2];

int http_start(bridge_t *b, const route_t *table, size_t n, struct MHD_Daemon *d[2], char *why, size_t wl)
{
	routes = table;
	nroutes = n;
	the_bridge = b;
	d[0] = d[1] = NULL;
	listeners[0] = (listener_t){ b, SERVE_API | (b->cfg.instance_listen[0] ? 0 : SERVE_IDE) };
	listeners[1] = (listener_t){ b, SERVE_IDE };
	if (!(d[0] = start_one(b, b->cfg.listen, &listeners[0], &guards[0], why, wl)))
		return -1;
	if (b->cfg.instance_listen[0] &&
	    !(d[1] = start_one(b, b->cfg.instance_listen, &listeners[1], &guards[1], why, wl))) {
		conn_guard_stop(guards[0]);
		guards[0] = NULL;
		MHD_stop_daemon(d[0]);
		d[0] = NULL;
		return -1;
	}
	return 0;
}

void http_stop(struct MHD_Daemon *d[2])
{
	for (int i = 0; i < 2; i++) {
		conn_guard_stop(guards[i]);
		guards[i] = NULL;
	}
	ide_ws_shutdown(3000);
	for (int i = 0; i < 2; i++)
		if (d[i])
			MHD_stop_daemon(d[i]);
}
