/* SPDX-License-Identifier: GPL-2.0-or-later */
/* job_list_reparse: the next answer parsed against the list before. Each
 * list it makes must equal what a full parse of the same answer makes,
 * whatever changed between the two answers; jobs whose bytes did not
 * change keep their strings where they were. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "job_list_parse.h"

/* slurmrestd 22.05's shape: pretty-printed, meta and errors first */
static char *answer(const int *ids, size_t n, int changed, const char *tail)
{
	size_t cap = 512 + n * 400, len;
	char *s = malloc(cap);

	assert_non_null(s);
	len = (size_t)snprintf(s, cap, "{\n  \"meta\": {\n    \"plugin\": \"openapi/v0.0.38\"\n  },\n  \"errors\": [\n  ],\n"
				  "  \"jobs\": [\n");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len,
					"%s    {\n      \"job_id\": %d,\n      \"user_name\": \"u%d\",\n"
					"      \"comment\": \"%s\",\n      \"job_resources\": {\n        \"nodes\": \"x\"\n"
					"      },\n      \"name\": \"job \\\"%d\\\"\"\n    }",
					i ? ",\n" : "", ids[i], ids[i] % 3, ids[i] == changed ? "churn" : "", ids[i]);
	len += (size_t)snprintf(s + len, cap - len, "\n  ]%s\n}\n", tail ? tail : "");
	return s;
}

static job_list_t *parse(char *doc, const job_list_t *prev, size_t *reused, char *why)
{
	jlp_error_t err;

	return job_list_reparse(doc, strlen(doc), prev, &err, why, 200, reused);
}

/* the list from reparse equals a full parse's, record by record */
static void same_as_full(const job_list_t *l, const char *doc)
{
	jlp_error_t err;
	char why[200];
	job_list_t *full = job_list_parse(doc, strlen(doc), &err, why, sizeof(why));

	assert_non_null(full);
	assert_int_equal(l->n, full->n);
	for (size_t i = 0; i < l->n; i++) {
		assert_true(job_rec_equal(&l->rec[i], &full->rec[i]));
		assert_int_equal(l->rec[i].src_off, full->rec[i].src_off);
		assert_int_equal(l->rec[i].src_len, full->rec[i].src_len);
		assert_int_equal(l->src[l->rec[i].src_off], '{');
		assert_int_equal(l->src[l->rec[i].src_off + l->rec[i].src_len - 1], '}');
	}
	job_list_unref(full);
}

static void test_reparse_changes(void **state)
{
	static const int base[] = { 10, 11, 12, 13, 14, 15 };
	static const struct {
		const char *what;
		int ids[8];
		size_t n;
		int changed;
		size_t reused;
	} next[] = {
		{ "nothing changed", { 10, 11, 12, 13, 14, 15 }, 6, 0, 6 },
		{ "one job changed", { 10, 11, 12, 13, 14, 15 }, 6, 12, 5 },
		{ "the first changed", { 10, 11, 12, 13, 14, 15 }, 6, 10, 5 },
		{ "the last changed", { 10, 11, 12, 13, 14, 15 }, 6, 15, 5 },
		{ "one went", { 10, 11, 13, 14, 15 }, 5, 0, 5 },
		{ "three in a row went", { 10, 14, 15 }, 3, 0, 2 },   /* 14 parsed: it says where prev goes on */
		{ "one came at the end", { 10, 11, 12, 13, 14, 15, 16 }, 7, 0, 6 },
		{ "one came in between", { 10, 11, 20, 12, 13, 14, 15 }, 7, 0, 6 },
		{ "two went, one changed", { 10, 12, 13, 15 }, 4, 13, 3 },
		{ "all went", { 0 }, 0, 0, 0 },
	};
	char why[200];

	(void)state;
	for (size_t t = 0; t < sizeof(next) / sizeof(next[0]); t++) {
		size_t reused;
		job_list_t *prev = parse(answer(base, 6, 0, NULL), NULL, &reused, why), *l;
		char *doc = answer(next[t].ids, next[t].n, next[t].changed, NULL), *copy = strdup(doc);

		print_message("%s\n", next[t].what);
		assert_non_null(prev);
		assert_int_equal(reused, 0);
		assert_int_equal(job_list_render(prev, NULL), 0);
		assert_non_null(l = parse(doc, prev, &reused, why));
		assert_int_equal(reused, next[t].reused);
		same_as_full(l, copy);
		/* a reused job's strings are prev's, and its view comes along */
		for (size_t i = 0; i < l->n; i++)
			for (size_t j = 0; j < prev->n; j++)
				if (l->rec[i].f[JF_ID] == prev->rec[j].f[JF_ID]) {
					assert_ptr_equal(l->rec[i].view, prev->rec[j].view);
					assert_true(l->rec[i].home > 0);
				}
		if (next[t].changed) {
			for (size_t i = 0; i < l->n; i++)
				if (atoi(l->rec[i].f[JF_ID]) == next[t].changed)
					assert_string_equal(l->rec[i].f[JF_COMMENT], "churn");
		}
		/* the list outlives prev: its strings stay */
		job_list_unref(prev);
		assert_int_equal(job_list_render(l, NULL), 0);
		same_as_full(l, copy);
		job_list_unref(l);
		free(copy);
	}
}

