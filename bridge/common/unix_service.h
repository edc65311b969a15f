/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unix_service - what octopus-jwt-minter and octopus-file-broker share as
 * small root-started services on a unix socket: timestamped log lines, a
 * 0600 socket owned by the one client uid (a stale socket replaced, any
 * other file left alone), the peer's uid checked on every connection, one
 * request line read within a time limit, and stop on SIGTERM/SIGINT.
 * Users define _GNU_SOURCE before any include (struct ucred).
 */
#ifndef OCTOPUS_UNIX_SERVICE_H
#define OCTOPUS_UNIX_SERVICE_H


#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

extern volatile sig_atomic_t svc_stop;

/* Program name for log lines; SIGTERM/SIGINT set svc_stop, SIGPIPE ignored. */
void svc_init(const char *prog);

void svc_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Write one formatted answer to fd (errors ignored: the client went away). */
void svc_say(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Listening socket at path, mode 0600, owned by owner; -1 (logged) on error. */
int svc_listen(const char *path, uid_t owner);

/* 1 when the peer is owner or root (cred filled), else 0. */
int svc_peer_ok(int fd, uid_t owner, struct ucred *cred);

/* Read up to cap-1 bytes until a newline, each wait at most timeout_ms;
 * the bytes read (NUL-terminated, newline kept). */
size_t svc_read_line(int fd, char *buf, size_t cap, int timeout_ms);

/* Accept and hand each connection to serve until svc_stop; then close and
 * remove the socket. tick, when given, runs between connections and at
 * least every 200 ms (the broker reaps its children there). */
void svc_loop(int lfd, const char *path, void (*serve)(int fd, void *arg), void (*tick)(void), void *arg);

#endif
