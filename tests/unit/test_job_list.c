/* SPDX-License-Identifier: GPL-2.0-or-later */
/* slurmrestd's job list in the bridge: the event parser (job_list_parse),
 * UTF-8 repair, the records' arena, and the views rendered once per list
 * and carried over to the next. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "job_list_parse.h"
#include "str_arena.h"
#include "utf8_valid.h"

/* A v0.0.38 job list, shaped as slurmrestd 22.05 writes it: most fields
 * nested, some repeated at depth, errors and meta around the jobs. */
static const char job_list_doc[] =
	"{\n  \"meta\": {\"plugin\": {\"type\": \"openapi/v0.0.38\"}, \"Slurm\": {\"version\": {\"major\": 22}}},\n"
	"  \"errors\": [],\n"
	"  \"jobs\": [\n"
	"    {\"account\": \"proj\", \"job_id\": 41, \"name\": \"train \\\"big\\\" \\u00e9\", \"user_name\": \"alice\",\n"
	"     \"job_state\": \"RUNNING\", \"state_reason\": \"None\", \"nodes\": \"n[1-2]\", \"submit_time\": 1800000000,\n"
	"     \"time_limit\": 60, \"tres_req_str\": \"cpu=4,license/mt_gpu=2\", \"comment\": null,\n"
	"     \"job_resources\": {\"nodes\": \"nested-not-kept\", \"allocated_nodes\": [{\"nodename\": \"x\"}]},\n"
	"     \"array\": {\"job_id\": 999}, \"requeue\": true, \"exit_code\": {\"status\": \"SUCCESS\"}},\n"
	"    17,\n"
	"    {\"job_id\": 42, \"user_name\": \"bob\", \"job_state\": \"PENDING\", \"name\": \"a\", \"name\": \"b\",\n"
	"     \"partition\": \"gpu\", \"partition\": {\"x\": 1}, \"standard_output\": \"/home/bob/o\"}\n"
	"  ]\n}\n";

static void check_job_list(job_list_t *l)
{
	assert_non_null(l);
	assert_int_equal(l->n, 2);      /* the 17 is not a job */
	assert_string_equal(l->rec[0].f[JF_ID], "41");
	assert_string_equal(l->rec[0].f[JF_NAME], "train \"big\" \xc3\xa9");
	assert_string_equal(l->rec[0].f[JF_NODES], "n[1-2]");   /* not job_resources.nodes */
	assert_string_equal(l->rec[0].f[JF_SUBMIT], "1800000000");
	assert_string_equal(l->rec[0].f[JF_TRES_REQ], "cpu=4,license/mt_gpu=2");
	assert_null(l->rec[0].f[JF_COMMENT]);
	assert_null(l->rec[0].f[JF_STDOUT]);
	assert_int_equal(job_rec_units(&l->rec[0], "gpu"), 2);
	assert_string_equal(l->rec[1].f[JF_ID], "42");
	assert_string_equal(l->rec[1].f[JF_NAME], "b");           /* the last key wins */
	assert_null(l->rec[1].f[JF_PARTITION]);                 /* ... also when it is an object */
	assert_string_equal(l->rec[1].f[JF_STDOUT], "/home/bob/o");
}

static void test_job_list_parse(void **state)
{
	size_t len = strlen(job_list_doc);
	jlp_error_t err;
	char why[200];
	job_list_t *l;

	(void)state;
	l = job_list_parse(job_list_doc, len, &err, why, sizeof(why));
	assert_false(err.present);
	check_job_list(l);
	/* the views rendered once are the views, byte for byte JSON-equal */
	assert_int_equal(job_list_render(l, NULL), 0);
	for (size_t i = 0; i < l->n; i++) {
		json_object *once = json_tokener_parse(l->rec[i].view), *now = job_rec_view(&l->rec[i]);

		assert_non_null(once);
		assert_int_equal(strlen(l->rec[i].view), l->rec[i].view_len);
		assert_true(json_object_equal(once, now));
		json_object_put(once);
		json_object_put(now);
	}
	job_list_unref(l);
	/* fed in every split, and byte by byte: the same records */
	for (size_t cut = 0; cut <= len; cut += 7) {
		jlp_t *p = jlp_new();

		assert_int_equal(jlp_feed(p, job_list_doc, cut), 0);
		assert_int_equal(jlp_feed(p, job_list_doc + cut, len - cut), 0);
		check_job_list(l = jlp_finish(p, &err, why, sizeof(why)));
		job_list_unref(l);
	}
	{
		jlp_t *p = jlp_new();

		for (size_t i = 0; i < len; i++)
			assert_int_equal(jlp_feed(p, job_list_doc + i, 1), 0);
		check_job_list(l = jlp_finish(p, &err, why, sizeof(why)));
		job_list_unref(l);
	}
}

