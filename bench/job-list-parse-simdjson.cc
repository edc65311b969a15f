/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * job-list-parse-simdjson - would a faster JSON library meet the bridge's
 * 1 ms target for a changed job list? The same work as job_list_parse (the
 * 18 fields a job view shows, copied into job_rec_t records; every other
 * field skipped) with simdjson's on-demand API, which uses the CPU's SIMD
 * units (AVX2/AVX-512) and is among the fastest JSON parsers there are.
 * Measurement only: the bridge is C and does not link it.
 *
 *   job-list-parse-simdjson DOC N [ROUNDS]
 *
 * DOC is the answer job-list-parse builds (--write). Prints the median ms.
 */
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

extern "C" {
#include "job_list.h"
}

using namespace simdjson;

static double now_ms()
{
	timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static char *dup_view(std::string_view v)
{
	char *s = static_cast<char *>(malloc(v.size() + 1));

	if (s) {
		memcpy(s, v.data(), v.size());
		s[v.size()] = '\0';
	}
	return s;
}

/* the jobs array into records; the number of jobs, or -1 */
static long parse(ondemand::parser &parser, const padded_string &doc, job_list_t *l, size_t cap)
{
	ondemand::document d;

	if (parser.iterate(doc).get(d))
		return -1;
	for (auto top : d.get_object()) {
		std::string_view key;

		if (top.unescaped_key().get(key) || key != "jobs")
			continue;
		for (auto job : top.value().get_array()) {
			job_rec_t *r;

			if (l->n == cap)
				return -1;
			r = &l->rec[l->n++];
			memset(r, 0, sizeof(*r));
			for (auto f : job.get_object()) {
				std::string_view k, v;
				ondemand::value val;
				ondemand::json_type t;
				int fi;

				if (f.unescaped_key().get(k) || (fi = job_field_by_key(k.data(), k.size())) < 0)
					continue;
				if (f.value().get(val) || val.type().get(t))
					return -1;
				if (t == ondemand::json_type::string) {
					if (val.get_string().get(v))
						return -1;
				} else if (t == ondemand::json_type::number || t == ondemand::json_type::boolean) {
					v = val.raw_json_token();
				} else {
					continue;
				}
				free(r->f[fi]);
				r->f[fi] = dup_view(v);
			}
		}
	}
	return (long)l->n;
}

int main(int argc, char **argv)
{
	size_t n = argc > 2 ? strtoul(argv[2], nullptr, 10) : 0, rounds = argc > 3 ? strtoul(argv[3], nullptr, 10) : 31;
	std::vector<double> t;
	padded_string doc;
	ondemand::parser parser;

	if (argc < 3 || n < 1 || rounds < 1 || rounds > 1000 || padded_string::load(argv[1]).get(doc)) {
		fprintf(stderr, "usage: job-list-parse-simdjson DOC N [ROUNDS]\n");
		return 2;
	}
	for (size_t r = 0; r < rounds; r++) {
		job_list_t l = {};
		long got;
		double t0;

		l.rec = static_cast<job_rec_t *>(calloc(n, sizeof(job_rec_t)));
		t0 = now_ms();
		got = parse(parser, doc, &l, n);
		t.push_back(now_ms() - t0);
		if (got != (long)n || !l.rec[n - 1].f[JF_ID]) {
			fprintf(stderr, "job-list-parse-simdjson: %ld jobs, not %zu\n", got, n);
			return 3;
		}
		for (size_t i = 0; i < l.n; i++)
			job_rec_free(&l.rec[i]);
		free(l.rec);
	}
	std::sort(t.begin(), t.end());
	printf("simdjson (%s kernel)=%.2f ms\n", get_active_implementation()->name().data(), t[rounds / 2]);
	return 0;
}
