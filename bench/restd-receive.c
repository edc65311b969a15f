/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * restd-receive - how the bridge should read slurmrestd's job list: curl
 * (one kept-alive handle, as the bridge's restd_client) fetches
 * GET /slurm/v0.0.38/jobs/ ROUNDS times per way, in turn:
 *   count   the body only counted: the transfer alone
 *   parse   each piece parsed as it arrives, in curl's callback
 *           (job_list_parse; the bridge did this until 2026-11-24)
 *   buffer  the body copied as it arrives, parsed in 16 KiB steps once it
 *           is all there (the bridge until 2026-11-24)
 *   big     the same with curl reading 256 KiB at a time instead of 16 KiB,
 *           into a buffer sized once from Content-Length (the bridge now)
 * and prints each way's medians: slurmrestd's time to its first byte
 * ("wait"), first to last byte ("body", with an inline parse in it), the
 * parse after the last byte ("after"), and body + after ("total", also its
 * p90: what the bridge adds to slurmrestd's own time before it renders).
 *
 *   restd-receive SOCKET USER TOKEN [ROUNDS]
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "job_list_parse.h"

#define MAX_ROUNDS 200

#define WAYS 4
#define BIG_READ (256 * 1024)

typedef struct {
	CURL *c;
	int way;
	size_t got;
	jlp_t *p;
	char *d;
	size_t len, cap;
	int bad;
} rx_t;

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
	rx_t *x = arg;
	size_t add = size * n;

	x->got += add;
	if (x->way == 1 && jlp_feed(x->p, data, add))
		x->bad = 1;
	if (x->way >= 2) {
		curl_off_t cl = -1;

		if (x->way == 3 && !x->cap && !curl_easy_getinfo(x->c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) &&
		    cl > 0 && cl < (1 << 30) && (x->d = malloc((size_t)cl)))
			x->cap = (size_t)cl;
		if (x->len + add > x->cap) {
			size_t cap = (x->len + add) * 2;
			char *q = realloc(x->d, cap);

			if (!q)
				return 0;
			x->d = q;
			x->cap = cap;
		}
		memcpy(x->d + x->len, data, add);
		x->len += add;
	}
	return add;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	static const char *const names[WAYS] = { "count", "parse", "buffer", "big" };
	int rounds = argc > 4 ? atoi(argv[4]) : 21;
	double wait[WAYS][MAX_ROUNDS], body[WAYS][MAX_ROUNDS], after[WAYS][MAX_ROUNDS];
	struct curl_slist *h = NULL;
	char hdr[2048];
	size_t jobs = 0;
	CURL *c;

	if (argc < 4 || rounds < 1 || rounds > MAX_ROUNDS || !(c = curl_easy_init())) {
		fprintf(stderr, "usage: restd-receive SOCKET USER TOKEN [ROUNDS<=%d]\n", MAX_ROUNDS);
		return 2;
	}
	snprintf(hdr, sizeof(hdr), "X-SLURM-USER-NAME: %s", argv[2]);
	h = curl_slist_append(h, hdr);
	snprintf(hdr, sizeof(hdr), "X-SLURM-USER-TOKEN: %s", argv[3]);
	h = curl_slist_append(h, hdr);
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, argv[1]);
	curl_easy_setopt(c, CURLOPT_URL, "http://slurmrestd/slurm/v0.0.38/jobs/");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	for (int i = 0; i < rounds * WAYS; i++) {
		rx_t x = { .c = c, .way = i % WAYS, .p = jlp_new() };  /* in turn: each way sees the same machine */
		curl_off_t first = 0, total = 0;
		long status = 0;
		jlp_error_t err;
		job_list_t *l;
		char why[200];
		double t0;

		curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
		curl_easy_setopt(c, CURLOPT_BUFFERSIZE, x.way == 3 ? (long)BIG_READ : (long)CURL_MAX_WRITE_SIZE);
		if (!x.p || curl_easy_perform(c) != CURLE_OK || x.bad ||
		    (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status), status != 200)) {
			fprintf(stderr, "restd-receive: the job list could not be read (HTTP %ld)\n", status);
			return 1;
		}
		curl_easy_getinfo(c, CURLINFO_STARTTRANSFER_TIME_T, &first);
		curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &total);
		t0 = now_ms();
		for (size_t off = 0; off < x.len; off += 16384)
			if (jlp_feed(x.p, x.d + off, x.len - off < 16384 ? x.len - off : 16384))
				break;
		l = jlp_finish(x.p, &err, why, sizeof(why));
		after[x.way][i / WAYS] = now_ms() - t0;
		free(x.d);
		if (x.way && (!l || !l->n)) {
			fprintf(stderr, "restd-receive: no jobs parsed: %s\n", l ? "empty list" : why);
			return 1;
		}
		if (x.way)
			jobs = l->n;
		job_list_unref(l);
		wait[x.way][i / WAYS] = first / 1e3;
		body[x.way][i / WAYS] = (total - first) / 1e3;
	}
	printf("%zu jobs, %d rounds each; medians in ms:", jobs, rounds);
	for (int w = 0; w < WAYS; w++) {
		double whole[MAX_ROUNDS];

		for (int k = 0; k < rounds; k++)
			whole[k] = body[w][k] + after[w][k];
		qsort(wait[w], (size_t)rounds, sizeof(double), cmp);
		qsort(body[w], (size_t)rounds, sizeof(double), cmp);
		qsort(after[w], (size_t)rounds, sizeof(double), cmp);
		qsort(whole, (size_t)rounds, sizeof(double), cmp);
		printf(" %s: wait=%.1f body=%.2f after=%.2f total=%.2f total_p90=%.2f;", names[w], wait[w][rounds / 2],
		       body[w][rounds / 2], after[w][rounds / 2], whole[rounds / 2], whole[rounds * 9 / 10]);
	}
	printf("\n");
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return 0;
}