/* The next list takes the views of the jobs that did not change from the
 * list before (which may go first), and renders the others */
static void test_job_list_rerender(void **state)
{
	static const char before[] = "{\"jobs\": [{\"job_id\": 41, \"job_state\": \"RUNNING\", \"user_name\": \"al\"},"
				     " {\"job_id\": 42, \"job_state\": \"PENDING\", \"user_name\": \"bob\"},"
				     " {\"job_id\": 44, \"job_state\": \"PENDING\", \"user_name\": \"al\"}]}";
	/* 44 ended and went, 42 started, 43 is new, 41 is as it was */
	static const char after[] = "{\"jobs\": [{\"job_id\": 43, \"job_state\": \"PENDING\", \"user_name\": \"cy\"},"
				    " {\"job_id\": 42, \"job_state\": \"RUNNING\", \"user_name\": \"bob\"},"
				    " {\"job_id\": 41, \"job_state\": \"RUNNING\", \"user_name\": \"al\"}]}";
	static char marker[] = "{\"marker\":1}";
	jlp_error_t err;
	char why[200];
	job_list_t *a, *b;

	(void)state;
	assert_non_null(a = job_list_parse(before, strlen(before), &err, why, sizeof(why)));
	assert_int_equal(job_list_render(a, NULL), 0);
	/* marked, so that a copy shows where it came from */
	for (size_t i = 0; i < a->n; i++) {
		a->rec[i].view = marker;
		a->rec[i].view_len = strlen(marker);
	}
	assert_non_null(b = job_list_parse(after, strlen(after), &err, why, sizeof(why)));
	assert_int_equal(job_list_render(b, a), 0);
	job_list_unref(a);
	assert_int_equal(b->n, 3);
	assert_string_equal(b->rec[2].view, marker);            /* 41: a's view */
	assert_ptr_not_equal(b->rec[2].view, marker);           /* ... a copy, b's own */
	for (size_t i = 0; i < 2; i++) {                        /* 43 and 42: rendered */
		json_object *got = json_tokener_parse(b->rec[i].view), *want = job_rec_view(&b->rec[i]);

		assert_non_null(got);
		assert_true(json_object_equal(got, want));
		assert_int_equal(strlen(b->rec[i].view), b->rec[i].view_len);
		json_object_put(got);
		json_object_put(want);
	}
	assert_non_null(strstr(b->rec[1].view, "\"RUNNING\""));
	job_list_unref(b);
}

/* Every field is found by its key; other keys, and longer ones, are not */
static void test_job_field_by_key(void **state)
{
	(void)state;
	for (int f = 0; f < JF_N; f++)
		assert_int_equal(job_field_by_key(job_field_key(f), strlen(job_field_key(f))), f);
	assert_int_equal(job_field_by_key("job_idx", 6), JF_ID);        /* the length counts, not a NUL */
	assert_int_equal(job_field_by_key("job_ix", 6), -1);
	assert_int_equal(job_field_by_key("array_task_str", 14), -1);    /* the length of two fields, neither */
	assert_int_equal(job_field_by_key("", 0), -1);
	assert_int_equal(job_field_by_key("current_working_directory_and_then_some", 39), -1);
}

/* Strings from an arena: each where it was put, across chunks and in
 * chunks of their own */
static void test_str_arena(void **state)
{
	str_arena_t *a = str_arena_new();
	char *small[3000], *big, *after_big;
	size_t used, held;

	(void)state;
	assert_non_null(a);
	for (size_t i = 0; i < 3000; i++) {
		char s[32];
		int n = snprintf(s, sizeof(s), "string %zu", i);

		assert_non_null(small[i] = str_arena_memdup(a, s, (size_t)n));
	}
	assert_non_null(big = str_arena_alloc(a, 3 * 1024 * 1024));
	memset(big, 'x', 3 * 1024 * 1024);
	assert_non_null(after_big = str_arena_memdup(a, "after", 3));
	for (size_t i = 0; i < 3000; i++) {
		char s[32];

		snprintf(s, sizeof(s), "string %zu", i);
		assert_string_equal(small[i], s);
	}
	assert_string_equal(after_big, "aft");
	str_arena_usage(a, &used, &held);
	assert_true(used >= 3 * 1024 * 1024 + 3000 * 9);
	assert_true(held >= used);
	assert_true(held < used + 2 * 1024 * 1024);     /* the big one did not waste the chunk before it */
	str_arena_unref(a);
	str_arena_unref(NULL);
}

