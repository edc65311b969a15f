/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ide_ws - WebSockets to an instance's IDE (Jupyter's kernels and
 * terminals). The bridge does the upgrade with the IDE first, over its own
 * connection and with the IDE's auth header; only on the IDE's 101 does the
 * browser get one, carrying the IDE's Sec-WebSocket-Accept (computed from
 * the browser's key, which was passed on). Then bytes flow both ways on a
 * thread of their own until either side closes or both are silent for
 * InstanceIdleTimeout=.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ide_headers.h"
#include "ide_ws.h"

#define HEAD_MAX (16 * 1024)

static unsigned active;

unsigned ide_ws_active(void)
{
	return __atomic_load_n(&active, __ATOMIC_RELAXED);
}

static int stopping;

void ide_ws_shutdown(int wait_ms)
{
	__atomic_store_n(&stopping, 1, __ATOMIC_RELAXED);
	for (int i = 0; i < wait_ms / 50 && ide_ws_active(); i++)
		usleep(50000);
}

typedef struct {
	int backend;
	char *pending;                  /* what the IDE sent after its 101 */
	size_t npending;
	int idle_ms;
	void **slot;                    /* the connection's hold on us, until MHD hands the socket over */
} ws_t;

void ide_ws_abandon(void *cls)
{
	ws_t *w = cls;

	if (!w)
		return;
	close(w->backend);
	free(w->pending);
	free(w);
	__atomic_sub_fetch(&active, 1, __ATOMIC_RELAXED);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A TCP connection to addr:port within timeout_s, or -1 with errno */
static int dial(const char *addr, int port, int timeout_s)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	char ps[8];
	int fd = -1;

	snprintf(ps, sizeof(ps), "%d", port);
	if (getaddrinfo(addr, ps, &hints, &res) || !res)
		return -1;
	if ((fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) >= 0 &&
	    connect(fd, res->ai_addr, res->ai_addrlen) && errno != EINPROGRESS) {
		close(fd);
		fd = -1;
	} else if (fd >= 0) {
		struct pollfd pf = { .fd = fd, .events = POLLOUT };
		int err = 0;
		socklen_t el = sizeof(err);

		if (poll(&pf, 1, timeout_s * 1000) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) || err) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	return fd;
}

static int send_all(int fd, const char *p, size_t n, int64_t deadline)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		{
			struct pollfd pf = { .fd = fd, .events = POLLOUT };
			int64_t left = deadline - now_ms();

			if (left <= 0 || poll(&pf, 1, (int)left) < 0)
				return -1;
		}
	}
	return 0;
}

typedef struct {
	char *buf;
	size_t len, cap;
	int bad;
} sb_t;

static void sb_add(sb_t *s, const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c);

	if (s->bad)
		return;
	if (s->len + n + 1 > s->cap) {
		size_t cap = (s->len + n + 1) * 2;
		char *p = cap <= HEAD_MAX * 2 ? realloc(s->buf, cap) : NULL;

		if (!p) {
			s->bad = 1;
			return;
		}
		s->buf = p;
		s->cap = cap;
	}
	s->len += (size_t)sprintf(s->buf + s->len, "%s%s%s", a, b, c);
}

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	if (key && value && ide_header_forwarded(key, true) && !strpbrk(value, "\r\n") && !strpbrk(key, "\r\n:"))
		sb_add(cls, key, ": ", value), sb_add(cls, "\r\n", "", "");
	return MHD_YES;
}

