/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bridge's Slurm REST adapters (sr_adapt): numbers in either shape,
 * the canonical node and partition documents made from answers recorded
 * from real slurmrestd releases (tests/fixtures/slurmrestd/), the submit
 * body per version, and how an answer says "refused" or "nothing changed". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "slurm_rest.h"
#include "sr_adapt.h"
#include "sr_fixture.h"

static void test_number(void **state)
{
	static const struct {
		const char *json;
		int set;
		int64_t n;
	} cases[] = {
		{ "5", 1, 5 },
		{ "{\"set\":true,\"infinite\":false,\"number\":1796396997}", 1, 1796396997 },
		{ "{\"set\":false,\"infinite\":false,\"number\":0}", 0, 0 },
		{ "{\"set\":false,\"infinite\":true,\"number\":0}", 0, 0 },
		{ "{\"set\":true,\"infinite\":true,\"number\":7}", 0, 0 },
		{ "{\"number\":7}", 1, 7 },
		/* only booleans say unset or infinite */
		{ "{\"set\":\"false\",\"infinite\":0,\"number\":7}", 1, 7 },
		{ "{\"set\":true,\"number\":\"7\"}", 0, 0 },
		{ "{\"set\":true,\"number\":null}", 0, 0 },
		{ "\"5\"", 0, 0 },
		{ "null", 0, 0 },
		{ "[5]", 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_object *o = json_tokener_parse(cases[i].json);
		int64_t n = -1;

		if (sr_number(o, &n) != cases[i].set)
			fail_msg("%s: expected %s", cases[i].json, cases[i].set ? "a number" : "none");
		if (cases[i].set)
			assert_int_equal(n, cases[i].n);
		json_object_put(o);
	}
}

/* Two recorded node lists of one cluster in versions va and vb: each
 * node canonical (v0.0.38's shape) and the same in both */
static void nodes_agree(const char *fa, const char *va, const char *fb, const char *vb)
{
	json_object *da = fixture_load(fa), *db = fixture_load(fb), *la, *lb, *v;
	sr_version_t a, b;

	assert_int_equal(sr_version_by_name(va, &a), 0);
	assert_int_equal(sr_version_by_name(vb, &b), 0);
	assert_true(json_object_object_get_ex(da, "nodes", &la));
	assert_true(json_object_object_get_ex(db, "nodes", &lb));
	assert_true(json_object_array_length(la) > 0);
	assert_int_equal(json_object_array_length(la), json_object_array_length(lb));
	for (size_t i = 0; i < json_object_array_length(la); i++) {
		json_object *n = sr_node(&a, json_object_array_get_idx(la, i));
		json_object *m = sr_node(&b, json_object_array_get_idx(lb, i));

		/* v0.0.38's shape: state a lower-case string, the rest in state_flags */
		assert_true(json_object_object_get_ex(n, "state", &v));
		assert_true(json_object_is_type(v, json_type_string));
		for (const char *c = json_object_get_string(v); *c; c++)
			assert_false(*c >= 'A' && *c <= 'Z');
		assert_true(json_object_object_get_ex(n, "state_flags", &v));
		assert_true(json_object_is_type(v, json_type_array));
		assert_true(json_object_object_get_ex(n, "cpus", &v));
		assert_true(json_object_is_type(v, json_type_int));
		/* the fields the bridge shows are the same in both versions */
		static const char *const keys[] = { "name", "state", "state_flags", "cpus", "alloc_cpus", "real_memory",
						    "alloc_memory", "gres", "gres_used", "partitions", NULL };
		for (int k = 0; keys[k]; k++) {
			json_object *x, *y;

			if (!json_object_object_get_ex(n, keys[k], &x) || !json_object_object_get_ex(m, keys[k], &y))
				fail_msg("%s or %s: node %zu has no %s", fa, fb, i, keys[k]);
			if (strcmp(json_object_to_json_string(x), json_object_to_json_string(y)))
				fail_msg("node %zu's %s: %s in %s, %s in %s", i, keys[k], json_object_to_json_string(x), fa,
					 json_object_to_json_string(y), fb);
		}
		json_object_put(n);
		json_object_put(m);
	}
	json_object_put(da);
	json_object_put(db);
}

static void test_nodes_canonical(void **state)
{
	sr_version_t v42, v38;

	(void)state;
	sr_version_by_name("v0.0.42", &v42);
	sr_version_by_name("v0.0.38", &v38);
	nodes_agree("nodes-v0.0.42-24.11.json", "v0.0.42", "nodes-v0.0.40-24.11.json", "v0.0.40");
	nodes_agree("nodes-v0.0.42-26.05.json", "v0.0.42", "nodes-v0.0.45-26.05.json", "v0.0.45");
	/* "ALLOCATED" with a flag */
	json_object *one = json_tokener_parse("{\"name\":\"n9\",\"state\":[\"MIXED\",\"DRAIN\",\"RESERVED\"],"
					      "\"boot_time\":{\"set\":true,\"infinite\":false,\"number\":17},"
					      "\"free_mem\":{\"set\":false,\"infinite\":false,\"number\":0}}");
	json_object *c = sr_node(&v42, one);
	assert_string_equal(json_object_to_json_string_ext(c, JSON_C_TO_STRING_PLAIN),
			    "{\"name\":\"n9\",\"state\":\"mixed\",\"boot_time\":17,\"free_mem\":null,"
			    "\"state_flags\":[\"DRAIN\",\"RESERVED\"]}");
	json_object_put(c);
	/* v0.0.38 documents pass as they are; a non-object is none */
	c = sr_node(&v38, one);
	assert_ptr_equal(c, one);
	json_object_put(c);
	assert_null(sr_node(&v42, NULL));
	json_object_put(one);
}

static void test_partitions_canonical(void **state)
{
	json_object *d40 = fixture_load("partitions-v0.0.40-24.11.json"), *d42 = fixture_load("partitions-v0.0.42-24.11.json"), *l40,
		    *l42;
	sr_version_t v40, v42;

	(void)state;
	sr_version_by_name("v0.0.40", &v40);
	sr_version_by_name("v0.0.42", &v42);
	assert_true(json_object_object_get_ex(d40, "partitions", &l40));
	assert_true(json_object_object_get_ex(d42, "partitions", &l42));
	json_object *p = sr_partition(&v42, json_object_array_get_idx(l42, 0));
	json_object *q = sr_partition(&v40, json_object_array_get_idx(l40, 0));
	/* v0.0.38's keys and types: infinite and unset times null */
	assert_string_equal(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
			    "{\"name\":\"debug\",\"state\":\"UP\",\"nodes\":\"n[1-2]\",\"total_nodes\":2,\"total_cpus\":2,"
			    "\"max_time_limit\":null,\"default_time_limit\":null,\"allowed_accounts\":\"\","
			    "\"allowed_groups\":\"\",\"tres\":\"cpu=2,mem=2M,node=2,billing=2\",\"flags\":null}");
	assert_string_equal(json_object_to_json_string(p), json_object_to_json_string(q));
	json_object_put(p);
	json_object_put(q);
	/* a partition with limits, flags and a second state; v0.0.45's flag
	 * names become v0.0.38's, one it never had stays as it is */
	json_object *one = json_tokener_parse(
		"{\"name\":\"gpu\",\"partition\":{\"state\":[\"DRAIN\"],\"exclusive\":\"USER\"},"
		"\"flags\":[\"DEFAULT\",\"REQ_RESV\",\"PDOI\",7,null],"
		"\"maximums\":{\"time\":{\"set\":true,\"infinite\":false,\"number\":1440}},"
		"\"defaults\":{\"time\":{\"set\":true,\"infinite\":false,\"number\":60}},\"nodes\":{\"total\":4}}");
	p = sr_partition(&v42, one);
	assert_string_equal(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
			    "{\"name\":\"gpu\",\"state\":\"DRAIN\",\"total_nodes\":4,\"total_cpus\":null,"
			    "\"max_time_limit\":1440,\"default_time_limit\":60,"
			    "\"flags\":[\"default\",\"reservation_required\",\"PDOI\",\"exclusive_user\"]}");
	json_object_put(p);
	json_object_put(one);
	json_object_put(d40);
	json_object_put(d42);
}

/* 22.05's partition (recorded) becomes the same keys and types as
 * 24.11's: its -1 "no limit" is null like v0.0.40+'s infinite */
static void test_partitions_same_keys_on_every_release(void **state)
{
	json_object *d38 = fixture_load("partitions-v0.0.38-22.05.json"), *d42 = fixture_load("partitions-v0.0.42-24.11.json"), *l38, *l42;
	sr_version_t v38, v42;

	(void)state;
	sr_version_by_name("v0.0.38", &v38);
	sr_version_by_name("v0.0.42", &v42);
	assert_true(json_object_object_get_ex(d38, "partitions", &l38));
	assert_true(json_object_object_get_ex(d42, "partitions", &l42));
	json_object *p = sr_partition(&v38, json_object_array_get_idx(l38, 0));
	json_object *q = sr_partition(&v42, json_object_array_get_idx(l42, 0));
	assert_string_equal(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
			    "{\"name\":\"debug\",\"state\":\"UP\",\"nodes\":\"dv-n[1-3]\",\"total_nodes\":3,\"total_cpus\":6,"
			    "\"max_time_limit\":null,\"default_time_limit\":null,\"allowed_accounts\":\"\","
			    "\"allowed_groups\":\"\",\"tres\":\"cpu=6,mem=3000M,node=3,billing=6\",\"flags\":[\"default\"]}");
	json_object_object_foreach(p, key, val) {
		json_object *w;

		assert_true(json_object_object_get_ex(q, key, &w));
		/* the same type, or null on one side */
		if (val && w)
			assert_int_equal(json_object_get_type(val), json_object_get_type(w));
	}
	assert_int_equal(json_object_object_length(p), json_object_object_length(q));
	json_object_put(p);
	json_object_put(q);
	/* a v0.0.38 limit that is set stays */
	json_object *one = json_tokener_parse("{\"name\":\"x\",\"max_time_limit\":2880,\"default_time_limit\":-1}");
	p = sr_partition(&v38, one);
	assert_string_equal(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
			    "{\"name\":\"x\",\"state\":null,\"total_nodes\":null,\"total_cpus\":null,\"max_time_limit\":2880,"
			    "\"default_time_limit\":null,\"flags\":null}");
	json_object_put(p);
	json_object_put(one);
	json_object_put(d38);
	json_object_put(d42);
}

/* 26.05 (recorded, flags=ALL): v0.0.45 says which partition is the
 * default and which is hidden, in v0.0.38's words, and its debug
 * partition has the very keys, types and flags of 22.05's; v0.0.42 of
 * the same cluster says the same but for the flags, which it does not
 * know (null, not "none") */
static void test_partitions_26_05(void **state)
{
	json_object *d45 = fixture_load("partitions-v0.0.45-26.05.json"), *d42 = fixture_load("partitions-v0.0.42-26.05.json"),
		    *d38 = fixture_load("partitions-v0.0.38-22.05.json"), *v;
	sr_version_t v45, v42, v38;

	(void)state;
	sr_version_by_name("v0.0.45", &v45);
	sr_version_by_name("v0.0.42", &v42);
	sr_version_by_name("v0.0.38", &v38);
	json_object *debug = sr_partition(&v45, fixture_item(d45, "partitions", 0));
	json_object *gpu = sr_partition(&v45, fixture_item(d45, "partitions", 1));
	json_object *old = sr_partition(&v38, fixture_item(d38, "partitions", 0));
	assert_string_equal(json_object_to_json_string_ext(gpu, JSON_C_TO_STRING_PLAIN),
			    "{\"name\":\"gpu\",\"state\":\"UP\",\"nodes\":\"rec-n3\",\"total_nodes\":1,\"total_cpus\":2,"
			    "\"max_time_limit\":1440,\"default_time_limit\":60,\"allowed_accounts\":\"\","
			    "\"allowed_groups\":\"\",\"tres\":\"cpu=2,mem=1000M,node=1,billing=2\","
			    "\"flags\":[\"hidden\",\"least_loaded_nodes\",\"exclusive_user\"]}");
	assert_true(json_object_object_get_ex(debug, "flags", &v));
	assert_string_equal(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), "[\"default\"]");
	assert_int_equal(json_object_object_length(debug), json_object_object_length(old));
	json_object_object_foreach(old, key, val) {
		json_object *w;

		assert_true(json_object_object_get_ex(debug, key, &w));
		if ((val == NULL) != (w == NULL) || (val && json_object_get_type(val) != json_object_get_type(w)))
			fail_msg("%s: %s on 22.05, %s on 26.05", key, json_object_to_json_string(val),
				 json_object_to_json_string(w));
	}
	assert_true(json_object_object_get_ex(old, "flags", &v));
	assert_string_equal(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), "[\"default\"]");
	for (size_t i = 0; i < 2; i++) {
		json_object *a = sr_partition(&v45, fixture_item(d45, "partitions", i));
		json_object *b = sr_partition(&v42, fixture_item(d42, "partitions", i));

		assert_true(json_object_object_get_ex(b, "flags", &v));
		assert_null(v);
		json_object_object_del(a, "flags");
		json_object_object_del(b, "flags");
		assert_string_equal(json_object_to_json_string(a), json_object_to_json_string(b));
		json_object_put(a);
		json_object_put(b);
	}
	json_object_put(debug);
	json_object_put(gpu);
	json_object_put(old);
	json_object_put(d45);
	json_object_put(d42);
	json_object_put(d38);
}

