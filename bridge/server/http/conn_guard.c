/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conn_guard - libmicrohttpd answers a request it cannot parse (a head over
 * its memory, a bad request line, a missing Host...) itself, with an HTML
 * page, and has no hook to change that. So the bridge accepts connections
 * itself: it peeks (MSG_PEEK, nothing consumed) at what a new connection has
 * sent until its first request head is complete, refuses a bad one in the
 * API's JSON error shape, and hands a good one, bytes untouched, to
 * libmicrohttpd with MHD_add_connection(). API answers close the connection
 * (http_server.c), so every request on the API is a first request.
 *
 * One thread, one epoll set, edge-triggered: a peek leaves the bytes
 * readable, so only new data may wake the thread. A slow head costs a slot
 * and nothing else, and is timed out.
 */
#define _GNU_SOURCE
#include "conn_guard.h"
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "api_error.h"
#include "metrics.h"

enum { EV_LISTEN = 0, EV_STOP = 1, EV_SLOT0 = 2 };
#define DRAIN_MS 1000   /* after a refusal: read what the client still sends, so the answer is not lost to a reset */

typedef struct {
	int fd;                 /* -1: free */
	int draining;
	long long t0_ms, deadline_ms;
	struct sockaddr_storage addr;
	socklen_t alen;
} slot_t;

struct conn_guard {
	int lfd, efd, stopfd;
	pthread_t thread;
	struct MHD_Daemon *d;
	conn_guard_cfg_t cfg;
	slot_t *slots;
	char *buf;
	size_t buflen;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void slot_close(conn_guard_t *g, slot_t *s)
{
	epoll_ctl(g->efd, EPOLL_CTL_DEL, s->fd, NULL);
	close(s->fd);
	s->fd = -1;
}

/* Best effort: the socket is new and its send buffer empty, so a short
 * answer goes out whole or the client is gone. */
static void send_refusal(int fd, int status, const char *code, const char *message)
{
	char id[40], head[512];
	json_object *o;
	const char *body;
	int hl;

	api_request_id(id, sizeof(id));
	o = api_error_new(code, message, id);
	body = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	hl = snprintf(head, sizeof(head),
		      "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
		      "Connection: close\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
		      "X-Request-Id: %s\r\n\r\n",
		      status, MHD_get_reason_phrase_for((unsigned)status), strlen(body), id);
	if (hl > 0 && (size_t)hl < sizeof(head) && send(fd, head, (size_t)hl, MSG_NOSIGNAL | MSG_MORE) == hl)
		(void)!send(fd, body, strlen(body), MSG_NOSIGNAL);
	json_object_put(o);
}

static void refuse(conn_guard_t *g, slot_t *s, int status, const char *code, const char *message)
{
	send_refusal(s->fd, status, code, message);
	metrics_request("(request head)", "-", status, (double)(now_ms() - s->t0_ms) / 1e3);
	shutdown(s->fd, SHUT_WR);
	s->draining = 1;
	s->deadline_ms = now_ms() + DRAIN_MS;
}

static void on_data(conn_guard_t *g, slot_t *s, int hup)
{
	head_verdict_t v;
	ssize_t n;
	int fd;

	if (s->draining) {
		while ((n = recv(s->fd, g->buf, g->buflen, 0)) > 0)
			;
		if (n == 0 || errno != EAGAIN)
			slot_close(g, s);
		return;
	}
	n = recv(s->fd, g->buf, g->buflen, MSG_PEEK);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		slot_close(g, s);
		return;
	}
	switch (http_head_check(g->buf, (size_t)n, &g->cfg.limits, &v)) {
	case HEAD_MORE:
		if (hup)        /* the client stopped sending half way */
			slot_close(g, s);
		return;
	case HEAD_REFUSE:
		refuse(g, s, v.status, v.code, v.message);
		return;
	default:
		epoll_ctl(g->efd, EPOLL_CTL_DEL, s->fd, NULL);
		fd = s->fd;
		s->fd = -1;
		/* on failure (every worker at ConnectionLimit=) MHD closes fd */
		MHD_add_connection(g->d, fd, (const struct sockaddr *)&s->addr, s->alen);
	}
}

