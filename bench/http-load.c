/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * http-load - a small closed-loop HTTP load generator for the bridge
 * benchmarks: THREADS clients, each with one kept-alive libcurl handle over
 * a unix socket, repeat GET URL for SECONDS (or MAX requests in all), and
 * the latencies of every answer are kept.
 *
 *   http-load [--unix SOCK] --url URL [-H 'Name: value']... [--threads N]
 *             [--seconds S] [--max M] [--own ttfb | --own st:NAME]
 *
 * (without --unix: TCP, to the URL's host)
 *
 * Prints one line: requests, errors (not 2xx, or no answer), req/s, p50,
 * p90, p99 in ms. Bounded: at most 1024 threads, 600 s, 10^7 requests.
 *
 * --own also prints own_p50 and own_p90: each answer's time less the
 * upstream's own part of it, which on a busy machine varies more than
 * everything else together. "ttfb": less the time to the answer's first
 * byte (a direct call: what is left is the transfer); "st:NAME": less the
 * answer's Server-Timing NAME;dur= (a call through the bridge: what is
 * left is the bridge's own work). An answer without it is an error.
 * Each Server-Timing entry's median is printed too (st_NAME_p50).
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_SAMPLES 10000000

static const char *sock, *url;
static struct curl_slist *headers;
static double deadline;
static long max_requests = MAX_SAMPLES;
static long issued, errors;
static double *lat, *own;
static long nlat, nown;
static const char *own_mode;            /* NULL, "ttfb" or the Server-Timing name */

#define ST_MAX 8

typedef struct {
	double st_ms;                   /* the --own Server-Timing entry's dur, or < 0 */
	int n;                          /* every entry with a dur, for the breakdown */
	char name[ST_MAX][32];
	double dur[ST_MAX];
} answer_t;

/* the breakdown: each Server-Timing name's samples */
static struct {
	char name[32];
	double *v;
	long n, cap;
} st[ST_MAX];
static int nst;

static void st_add(const char *name, double v)
{
	int i;

	for (i = 0; i < nst && strcmp(st[i].name, name); i++)
		;
	if (i == nst) {
		if (nst == ST_MAX)
			return;
		snprintf(st[nst++].name, sizeof(st[0].name), "%s", name);
	}
	if (st[i].n == st[i].cap) {
		long cap = st[i].cap ? st[i].cap * 2 : 1024;
		double *p = cap <= MAX_SAMPLES ? realloc(st[i].v, sizeof(double) * (size_t)cap) : NULL;

		if (!p)
			return;
		st[i].v = p;
		st[i].cap = cap;
	}
	st[i].v[st[i].n++] = v;
}

/* Server-Timing: name;dur=X, name2;desc=y;dur=Z (no quoted commas in ours) */
static size_t on_header(char *p, size_t s, size_t n, void *arg)
{
	answer_t *a = arg;
	size_t len = s * n;
	char line[1024], *e;

	if (len < 15 || len >= sizeof(line) || strncasecmp(p, "server-timing:", 14))
		return len;
	memcpy(line, p + 14, len - 14);
	line[len - 14] = '\0';
	for (char *tok = strtok_r(line, ",", &e); tok; tok = strtok_r(NULL, ",", &e)) {
		size_t nl;
		const char *d;

		tok += strspn(tok, " \t");
		nl = strcspn(tok, ";\r\n");
		if (!(d = strstr(tok, ";dur=")) || !nl || nl >= sizeof(a->name[0]))
			continue;
		if (own_mode && strlen(own_mode) == nl && !strncmp(tok, own_mode, nl))
			a->st_ms = atof(d + 5);
		if (a->n < ST_MAX) {
			memcpy(a->name[a->n], tok, nl);
			a->name[a->n][nl] = '\0';
			a->dur[a->n++] = atof(d + 5);
		}
	}
	return len;
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t sink(char *p, size_t s, size_t n, void *a)
{
	(void)p;
	(void)a;
	return s * n;
}

static void *client(void *arg)
{
	CURL *c = curl_easy_init();

	(void)arg;
	if (sock)
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	for (;;) {
		double t0, took, upstream = -1;
		long code = 0;
		CURLcode rc;
		answer_t a = { .st_ms = -1 };

		pthread_mutex_lock(&lock);
		if (now() >= deadline || issued >= max_requests) {
			pthread_mutex_unlock(&lock);
			break;
		}
		issued++;
		pthread_mutex_unlock(&lock);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, &a);
		t0 = now();
		rc = curl_easy_perform(c);
		took = (now() - t0) * 1000.0;
		if (rc == CURLE_OK) {
			curl_off_t first = 0;

			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
			curl_easy_getinfo(c, CURLINFO_STARTTRANSFER_TIME_T, &first);
			upstream = !own_mode ? 0 : !strcmp(own_mode, "ttfb") ? first / 1000.0 : a.st_ms;
		}
		pthread_mutex_lock(&lock);
		if (rc != CURLE_OK || code < 200 || code > 299 || upstream < 0)
			errors++;
		if (nlat < MAX_SAMPLES)
			lat[nlat++] = took;
		if (own_mode && upstream >= 0 && nown < MAX_SAMPLES)
			own[nown++] = took - upstream;
		for (int i = 0; i < a.n; i++)
			st_add(a.name[i], a.dur[i]);
		pthread_mutex_unlock(&lock);
	}
	curl_easy_cleanup(c);
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int threads = 1;
	double seconds = 10, t0, took;
	pthread_t tid[1024];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--unix") && i + 1 < argc)
			sock = argv[++i];
		else if (!strcmp(argv[i], "--url") && i + 1 < argc)
			url = argv[++i];
		else if (!strcmp(argv[i], "-H") && i + 1 < argc)
			headers = curl_slist_append(headers, argv[++i]);
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (!strcmp(argv[i], "--max") && i + 1 < argc)
			max_requests = atol(argv[++i]);
		else if (!strcmp(argv[i], "--own") && i + 1 < argc && (!strcmp(argv[i + 1], "ttfb") || !strncmp(argv[i + 1], "st:", 3)))
			own_mode = !strcmp(argv[++i], "ttfb") ? "ttfb" : argv[i] + 3;
		else {
			fprintf(stderr, "usage: http-load [--unix SOCK] --url URL [-H H]... [--threads N] [--seconds S] [--max M] [--own ttfb|st:NAME]\n");
			return 2;
		}
	}
	if (!url || threads < 1 || threads > 1024 || seconds <= 0 || seconds > 600 || max_requests < 1 ||
	    max_requests > MAX_SAMPLES) {
		fprintf(stderr, "http-load: --url is required; 1-1024 threads, 0-600 s, max <= 10^7\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!(lat = malloc(sizeof(*lat) * MAX_SAMPLES)) || (own_mode && !(own = malloc(sizeof(*own) * MAX_SAMPLES))))
		return 1;
	t0 = now();
	deadline = t0 + seconds;
	for (int i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, client, NULL);
	for (int i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	took = now() - t0;
	qsort(lat, (size_t)nlat, sizeof(*lat), cmp);
	printf("requests=%ld errors=%ld rps=%.1f p50=%.2f p90=%.2f p99=%.2f", nlat, errors, nlat / took,
	       nlat ? lat[nlat / 2] : 0, nlat ? lat[(long)(nlat * 0.9)] : 0, nlat ? lat[(long)(nlat * 0.99)] : 0);
	if (own_mode) {
		qsort(own, (size_t)nown, sizeof(*own), cmp);
		printf(" own_p50=%.2f own_p90=%.2f", nown ? own[nown / 2] : 0, nown ? own[(long)(nown * 0.9)] : 0);
	}
	for (int i = 0; i < nst; i++) {
		qsort(st[i].v, (size_t)st[i].n, sizeof(double), cmp);
		printf(" st_%s_p50=%.2f", st[i].name, st[i].v[st[i].n / 2]);
		free(st[i].v);
	}
	printf("\n");
	free(lat);
	free(own);
	curl_slist_free_all(headers);
	curl_global_cleanup();
	return 0;
}