/* Relay until a side closes or all is silent for idle_ms */
static void relay(int client, int backend, int idle_ms)
{
	char buf[64 * 1024];
	int64_t last = now_ms();

	for (;;) {
		struct pollfd pf[2] = { { .fd = client, .events = POLLIN }, { .fd = backend, .events = POLLIN } };
		int64_t left = last + idle_ms - now_ms();
		int n;

		if (left <= 0 || __atomic_load_n(&stopping, __ATOMIC_RELAXED))
			return;
		n = poll(pf, 2, left > 1000 ? 1000 : (int)left);
		if (n < 0 && errno != EINTR)
			return;
		if (n <= 0)
			continue;
		for (int i = 0; i < 2; i++) {
			int from = i ? backend : client, to = i ? client : backend;
			ssize_t got;

			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			got = recv(from, buf, sizeof(buf), MSG_DONTWAIT);
			if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
				return;
			if (got > 0 && send_all(to, buf, (size_t)got, now_ms() + idle_ms))
				return;
			last = now_ms();
		}
	}
}

typedef struct {
	ws_t *w;
	MHD_socket sock;
	struct MHD_UpgradeResponseHandle *urh;
	char *extra;
	size_t nextra;
} relay_arg_t;

static void *relay_main(void *arg)
{
	relay_arg_t *a = arg;
	ws_t *w = a->w;
	int64_t deadline = now_ms() + w->idle_ms;

	if ((!a->nextra || !send_all(w->backend, a->extra, a->nextra, deadline)) &&
	    (!w->npending || !send_all(a->sock, w->pending, w->npending, deadline)))
		relay(a->sock, w->backend, w->idle_ms);
	close(w->backend);
	MHD_upgrade_action(a->urh, MHD_UPGRADE_ACTION_CLOSE);
	free(w->pending);
	free(w);
	free(a->extra);
	free(a);
	__atomic_sub_fetch(&active, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void on_upgraded(void *cls, struct MHD_Connection *c, void *con_cls, const char *extra_in, size_t extra_in_size,
			MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
	ws_t *w = cls;
	relay_arg_t *a = calloc(1, sizeof(*a));
	pthread_attr_t at;
	pthread_t th;

	(void)c;
	(void)con_cls;
	/* the relay owns w from here: the connection's end must not free it */
	*w->slot = NULL;
	if (a && (!extra_in_size || (a->extra = malloc(extra_in_size)))) {
		a->w = w;
		a->sock = sock;
		a->urh = urh;
		if (extra_in_size)
			memcpy(a->extra, extra_in, extra_in_size);
		a->nextra = extra_in_size;
		pthread_attr_init(&at);
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&at, 256 * 1024);
		if (!pthread_create(&th, &at, relay_main, a)) {
			pthread_attr_destroy(&at);
			return;
		}
		pthread_attr_destroy(&at);
		free(a->extra);
	}
	free(a);
	close(w->backend);
	MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
	free(w->pending);
	free(w);
	__atomic_sub_fetch(&active, 1, __ATOMIC_RELAXED);
}

/* The IDE's answer head: status, and the headers the browser needs */
static int read_head(int fd, int64_t deadline, char *head, size_t cap, size_t *hlen, size_t *total)
{
	size_t n = 0;
	char *end;

	for (;;) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		int64_t left = deadline - now_ms();
		ssize_t got;

		if (n + 1 >= cap || left <= 0 || poll(&pf, 1, (int)left) <= 0)
			return -1;
		got = recv(fd, head + n, cap - 1 - n, MSG_DONTWAIT);
		if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
			return -1;
		if (got < 0)
			continue;
		n += (size_t)got;
		head[n] = '\0';
		if ((end = strstr(head, "\r\n\r\n"))) {
			*hlen = (size_t)(end - head) + 4;
			*total = n;
			return 0;
		}
	}
}