static void on_accept(conn_guard_t *g)
{
	for (;;) {
		struct sockaddr_storage addr;
		socklen_t alen = sizeof(addr);
		struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET };
		unsigned i;
		int fd = accept4(g->lfd, (struct sockaddr *)&addr, &alen, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			/* out of fds or memory: the listener stays readable, so
			 * pause rather than spin; the backlog waits */
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 * 1000 }, NULL);
			return;
		}
		for (i = 0; i < g->cfg.max_pending && g->slots[i].fd >= 0; i++)
			;
		if (i == g->cfg.max_pending) {
			send_refusal(fd, 503, "busy", "too many connections are still sending their request: try again shortly");
			close(fd);
			continue;
		}
		g->slots[i] = (slot_t){ .fd = fd, .t0_ms = now_ms(), .addr = addr, .alen = alen };
		g->slots[i].deadline_ms = g->slots[i].t0_ms + (long long)g->cfg.timeout_s * 1000;
		ev.data.u64 = EV_SLOT0 + i;
		if (epoll_ctl(g->efd, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			g->slots[i].fd = -1;
		}
		/* an fd added while readable is reported once: no peek needed here */
	}
}

static int expire(conn_guard_t *g)
{
	long long now = now_ms(), next = -1;

	for (unsigned i = 0; i < g->cfg.max_pending; i++) {
		slot_t *s = &g->slots[i];

		if (s->fd < 0)
			continue;
		if (s->deadline_ms <= now) {
			if (s->draining)
				slot_close(g, s);
			else
				refuse(g, s, 408, "request_timeout", "the request head did not arrive in time: send it whole");
			if (s->fd < 0)
				continue;
		}
		if (next < 0 || s->deadline_ms < next)
			next = s->deadline_ms;
	}
	return next < 0 ? -1 : (int)(next - now > 0 ? next - now : 0);
}

static void *guard_loop(void *arg)
{
	conn_guard_t *g = arg;
	struct epoll_event ev[64];

	for (;;) {
		int n = epoll_wait(g->efd, ev, 64, expire(g));

		for (int i = 0; i < n; i++) {
			if (ev[i].data.u64 == EV_STOP)
				return NULL;
			if (ev[i].data.u64 == EV_LISTEN)
				on_accept(g);
			else if (g->slots[ev[i].data.u64 - EV_SLOT0].fd >= 0)
				on_data(g, &g->slots[ev[i].data.u64 - EV_SLOT0],
					!!(ev[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)));
		}
	}
}

static void guard_free(conn_guard_t *g)
{
	if (g->slots)
		for (unsigned i = 0; i < g->cfg.max_pending; i++)
			if (g->slots[i].fd >= 0)
				close(g->slots[i].fd);
	if (g->efd >= 0)
		close(g->efd);
	if (g->stopfd >= 0)
		close(g->stopfd);
	close(g->lfd);
	free(g->slots);
	free(g->buf);
	free(g);
}

conn_guard_t *conn_guard_start(int listen_fd, struct MHD_Daemon *d, const conn_guard_cfg_t *cfg, char *why, size_t wl)
{
	conn_guard_t *g = calloc(1, sizeof(*g));
	struct epoll_event el = { .events = EPOLLIN, .data.u64 = EV_LISTEN }, es = { .events = EPOLLIN, .data.u64 = EV_STOP };

	if (!g) {
		close(listen_fd);
		snprintf(why, wl, "out of memory");
		return NULL;
	}
	g->lfd = listen_fd;
	g->d = d;
	g->cfg = *cfg;
	g->efd = epoll_create1(EPOLL_CLOEXEC);
	g->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	g->buflen = cfg->limits.max_head + 1;
	g->slots = calloc(cfg->max_pending, sizeof(*g->slots));
	g->buf = malloc(g->buflen);
	if (g->slots)
		for (unsigned i = 0; i < cfg->max_pending; i++)
			g->slots[i].fd = -1;
	if (g->efd < 0 || g->stopfd < 0 || !g->slots || !g->buf || fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) | O_NONBLOCK) ||
	    epoll_ctl(g->efd, EPOLL_CTL_ADD, listen_fd, &el) || epoll_ctl(g->efd, EPOLL_CTL_ADD, g->stopfd, &es) ||
	    pthread_create(&g->thread, NULL, guard_loop, g)) {
		snprintf(why, wl, "connection guard: %s", strerror(errno ? errno : ENOMEM));
		guard_free(g);
		return NULL;
	}
	return g;
}

void conn_guard_stop(conn_guard_t *g)
{
	uint64_t one = 1;

	if (!g)
		return;
	(void)!write(g->stopfd, &one, sizeof(one));
	pthread_join(g->thread, NULL);
	guard_free(g);
}
