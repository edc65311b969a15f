/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "instance_conn.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct instance_conns {
	pthread_mutex_t lock;
	unsigned cap, next;
	instance_target_t *t;
};

instance_conns_t *ic_new(unsigned cap)
{
	instance_conns_t *c = calloc(1, sizeof(*c));

	if (!c || !(c->t = calloc(cap, sizeof(*c->t)))) {
		free(c);
		return NULL;
	}
	c->cap = cap;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

void ic_free(instance_conns_t *c)
{
	if (!c)
		return;
	explicit_bzero(c->t, c->cap * sizeof(*c->t));
	free(c->t);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static int find(instance_conns_t *c, const char *id)
{
	for (unsigned i = 0; i < c->cap; i++)
		if (c->t[i].id[0] && !strcmp(c->t[i].id, id))
			return (int)i;
	return -1;
}

int ic_get(instance_conns_t *c, const char *id, int64_t job_id, instance_target_t *out)
{
	int i, rc = 1;

	pthread_mutex_lock(&c->lock);
	if ((i = find(c, id)) >= 0 && c->t[i].job_id == job_id) {
		*out = c->t[i];
		rc = 0;
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

void ic_put(instance_conns_t *c, const instance_target_t *t)
{
	int i;

	pthread_mutex_lock(&c->lock);
	if ((i = find(c, t->id)) < 0) {
		/* full: the oldest entry goes; it is read again when needed */
		i = (int)c->next;
		c->next = (c->next + 1) % c->cap;
	}
	c->t[i] = *t;
	pthread_mutex_unlock(&c->lock);
}

void ic_drop(instance_conns_t *c, const char *id)
{
	int i;

	pthread_mutex_lock(&c->lock);
	if ((i = find(c, id)) >= 0)
		explicit_bzero(&c->t[i], sizeof(c->t[i]));
	pthread_mutex_unlock(&c->lock);
}