/* 22.05's nodes (recorded) keep their shape: the bridge shows them as is */
static void test_nodes_22_05(void **state)
{
	json_object *d = fixture_load("nodes-v0.0.38-22.05.json"), *l, *n, *v;
	sr_version_t v38;

	(void)state;
	sr_version_by_name("v0.0.38", &v38);
	assert_true(json_object_object_get_ex(d, "nodes", &l));
	n = sr_node(&v38, json_object_array_get_idx(l, 0));
	assert_true(json_object_object_get_ex(n, "state", &v));
	assert_string_equal(json_object_get_string(v), "idle");
	assert_true(json_object_object_get_ex(n, "state_flags", &v));
	assert_true(json_object_is_type(v, json_type_array));
	json_object_put(n);
	json_object_put(d);
}

static void test_submit_body(void **state)
{
	static const char canonical[] = "{\"script\":\"#!/bin/sh\\ntrue\\n\",\"job\":{\"name\":\"x\",\"time_limit\":30,"
					"\"environment\":{\"PATH\":\"/bin:/usr/bin\",\"HOME\":\"/home/a\","
					"\"EQ\":\"a=b=c\"}}}";
	sr_version_t v38, v42;
	json_object *b, *job, *env, *tl, *x;

	(void)state;
	sr_version_by_name("v0.0.38", &v38);
	sr_version_by_name("v0.0.42", &v42);
	/* v0.0.38 takes the bridge's own shape */
	b = sr_submit_body(&v38, json_tokener_parse(canonical));
	json_object *c = json_tokener_parse(canonical);
	assert_string_equal(json_object_to_json_string(b), json_object_to_json_string(c));
	json_object_put(b);
	json_object_put(c);
	/* v0.0.40+: the environment as NAME=value strings, numbers as objects */
	b = sr_submit_body(&v42, json_tokener_parse(canonical));
	assert_non_null(b);
	assert_true(json_object_object_get_ex(b, "job", &job));
	assert_true(json_object_object_get_ex(job, "environment", &env));
	assert_true(json_object_is_type(env, json_type_array));
	assert_int_equal(json_object_array_length(env), 3);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(env, 0)), "PATH=/bin:/usr/bin");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(env, 1)), "HOME=/home/a");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(env, 2)), "EQ=a=b=c");
	assert_true(json_object_object_get_ex(job, "time_limit", &tl));
	assert_true(json_object_object_get_ex(tl, "number", &x));
	assert_int_equal(json_object_get_int(x), 30);
	assert_true(json_object_object_get_ex(tl, "set", &x));
	assert_true(json_object_get_boolean(x));
	assert_true(json_object_object_get_ex(tl, "infinite", &x));
	assert_false(json_object_get_boolean(x));
	assert_true(json_object_object_get_ex(b, "script", &x));
	json_object_put(b);
}