/* One job named in bytes that are not UTF-8 (Slurm takes any) does not
 * cost everyone the list: the name is kept, its bad bytes replaced */
static void test_job_list_bad_utf8(void **state)
{
	static const char doc[] = "{\"jobs\": [{\"job_id\": 1, \"name\": \"a\xff\xfe\xc3\xa9\xed\xa0\x80\xc0\x80z\"},"
				  " {\"job_id\": 2, \"name\": \"ok \xe2\x82\xac\xf0\x9f\x90\x99\"},"
				  " {\"job_id\": 3, \"name\": \"cut \xe2\x82\"}]}";
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "plain", "plain" },
		{ "\xc3\xa9\xe2\x82\xac\xf0\x9f\x90\x99\xf4\x8f\xbf\xbf", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x90\x99\xf4\x8f\xbf\xbf" },
		{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },                 /* overlong '/' */
		{ "\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* overlong, 3 bytes */
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* a surrogate */
		{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" }, /* above U+10FFFF */
		{ "x\xe2\x82", "x\xef\xbf\xbd\xef\xbf\xbd" },                /* cut short */
	};
	jlp_error_t err;
	char why[200];
	job_list_t *l;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *o = utf8_valid_dup(cases[i].in, strlen(cases[i].in));

		assert_non_null(o);
		if (strcmp(o, cases[i].out))
			fail_msg("case %zu", i);
		free(o);
	}
	assert_non_null(l = job_list_parse(doc, strlen(doc), &err, why, sizeof(why)));
	assert_int_equal(l->n, 3);
	assert_string_equal(l->rec[0].f[JF_NAME], "a\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
						  "\xef\xbf\xbd\xef\xbf\xbdz");
	assert_string_equal(l->rec[1].f[JF_NAME], "ok \xe2\x82\xac\xf0\x9f\x90\x99");
	assert_string_equal(l->rec[2].f[JF_NAME], "cut \xef\xbf\xbd\xef\xbf\xbd");
	job_list_unref(l);
}

static void test_job_list_parse_refusals(void **state)
{
	static const struct {
		const char *doc, *why;
	} bad[] = {
		{ "{\"jobs\": [ {\"job_id\": 1}", "not JSON" },                 /* cut short */
		{ "{\"jobs\": [] } trailing", "not JSON" },
		{ "[{\"jobs\": []}]", "not a JSON object" },
		{ "{\"meta\": {}}", "no jobs array" },
	};
	static const char errdoc[] = "{\"errors\": [{\"error\": \"e1\", \"error_number\": 1007, \"description\": \"\"},"
				     " {\"description\": \"second\"}], \"jobs\": []}";
	static const char numdoc[] = "{\"errors\": [{\"error_number\": \"77\"}], \"jobs\": []}";
	char deep[400], why[200];
	jlp_error_t err;
	job_list_t *l;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_null(job_list_parse(bad[i].doc, strlen(bad[i].doc), &err, why, sizeof(why)));
		assert_non_null(strstr(why, bad[i].why));
	}
	/* nesting past 64 levels stops the parse instead of growing a stack */
	i = (size_t)snprintf(deep, sizeof(deep), "{\"jobs\": [");
	for (int d = 0; d < 100; d++)
		deep[i++] = '[';
	deep[i] = '\0';
	assert_null(job_list_parse(deep, i, &err, why, sizeof(why)));
	assert_non_null(strstr(why, "nested deeper than 64"));
	/* Slurm's errors[]: the first entry's description (else error) and number */
	l = job_list_parse(errdoc, strlen(errdoc), &err, why, sizeof(why));
	assert_non_null(l);
	assert_int_equal(l->n, 0);
	assert_true(err.present);
	assert_int_equal(err.number, 1007);
	assert_string_equal(err.message, "e1");
	job_list_unref(l);
	/* a number given as a string counts, as json-c's get_int reads it */
	l = job_list_parse(numdoc, strlen(numdoc), &err, why, sizeof(why));
	assert_non_null(l);
	assert_int_equal(err.number, 77);
	job_list_unref(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_job_list_parse),
		cmocka_unit_test(test_job_list_rerender),
		cmocka_unit_test(test_job_field_by_key),
		cmocka_unit_test(test_str_arena),
		cmocka_unit_test(test_job_list_parse_refusals),
		cmocka_unit_test(test_job_list_bad_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
