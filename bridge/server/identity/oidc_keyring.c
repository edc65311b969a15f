/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "oidc_keyring.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "oidc.h"

typedef struct {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
} file_id_t;

struct oidc_keyring {
	pthread_rwlock_t lock;          /* guards cur */
	oidc_t *cur;
	pthread_mutex_t check;          /* one reload check at a time; guards the rest */
	file_id_t seen;                 /* the file the last check saw (loaded or refused) */
	int64_t next_check;
	int recheck_s;
	char path[256], issuer[256], audience[256], user_claim[64];
	int skew;
	uint64_t reloads, refused;
};

static int file_id(const char *path, file_id_t *id)
{
	struct stat st;

	if (stat(path, &st))
		return -1;
	memset(id, 0, sizeof(*id));
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	id->size = st.st_size;
	id->mtime = st.st_mtim;
	return 0;
}

static int same_file(const file_id_t *a, const file_id_t *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec;
}

oidc_keyring_t *oidc_keyring_new(const char *jwks_path, const char *issuer, const char *audience,
				 const char *user_claim, int skew, int recheck_s, char *err, size_t errlen)
{
	oidc_keyring_t *k = calloc(1, sizeof(*k));

	if (!k) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	file_id(jwks_path, &k->seen);
	if (!(k->cur = oidc_load(jwks_path, issuer, audience, user_claim, skew, err, errlen))) {
		free(k);
		return NULL;
	}
	pthread_rwlock_init(&k->lock, NULL);
	pthread_mutex_init(&k->check, NULL);
	snprintf(k->path, sizeof(k->path), "%s", jwks_path);
	snprintf(k->issuer, sizeof(k->issuer), "%s", issuer);
	snprintf(k->audience, sizeof(k->audience), "%s", audience);
	snprintf(k->user_claim, sizeof(k->user_claim), "%s", user_claim);
	k->skew = skew;
	k->recheck_s = recheck_s < 1 ? 1 : recheck_s;
	k->next_check = (int64_t)time(NULL) + k->recheck_s;
	return k;
}

void oidc_keyring_free(oidc_keyring_t *k)
{
	if (!k)
		return;
	oidc_free(k->cur);
	pthread_rwlock_destroy(&k->lock);
	pthread_mutex_destroy(&k->check);
	free(k);
}

/* Whoever finds the check due does it; the others go on with the keys
 * they have rather than wait. */
static void maybe_reload(oidc_keyring_t *k, int64_t now)
{
	file_id_t id;
	oidc_t *fresh, *old;
	char err[300];

	if (pthread_mutex_trylock(&k->check))
		return;
	if (now < k->next_check) {
		pthread_mutex_unlock(&k->check);
		return;
	}
	k->next_check = now + k->recheck_s;
	if (file_id(k->path, &id) || same_file(&id, &k->seen)) {
		/* gone or unchanged: keep what we have (a vanished file is
		 * logged by the load that follows its return, if it is bad) */
		pthread_mutex_unlock(&k->check);
		return;
	}
	k->seen = id;
	if (!(fresh = oidc_load(k->path, k->issuer, k->audience, k->user_claim, k->skew, err, sizeof(err)))) {
		k->refused++;
		fprintf(stderr, "octopus-bridge: OidcJwks=%s changed but does not load (%s); the last good keys stay in use\n",
			k->path, err);
		pthread_mutex_unlock(&k->check);
		return;
	}
	pthread_rwlock_wrlock(&k->lock);
	old = k->cur;
	k->cur = fresh;
	pthread_rwlock_unlock(&k->lock);
	oidc_free(old);
	k->reloads++;
	fprintf(stderr, "octopus-bridge: OidcJwks=%s reloaded: %zu signing keys\n", k->path, oidc_key_count(fresh));
	pthread_mutex_unlock(&k->check);
}

int oidc_keyring_verify(oidc_keyring_t *k, const char *token, int64_t now, char *user, size_t ulen,
			int64_t *auth_time, char *why, size_t wl)
{
	int rc;

	maybe_reload(k, (int64_t)time(NULL));
	pthread_rwlock_rdlock(&k->lock);
	rc = oidc_verify(k->cur, token, now, user, ulen, auth_time, why, wl);
	pthread_rwlock_unlock(&k->lock);
	return rc;
}

void oidc_keyring_stats(oidc_keyring_t *k, size_t *keys, uint64_t *reloads, uint64_t *refused)
{
	pthread_rwlock_rdlock(&k->lock);
	*keys = oidc_key_count(k->cur);
	pthread_rwlock_unlock(&k->lock);
	pthread_mutex_lock(&k->check);
	*reloads = k->reloads;
	*refused = k->refused;
	pthread_mutex_unlock(&k->check);
}