/* a cancel Slurm refused is a refusal, whatever HTTP status came with it */
static void test_kill_refused(void **state)
{
	const char *msg = NULL;
	int num = 0;
	json_object *a;

	(void)state;
	a = json_tokener_parse("{\"status\":[{\"error\":{\"string\":\"Access/permission denied\",\"code\":2002,"
			       "\"message\":\"Access denied for job 7\"},\"step_id\":\"7\",\"job_id\":{\"set\":true,"
			       "\"infinite\":false,\"number\":7},\"federation\":{\"sibling\":\"\"}}],\"errors\":[]}");
	assert_int_equal(sr_kill_refused(a, &num, &msg), 1);
	assert_int_equal(num, 2002);
	assert_string_equal(msg, "Access denied for job 7");
	json_object_put(a);
	/* signalled: code 0 */
	a = json_tokener_parse("{\"status\":[{\"error\":{\"string\":\"\",\"code\":0,\"message\":\"\"},"
			       "\"step_id\":\"7\"}],\"errors\":[]}");
	assert_int_equal(sr_kill_refused(a, &num, &msg), 0);
	json_object_put(a);
	/* v0.0.38: no status[] */
	a = json_tokener_parse("{\"errors\":[],\"meta\":{}}");
	assert_int_equal(sr_kill_refused(a, &num, &msg), 0);
	json_object_put(a);
}

