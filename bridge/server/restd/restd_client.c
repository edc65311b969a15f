/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "restd_client.h"
#include "growbuf.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ANSWER (256u << 20)

#define MAX_IDLE 64

/* Handles are kept between calls (at most one per concurrent call) so their
 * connections to slurmrestd are reused: a new connection costs slurmrestd
 * more than the request itself for small answers. */
struct restd {
	char path[108];
	int timeout_s;
	sem_t slots;
	pthread_mutex_t lock;
	uint64_t calls, failures;
	CURL *idle[MAX_IDLE];
	size_t nidle;
};

static CURL *handle_get(restd_t *r)
{
	CURL *c = NULL;

	pthread_mutex_lock(&r->lock);
	if (r->nidle)
		c = r->idle[--r->nidle];
	pthread_mutex_unlock(&r->lock);
	if (c) {
		curl_easy_reset(c);     /* options go, the connection stays */
		return c;
	}
	return curl_easy_init();
}

static void handle_put(restd_t *r, CURL *c, int reusable)
{
	pthread_mutex_lock(&r->lock);
	if (reusable && r->nidle < MAX_IDLE) {
		r->idle[r->nidle++] = c;
		c = NULL;
	}
	pthread_mutex_unlock(&r->lock);
	if (c)
		curl_easy_cleanup(c);
}

restd_t *restd_new(const char *socket_path, int timeout_s, int max_concurrent)
{
	restd_t *r;

	if (strlen(socket_path) >= sizeof(r->path) || timeout_s < 1 || max_concurrent < 1 ||
	    !(r = calloc(1, sizeof(*r))))
		return NULL;
	snprintf(r->path, sizeof(r->path), "%s", socket_path);
	r->timeout_s = timeout_s;
	sem_init(&r->slots, 0, (unsigned)max_concurrent);
	pthread_mutex_init(&r->lock, NULL);
	return r;
}

void restd_free(restd_t *r)
{
	if (!r)
		return;
	while (r->nidle)
		curl_easy_cleanup(r->idle[--r->nidle]);
	sem_destroy(&r->slots);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

void restd_stats(restd_t *r, uint64_t *calls, uint64_t *failures)
{
	pthread_mutex_lock(&r->lock);
	*calls = r->calls;
	*failures = r->failures;
	pthread_mutex_unlock(&r->lock);
}

/* curl reads at most this much per recv (its default is 16 KiB): a 3 MB
 * job list then takes ~12 reads, not ~190, and slurmrestd's socket is
 * drained sooner (bench/restd-receive: "big" against "buffer") */
#define READ_SIZE (256L * 1024)

typedef struct {
	CURL *c;
	growbuf_t body;
} transfer_t;

/* The whole answer is taken as fast as slurmrestd sends it: a reader that
 * parses as it goes makes slurmrestd's writes stall on a full socket, and
 * each stall costs far more than the parse (bench/restd-receive: 1000 jobs
 * median 12-20 ms, p90 54-56 ms, against 11-13 and 19-29 ms copied first,
 * parsed after). */
static size_t collect(char *data, size_t size, size_t n, void *arg)
{
	transfer_t *t = arg;
	size_t add = size * n;

	if (!t->body.cap) {
		curl_off_t announced = -1;

		/* slurmrestd says how big its answer is: one buffer, no copies */
		if (!curl_easy_getinfo(t->c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced) && announced > 0 &&
		    (uint64_t)announced < MAX_ANSWER && (uint64_t)announced >= add)
			(void)growbuf_reserve(&t->body, (size_t)announced, MAX_ANSWER - 1);
	}
	return growbuf_append(&t->body, data, add, MAX_ANSWER - 1) ? 0 : add;
}

int restd_call(restd_t *r, const char *method, const char *path, const char *user, const char *token,
	       const char *json_body, restd_resp_t *out)
{
	transfer_t t = { 0 };
	struct curl_slist *h = NULL;
	struct timespec until;
	char url[1024], hdr[1200];
	CURL *c;
	CURLcode rc;
	int ok = -1;

	memset(out, 0, sizeof(*out));
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += r->timeout_s;
	while (sem_timedwait(&r->slots, &until))
		if (errno != EINTR) {
			snprintf(out->err, sizeof(out->err), "slurmrestd is busy (all connections in use for %d s)",
				 r->timeout_s);
			goto count;
		}
	if (!(c = handle_get(r))) {
		snprintf(out->err, sizeof(out->err), "out of memory");
		sem_post(&r->slots);
		goto count;
	}
	t.c = c;
	snprintf(url, sizeof(url), "http://slurmrestd%s", path);
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, r->path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)r->timeout_s);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 3L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt(c, CURLOPT_BUFFERSIZE, READ_SIZE);
	snprintf(hdr, sizeof(hdr), "X-SLURM-USER-NAME: %s", user);
	h = curl_slist_append(h, hdr);
	snprintf(hdr, sizeof(hdr), "X-SLURM-USER-TOKEN: %s", token);
	h = curl_slist_append(h, hdr);
	h = curl_slist_append(h, "Accept: application/json");
	if (json_body) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json_body);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_off_t first = 0, total = 0;

		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
		curl_easy_getinfo(c, CURLINFO_STARTTRANSFER_TIME_T, &first);
		curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &total);
		out->wait_s = first / 1e6;
		out->body_s = total > first ? (total - first) / 1e6 : 0;
		out->body = growbuf_take(&t.body, &out->len);
		ok = 0;
	} else {
		snprintf(out->err, sizeof(out->err), "slurmrestd at %s: %s", r->path,
			 rc == CURLE_WRITE_ERROR ? "answer too big, or out of memory" : curl_easy_strerror(rc));
		growbuf_free(&t.body);
	}
	curl_slist_free_all(h);
	/* a transfer cut short leaves its connection in an unknown state */
	handle_put(r, c, rc == CURLE_OK);
	sem_post(&r->slots);
count:
	pthread_mutex_lock(&r->lock);
	r->calls++;
	r->failures += ok ? 1 : 0;
	pthread_mutex_unlock(&r->lock);
	return ok;
}

void restd_resp_free(restd_resp_t *resp)
{
	free(resp->body);
	resp->body = NULL;
	resp->len = 0;
}