/* Each list keeps at most JL_SHARED_MAX earlier arenas, however long a
 * queue changes one job at a time; the lists stay right throughout. */
static void test_reparse_generations(void **state)
{
	static const int ids[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	size_t reused;
	char why[200];
	job_list_t *l;

	(void)state;
	assert_non_null(l = parse(answer(ids, 12, 0, NULL), NULL, &reused, why));
	job_list_render(l, NULL);
	for (int g = 0; g < 40; g++) {
		char *doc = answer(ids, 12, 1 + g % 12, NULL), *copy = strdup(doc);
		job_list_t *next = parse(doc, l, &reused, why);

		assert_non_null(next);
		assert_true(reused >= 10);
		assert_true(next->nshared <= JL_SHARED_MAX);
		for (size_t i = 0; i < next->n; i++)
			assert_true(next->rec[i].home <= next->nshared);
		job_list_render(next, l);
		job_list_unref(l);
		l = next;
		same_as_full(l, copy);
		free(copy);
	}
	job_list_unref(l);
}

/* Whatever does not fit the list before is parsed in full, and a broken
 * answer is refused with the full parse's reason */
static void test_reparse_falls_back(void **state)
{
	static const int ids[] = { 1, 2, 3 };
	size_t reused;
	char why[200], why_full[200];
	jlp_error_t err;
	job_list_t *prev, *l;
	char *doc, *copy;

	(void)state;
	assert_non_null(prev = parse(answer(ids, 3, 0, NULL), NULL, &reused, why));
	/* another frame before the jobs */
	doc = answer(ids, 3, 0, NULL);
	memcpy(strstr(doc, "v0.0.38"), "v0.0.39", 7);
	copy = strdup(doc);
	assert_non_null(l = parse(doc, prev, &reused, why));
	assert_int_equal(reused, 0);
	same_as_full(l, copy);
	job_list_unref(l);
	free(copy);
	/* errors after the jobs are read, and a second "jobs" array wins */
	doc = answer(ids, 3, 0, ",\n  \"errors\": [{\"error_number\": 7, \"error\": \"late\"}],\n  \"jobs\": [{\"job_id\": 99}]");
	copy = strdup(doc);
	assert_non_null(l = job_list_reparse(doc, strlen(doc), prev, &err, why, sizeof(why), &reused));
	assert_true(err.present);
	assert_int_equal(err.number, 7);
	assert_string_equal(err.message, "late");
	assert_int_equal(l->n, 1);
	assert_string_equal(l->rec[0].f[JF_ID], "99");
	same_as_full(l, copy);
	job_list_unref(l);
	free(copy);
	/* an element that is not an object, and bytes cut short */
	doc = answer(ids, 3, 0, NULL);
	memcpy(strstr(doc, "    {\n      \"job_id\": 2") + 4, "17, ", 4);
	copy = strdup(doc);
	l = job_list_reparse(doc, strlen(doc), prev, &err, why, sizeof(why), &reused);
	job_list_unref(job_list_parse(copy, strlen(copy), &err, why_full, sizeof(why_full)));
	if (l)
		same_as_full(l, copy);
	else
		assert_string_equal(why, why_full);
	job_list_unref(l);
	free(copy);
	for (size_t cut = 2; cut < 200; cut += 13) {     /* 1 cuts only the last newline */
		doc = answer(ids, 3, 2, NULL);
		doc[strlen(doc) - cut] = '\0';
		copy = strdup(doc);
		assert_null(job_list_reparse(doc, strlen(doc), prev, &err, why, sizeof(why), &reused));
		assert_null(job_list_parse(copy, strlen(copy), &err, why_full, sizeof(why_full)));
		assert_string_equal(why, why_full);
		free(copy);
	}
	job_list_unref(prev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reparse_changes),
		cmocka_unit_test(test_reparse_generations),
		cmocka_unit_test(test_reparse_falls_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