/* 26.05's answer to jobs/?update_time= when nothing changed (recorded
 * shape): no jobs, a warning, last_update unset; and what is not that */
static void test_jobs_unchanged(void **state)
{
	const char *none = "{\"jobs\":[],\"last_backfill\":{\"set\":false,\"infinite\":false,\"number\":0},"
			   "\"last_update\":{\"set\":false,\"infinite\":false,\"number\":0},\"meta\":{},\"errors\":[],"
			   "\"warnings\":[{\"description\":\"No job changes since update_time[1796463000]\",\"source\":\"x\"}]}";
	const char *emptied = "{\"jobs\":[],\"last_update\":{\"set\":true,\"infinite\":false,\"number\":1796463001},"
			      "\"errors\":[]}";
	const char *some = "{\"jobs\":[{\"job_id\":7}],\"errors\":[]}";

	(void)state;
	assert_int_equal(sr_jobs_unchanged(none, strlen(none)), 1);
	/* every job gone since: a real empty list */
	assert_int_equal(sr_jobs_unchanged(emptied, strlen(emptied)), 0);
	assert_int_equal(sr_jobs_unchanged(some, strlen(some)), 0);
	assert_int_equal(sr_jobs_unchanged("not json", 8), 0);
	assert_int_equal(sr_jobs_unchanged(NULL, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_number),
		cmocka_unit_test(test_nodes_canonical),
		cmocka_unit_test(test_partitions_canonical),
		cmocka_unit_test(test_partitions_same_keys_on_every_release),
		cmocka_unit_test(test_partitions_26_05),
		cmocka_unit_test(test_nodes_22_05),
		cmocka_unit_test(test_submit_body),
		cmocka_unit_test(test_kill_refused),
		cmocka_unit_test(test_jobs_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
