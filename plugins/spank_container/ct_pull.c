/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "ct_pull.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PULL_ERR 512

typedef struct {
	layer_cache_t *cache;
	const oci_manifest_t *m;
	const img_ref_t *ref;
	const registry_opts_t *ro;
	char tmpdir[PATH_MAX];
	ct_image_t *img;
	pthread_mutex_t lock;
	size_t next;                    /* the next layer to take */
	int failed;                     /* stop taking layers */
	char (*errs)[PULL_ERR];         /* per layer */
	int *rcs;
} pull_job_t;

typedef struct {
	pull_job_t *job;
	registry_t *reg;                /* this worker's connection, made on first need */
} worker_t;

/* A blob downloaded to an unnamed file in the cache's tmp dir, for layer_cache_get. */
static int pull_blob(void *arg, const oci_blob_t *b, char *err, size_t errlen)
{
	worker_t *w = arg;
	uint64_t max = w->job->cache->limits.max_bytes;
	int fd;

	if (!w->reg && !(w->reg = registry_new(w->job->ref, w->job->ro, err, errlen)))
		return -1;
	if ((fd = open(w->job->tmpdir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, errlen, "layer cache %s: %s", w->job->tmpdir, strerror(errno));
		return -1;
	}
	if (registry_blob(w->reg, b->digest, fd, b->size ? b->size : max, err, errlen) || lseek(fd, 0, SEEK_SET) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void *work(void *arg)
{
	worker_t *w = arg;
	pull_job_t *j = w->job;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&j->lock);
		i = j->failed ? j->m->nlayers : j->next++;
		pthread_mutex_unlock(&j->lock);
		if (i >= j->m->nlayers)
			break;
		j->rcs[i] = layer_cache_get(j->cache, &j->m->layers[i], pull_blob, w, &j->img->layers[i], j->errs[i],
					    PULL_ERR);
		if (j->rcs[i]) {
			pthread_mutex_lock(&j->lock);
			j->failed = 1;
			pthread_mutex_unlock(&j->lock);
		}
	}
	registry_free(w->reg);
	return NULL;
}

int ct_pull_layers(layer_cache_t *cache, const oci_manifest_t *m, const img_ref_t *reg_ref, const registry_opts_t *ro,
		   unsigned workers, ct_image_t *img, char *err, size_t errlen)
{
	pull_job_t j = { .cache = cache, .m = m, .ref = reg_ref, .ro = ro, .img = img };
	pthread_t tid[CT_PULL_WORKERS_MAX];
	worker_t w[CT_PULL_WORKERS_MAX];
	unsigned started = 0;
	int rc = 0;

	if (workers < 1)
		workers = 1;
	if (workers > CT_PULL_WORKERS_MAX)
		workers = CT_PULL_WORKERS_MAX;
	if (workers > m->nlayers)
		workers = (unsigned)m->nlayers;
	snprintf(j.tmpdir, sizeof(j.tmpdir), "%s/tmp", cache->root);
	if (!(j.errs = calloc(m->nlayers ? m->nlayers : 1, sizeof(*j.errs))) ||
	    !(j.rcs = calloc(m->nlayers ? m->nlayers : 1, sizeof(*j.rcs)))) {
		free(j.errs);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < m->nlayers; i++) {
		img->layers[i].lock_fd = -1;
		j.rcs[i] = -1;          /* a layer no worker took (after a failure) counts as failed */
		snprintf(j.errs[i], PULL_ERR, "not fetched: an earlier layer failed");
	}
	pthread_mutex_init(&j.lock, NULL);
	/* this thread is worker 0; a thread that cannot start leaves its share to the others */
	for (unsigned k = 1; k < workers; k++) {
		w[k] = (worker_t){ &j, NULL };
		if (!pthread_create(&tid[started], NULL, work, &w[k]))
			started++;
	}
	w[0] = (worker_t){ &j, NULL };
	work(&w[0]);
	for (unsigned k = 0; k < started; k++)
		pthread_join(tid[k], NULL);
	pthread_mutex_destroy(&j.lock);

	img->nlayers = m->nlayers;      /* each held layer is released with img, the failed ones are not held */
	for (size_t i = 0; i < m->nlayers; i++) {
		img->blobs[i] = m->layers[i];
		if (j.rcs[i]) {
			if (!rc)
				snprintf(err, errlen, "%s", j.errs[i]);
			img->layers[i].lock_fd = -1;
			rc = -1;
		} else {
			img->unpacked += img->layers[i].unpacked;
		}
	}
	free(j.errs);
	free(j.rcs);
	return rc;
}