int ide_ws_serve(req_t *r, const char *raw_uri, const instance_target_t *t, const char *auth_name,
		 const char *auth_value, int *queued, void **ws_ctx)
{
	int64_t deadline = now_ms() + (int64_t)r->b->cfg.instance_timeout * 1000;
	struct MHD_Response *resp;
	sb_t req = { 0 };
	char *head = NULL, *line, *save;
	size_t hlen = 0, total = 0;
	long status;
	ws_t *w;
	int fd;

	if (__atomic_add_fetch(&active, 1, __ATOMIC_RELAXED) > (unsigned)r->b->cfg.instance_max_sockets) {
		__atomic_sub_fetch(&active, 1, __ATOMIC_RELAXED);
		reply_error(r, 503, "too_many_websockets", "InstanceMaxSockets=%d WebSockets are open; try again later",
			    r->b->cfg.instance_max_sockets);
		return 0;
	}
	if ((fd = dial(t->addr, t->port, r->b->cfg.instance_timeout)) < 0) {
		__atomic_sub_fetch(&active, 1, __ATOMIC_RELAXED);
		ic_drop(r->b->conns, t->id);
		reply_error(r, 502, "ide_unreachable", "the IDE of instance %s on %s did not answer", t->id, t->node);
		return 0;
	}
	sb_add(&req, "GET ", raw_uri, " HTTP/1.1\r\n");
	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, add_header, &req);
	sb_add(&req, "Connection: Upgrade\r\nX-Forwarded-For: ", r->source, "\r\n");
	sb_add(&req, auth_name, ": ", auth_value);
	sb_add(&req, "\r\n\r\n", "", "");
	if (req.bad || send_all(fd, req.buf, req.len, deadline) || !(head = malloc(HEAD_MAX)) ||
	    read_head(fd, deadline, head, HEAD_MAX, &hlen, &total)) {
		if (req.buf)
			explicit_bzero(req.buf, req.len);
		free(req.buf);
		free(head);
		close(fd);
		__atomic_sub_fetch(&active, 1, __ATOMIC_RELAXED);
		reply_error(r, 502, "ide_unreachable", "the IDE of instance %s did not take the WebSocket", t->id);
		return 0;
	}
	explicit_bzero(req.buf, req.len);
	free(req.buf);
	if (sscanf(head, "HTTP/1.%*d %ld", &status) != 1 || status != 101) {
		free(head);
		close(fd);
		__atomic_sub_fetch(&active, 1, __ATOMIC_RELAXED);
		reply_error(r, 502, "ide_refused", "the IDE of instance %s refused the WebSocket", t->id);
		return 0;
	}
	if (!(w = calloc(1, sizeof(*w))) || (total > hlen && !(w->pending = malloc(total - hlen))) ||
	    !(resp = MHD_create_response_for_upgrade(on_upgraded, w))) {
		if (w)
			free(w->pending);
		free(w);
		free(head);
		close(fd);
		__atomic_sub_fetch(&active, 1, __ATOMIC_RELAXED);
		reply_error(r, 500, "internal", "out of memory");
		return 0;
	}
	w->backend = fd;
	w->idle_ms = r->b->cfg.instance_idle_timeout * 1000;
	if (total > hlen)
		memcpy(w->pending, head + hlen, total - hlen);
	w->npending = total - hlen;
	head[hlen - 4] = '\0';
	/* the IDE's handshake headers; Connection is MHD's to set */
	for (line = strtok_r(strstr(head, "\r\n") ? strstr(head, "\r\n") + 2 : head + hlen - 4, "\r\n", &save); line;
	     line = strtok_r(NULL, "\r\n", &save)) {
		char *colon = strchr(line, ':'), *v;

		if (!colon)
			continue;
		*colon = '\0';
		for (v = colon + 1; *v == ' '; v++)
			;
		if (!strcasecmp(line, "Sec-WebSocket-Accept") || !strcasecmp(line, "Sec-WebSocket-Protocol") ||
		    !strcasecmp(line, "Sec-WebSocket-Extensions") || !strcasecmp(line, "Upgrade"))
			MHD_add_response_header(resp, line, v);
	}
	free(head);
	MHD_add_response_header(resp, "X-Request-Id", r->request_id);
	w->slot = ws_ctx;
	*ws_ctx = w;
	r->status = 101;
	*queued = MHD_queue_response(r->conn, MHD_HTTP_SWITCHING_PROTOCOLS, resp);
	MHD_destroy_response(resp);
	return 1;
}
