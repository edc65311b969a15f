/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "minter_client.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "mint_proto.h"

#define SLOTS 1024

typedef struct {
	char user[40];
	char token[1024];
	int64_t exp;
	int64_t used;
} slot_t;

struct minter_client {
	char path[108];
	pthread_mutex_t lock;
	slot_t slot[SLOTS];
	uint64_t mints, hits, errors;
};

minter_client_t *mc_new(const char *socket_path)
{
	minter_client_t *mc;

	if (strlen(socket_path) >= sizeof(mc->path) || !(mc = calloc(1, sizeof(*mc))))
		return NULL;
	snprintf(mc->path, sizeof(mc->path), "%s", socket_path);
	pthread_mutex_init(&mc->lock, NULL);
	return mc;
}

void mc_free(minter_client_t *mc)
{
	if (!mc)
		return;
	pthread_mutex_destroy(&mc->lock);
	memset(mc, 0, sizeof(*mc));
	free(mc);
}

void mc_stats(minter_client_t *mc, uint64_t *mints, uint64_t *hits, uint64_t *errors)
{
	pthread_mutex_lock(&mc->lock);
	*mints = mc->mints;
	*hits = mc->hits;
	*errors = mc->errors;
	pthread_mutex_unlock(&mc->lock);
}

/* one exchange with the minter, bounded to 5 s */
static int ask(const char *path, const char *user, char *reply, size_t len, char *why, size_t wl)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pollfd p;
	char req[64];
	size_t got = 0;
	int fd, n = snprintf(req, sizeof(req), "MINT %s\n", user);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) || write(fd, req, (size_t)n) != n) {
		snprintf(why, wl, "the token minter at %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	p.fd = fd;
	p.events = POLLIN;
	while (got < len - 1 && (!got || reply[got - 1] != '\n')) {
		ssize_t r;

		if (poll(&p, 1, 5000) != 1 || (r = read(fd, reply + got, len - 1 - got)) <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	reply[got] = '\0';
	if (!got || reply[got - 1] != '\n') {
		snprintf(why, wl, "the token minter at %s gave no answer", path);
		return -1;
	}
	return (int)got;
}

int mc_token(minter_client_t *mc, const char *user, char *token, size_t toklen, char *code, size_t codelen,
	     char *why, size_t whylen)
{
	char reply[MINT_REPLY_MAX], tok[1024], c[32], msg[256];
	int64_t now = (int64_t)time(NULL), exp = 0;
	slot_t *victim = NULL;
	int n, kind;

	pthread_mutex_lock(&mc->lock);
	for (int i = 0; i < SLOTS; i++) {
		slot_t *s = &mc->slot[i];

		if (s->user[0] && !strcmp(s->user, user)) {
			if (s->exp - 60 > now && strlen(s->token) < toklen) {
				memcpy(token, s->token, strlen(s->token) + 1);
				s->used = now;
				mc->hits++;
				pthread_mutex_unlock(&mc->lock);
				return 0;
			}
			victim = s;
			break;
		}
		if (!victim || !s->user[0] || (victim->user[0] && s->used < victim->used))
			victim = s;
	}
	pthread_mutex_unlock(&mc->lock);

	if ((n = ask(mc->path, user, reply, sizeof(reply), why, whylen)) < 0) {
		snprintf(code, codelen, "unavailable");
		goto err;
	}
	kind = mint_parse_reply(reply, (size_t)n, &exp, tok, sizeof(tok), c, sizeof(c), msg, sizeof(msg));
	if (kind == 0) {
		snprintf(code, codelen, "%s", c);
		snprintf(why, whylen, "%s", msg);
		goto err;
	}
	if (kind < 0 || strlen(tok) >= toklen) {
		snprintf(code, codelen, "unavailable");
		snprintf(why, whylen, "the token minter's answer is malformed");
		goto err;
	}
	memcpy(token, tok, strlen(tok) + 1);
	pthread_mutex_lock(&mc->lock);
	mc->mints++;
	/* the victim slot may have been taken meanwhile: it is only a cache */
	snprintf(victim->user, sizeof(victim->user), "%s", user);
	snprintf(victim->token, sizeof(victim->token), "%s", tok);
	victim->exp = exp;
	victim->used = now;
	pthread_mutex_unlock(&mc->lock);
	return 0;
err:
	pthread_mutex_lock(&mc->lock);
	mc->errors++;
	pthread_mutex_unlock(&mc->lock);
	return -1;
}
