/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bridge's pure parts: routing, the job request and its v0.0.38 body,
 * the portal's job view, proxy signatures and personal tokens, the
 * configuration file. slurmrestd's job list: test_job_list.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "auth_tokens.h"
#include "bridge_config.h"
#include "grant_sum.h"
#include "gres_count.h"
#include "job_list.h"
#include "job_spec.h"
#include "log_path.h"
#include "router.h"

static const route_t table[] = {
	{ "GET", "/api/v1/jobs", "list" },
	{ "POST", "/api/v1/jobs", "submit" },
	{ "GET", "/api/v1/jobs/{}", "get" },
	{ "DELETE", "/api/v1/jobs/{}", "cancel" },
	{ "GET", "/api/v1/jobs/{}/log", "log" },
};
#define N (sizeof(table) / sizeof(table[0]))

static void test_router(void **state)
{
	route_match_t m;

	(void)state;
	route_find(table, N, "GET", "/api/v1/jobs", &m);
	assert_int_equal(m.status, 0);
	assert_string_equal(m.route->handler, "list");
	route_find(table, N, "GET", "/api/v1/jobs/", &m);
	assert_string_equal(m.route->handler, "list");
	route_find(table, N, "DELETE", "/api/v1/jobs/123_4", &m);
	assert_string_equal(m.route->handler, "cancel");
	assert_int_equal(m.nparams, 1);
	assert_string_equal(m.params[0], "123_4");
	route_find(table, N, "GET", "/api/v1/jobs/7/log", &m);
	assert_string_equal(m.route->handler, "log");
	assert_string_equal(m.params[0], "7");
	route_find(table, N, "PUT", "/api/v1/jobs/7", &m);
	assert_int_equal(m.status, 405);
	assert_string_equal(m.allow, "GET, DELETE");
	assert_null(m.route);
	/* parameters are single clean segments: no dot-dot, no encoding, no empty */
	route_find(table, N, "GET", "/api/v1/jobs/../log", &m);
	assert_int_equal(m.status, 404);
	route_find(table, N, "GET", "/api/v1/jobs/%2e%2e", &m);
	assert_int_equal(m.status, 404);
	route_find(table, N, "GET", "/api/v1/jobs//log", &m);
	assert_int_equal(m.status, 404);
	route_find(table, N, "GET", "/api/v1/jobsx", &m);
	assert_int_equal(m.status, 404);
	route_find(table, N, "GET", "api/v1/jobs", &m);
	assert_int_equal(m.status, 404);
}

static const job_spec_rules_t rules = { .env_allow = "OMP_*,HF_HOME", .max_hours = 48 };

static int parse(const char *body, job_spec_t *s, char *field, char *why)
{
	return job_spec_parse(body, strlen(body), &rules, s, field, 64, why, 512);
}

static void test_job_spec_ok(void **state)
{
	job_spec_t s;
	char field[64], why[512];
	json_object *b, *job, *env, *v;

	(void)state;
	assert_int_equal(parse("{\"name\":\"train-1\",\"machine_type\":\"a100x1\",\"units\":2,\"command\":\"python t.py\","
			       "\"hours\":1.5,\"env\":{\"OMP_NUM_THREADS\":\"4\"}}  \n",
			       &s, field, why),
			 0);
	assert_int_equal(s.units, 2);
	assert_int_equal(s.minutes, 90);
	assert_string_equal(s.script, "#!/bin/bash\npython t.py\n");
	b = job_spec_submit_body(&s, "alice", "/home/alice", "/home/alice/p", "gpu", "portal:job");
	assert_true(json_object_object_get_ex(b, "script", &v));
	assert_true(json_object_object_get_ex(b, "job", &job));
	assert_true(json_object_object_get_ex(job, "partition", &v));
	assert_string_equal(json_object_get_string(v), "gpu");
	assert_true(json_object_object_get_ex(job, "time_limit", &v));
	assert_int_equal(json_object_get_int(v), 90);
	assert_true(json_object_object_get_ex(job, "standard_output", &v));
	assert_string_equal(json_object_get_string(v), "/home/alice/p/%x-%j.out");
	assert_true(json_object_object_get_ex(job, "environment", &env));
	assert_true(json_object_object_get_ex(env, "OCTOPUS_MACHINE_TYPE", &v));
	assert_string_equal(json_object_get_string(v), "a100x1:2");
	assert_true(json_object_object_get_ex(env, "OMP_NUM_THREADS", &v));
	assert_true(json_object_object_get_ex(env, "HOME", &v));
	assert_string_equal(json_object_get_string(v), "/home/alice");
	assert_false(json_object_object_get_ex(env, "OCTOPUS_CONTAINER_IMAGE", &v));
	json_object_put(b);
	job_spec_free(&s);

	/* an image makes the command a step, so srun takes the image */
	assert_int_equal(parse("{\"name\":\"c\",\"machine_type\":\"a100x1\",\"command\":\"nvidia-smi\",\"hours\":1,"
			       "\"image\":\"docker.io/library/ubuntu:22.04\"}",
			       &s, field, why),
			 0);
	assert_string_equal(s.script, "#!/bin/bash\nexec srun nvidia-smi\n");
	b = job_spec_submit_body(&s, "alice", "/home/alice", "/home/alice", "gpu", "portal:job");
	json_object_object_get_ex(b, "job", &job);
	json_object_object_get_ex(job, "environment", &env);
	assert_true(json_object_object_get_ex(env, "OCTOPUS_CONTAINER_IMAGE", &v));
	json_object_put(b);
	job_spec_free(&s);
}

static void expect_bad(const char *body, const char *want_field, const char *want_why_part)
{
	job_spec_t s;
	char field[64], why[512];

	assert_int_equal(parse(body, &s, field, why), -1);
	job_spec_free(&s);
	if (strcmp(field, want_field) || !strstr(why, want_why_part))
		fail_msg("for %s\n field '%s' why '%s'", body, field, why);
}

static void test_job_spec_refusals(void **state)
{
	(void)state;
	expect_bad("{", "", "not one JSON document");
	expect_bad("[1]", "", "must be a JSON object");
	expect_bad("{} {}", "", "not one JSON document");
	expect_bad("{\"name\":\"x\",\"machine_type\":\"a\",\"command\":\"c\",\"hours\":1,\"uid\":0}", "uid",
		   "unknown field 'uid'");
	expect_bad("{\"machine_type\":\"a\",\"command\":\"c\",\"hours\":1}", "name", "required");
	expect_bad("{\"name\":\"a b\",\"machine_type\":\"a\",\"command\":\"c\",\"hours\":1}", "name", "must be");
	expect_bad("{\"name\":\"x\",\"machine_type\":\"a\",\"hours\":1}", "command", "exactly one");
	expect_bad("{\"name\":\"x\",\"machine_type\":\"a\",\"command\":\"c\",\"script\":\"#!/bin/sh\",\"hours\":1}",
		   "script", "exactly one");
	expect_bad("{\"name\":\"x\",\"machine_type\":\"a\",\"script\":\"echo\",\"hours\":1}", "script", "#!");
	expect_bad("{\"name\":\"x\",\"machine_type\":\"a\",\"command\":\"a\\nb\",\"hours\":1}", "command", "one");
	expect_bad("{\"name\":\"x\",\"machine_type\":\"a\",\"command\":\"c\",\"hours\":49}", "hours", "at most 48");
	expect_bad("{\"name\":\"x\",\"machine_type\":\"a\",\"command\":\"c\",\"hours\":0}", "hours", "above 0");
	expect_bad("{\"name\":\"x\",\"machine_type\":\"a\",\"command\":\"c\",\"hours\":\"2\"}", "hours", "number");
	expect_bad("{\"name\":\"x\",\"machine_type\":\"a\",\"command\":\"c\"}", "hours", "required");
	expect_bad("{\"name\":\"x\",\"machine_type\":\"a\",\"command\":\"c\",\"hours\":1,\"units\":0}", "units", "whole");
	expect_bad("{\"name\":\"x\",\"machine_type\":\"a\",\"command\":\"c\",\"hours\":1,\"units\":1.5}", "units", "whole");
	expect_bad("{\"name\":\"x\",\"machine_type\":\"a\",\"command\":\"c\",\"hours\":1,\"workdir\":\"rel\"}", "workdir",
		   "absolute");
	expect_bad("{\"name\":\"x\",\"machine_type\":\"a\",\"command\":\"c\",\"hours\":1,\"env\":{\"LD_PRELOAD\":\"x\"}}",
		   "env.LD_PRELOAD", "not allowed");
	expect_bad("{\"name\":\"x\",\"machine_type\":\"a\",\"command\":\"c\",\"hours\":1,\"env\":{\"OMP_X\":1}}",
		   "env.OMP_X", "string");
	expect_bad("{\"name\":\"x\",\"machine_type\":\"a\",\"command\":\"c\",\"hours\":1,\"image\":\"a b\"}", "image",
		   "image reference");
	/* nesting beyond the tokenizer's depth is refused, not recursed into */
	expect_bad("{\"env\":{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}", "",
		   "not one JSON document");
}

static void test_job_view(void **state)
{
	json_object *j = json_tokener_parse("{\"job_id\":7,\"name\":\"t\",\"user_name\":\"alice\",\"job_state\":"
					    "\"TIMEOUT\",\"state_reason\":\"TimeLimit\",\"extra\":1}"),
		    *v = job_view(j), *x;

	(void)state;
	assert_true(json_object_object_get_ex(v, "state", &x));
	assert_string_equal(json_object_get_string(x), "failed");
	assert_true(json_object_object_get_ex(v, "slurm_state", &x));
	assert_string_equal(json_object_get_string(x), "TIMEOUT");
	assert_false(json_object_object_get_ex(v, "extra", &x));
	assert_string_equal(job_portal_state("PENDING"), "queued");
	assert_string_equal(job_portal_state("COMPLETING"), "stopping");
	assert_string_equal(job_portal_state("REQUEUED"), "suspended");
	assert_string_equal(job_portal_state("WHATEVER"), "unknown");
	assert_string_equal(job_portal_state(NULL), "unknown");
	assert_null(job_view(NULL));
	json_object_put(v);
	json_object_put(j);
}

static void test_proxy_signature(void **state)
{
	const unsigned char secret[] = "0123456789abcdef0123";
	char sig[65], why[256];

	(void)state;
	assert_int_equal(proxy_sig_make(secret, 20, "alice", "1700000000", "GET", "/api/v1/jobs", sig), 0);
	assert_int_equal(proxy_sig_verify(secret, 20, "alice", "1700000000", "GET", "/api/v1/jobs", sig, 1700000010, 30,
					  why, sizeof(why)),
			 0);
	/* the same hex in upper case is the same signature */
	{
		char upper[65];

		for (int i = 0; i < 65; i++)
			upper[i] = (char)(sig[i] >= 'a' && sig[i] <= 'f' ? sig[i] - 32 : sig[i]);
		assert_int_equal(proxy_sig_verify(secret, 20, "alice", "1700000000", "GET", "/api/v1/jobs", upper,
						  1700000010, 30, why, sizeof(why)),
				 0);
		upper[63] = 'g';
		assert_int_equal(proxy_sig_verify(secret, 20, "alice", "1700000000", "GET", "/api/v1/jobs", upper,
						  1700000010, 30, why, sizeof(why)),
				 -1);
	}
	/* another user, method, path or time, or a stale header: refused */
	assert_int_equal(proxy_sig_verify(secret, 20, "bob", "1700000000", "GET", "/api/v1/jobs", sig, 1700000010, 30,
					  why, sizeof(why)),
			 -1);
	assert_string_equal(why, "X-Octopus-Signature does not match");
	assert_int_equal(proxy_sig_verify(secret, 20, "alice", "1700000000", "DELETE", "/api/v1/jobs", sig, 1700000010,
					  30, why, sizeof(why)),
			 -1);
	assert_int_equal(proxy_sig_verify(secret, 20, "alice", "1700000000", "GET", "/api/v1/jobs/1", sig, 1700000010,
					  30, why, sizeof(why)),
			 -1);
	assert_int_equal(proxy_sig_verify(secret, 20, "alice", "1700000000", "GET", "/api/v1/jobs", sig, 1700000031, 30,
					  why, sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "-31 s away"));
	assert_int_equal(proxy_sig_verify(secret, 19, "alice", "1700000000", "GET", "/api/v1/jobs", sig, 1700000000, 30,
					  why, sizeof(why)),
			 -1);
	assert_int_equal(proxy_sig_verify(secret, 20, "alice", "17e8", "GET", "/api/v1/jobs", sig, 1700000000, 30, why,
					  sizeof(why)),
			 -1);
	assert_int_equal(proxy_sig_verify(secret, 20, "alice", NULL, "GET", "/api/v1/jobs", sig, 1700000000, 30, why,
					  sizeof(why)),
			 -1);
}

static void test_personal_tokens(void **state)
{
	char a[PAT_LEN + 1], b[PAT_LEN + 1], ha[PAT_HASH_HEX], hb[PAT_HASH_HEX], h[PAT_HASH_HEX];

	(void)state;
	assert_int_equal(pat_new(a, ha), 0);
	assert_int_equal(pat_new(b, hb), 0);
	assert_int_equal(strlen(a), PAT_LEN);
	assert_memory_equal(a, "pat_", 4);
	assert_string_not_equal(a, b);
	assert_string_not_equal(ha, hb);
	assert_int_equal(pat_hash(a, h), 0);
	assert_string_equal(h, ha);
	assert_int_equal(pat_hash("pat_short", h), -1);
	a[10] = '+';
	assert_int_equal(pat_hash(a, h), -1);
}

static void test_config(void **state)
{
	char path[] = "/tmp/bridge-conf.XXXXXX", err[600];
	bridge_config_t c;
	FILE *f;
	int fd = mkstemp(path);

	(void)state;
	f = fdopen(fd, "w");
	fprintf(f, "# test\nListen=127.0.0.1:8089\nSlurmrestd=unix:/run/r.sock\nAdmins=alice,bob\n"
		   "JobsCacheMs=2500 JobsCacheShared=no\nDenyUsers=mallory\nMinUid=2000\n");
	fclose(f);
	assert_int_equal(bridge_config_load(path, &c, err, sizeof(err)), 0);
	assert_string_equal(c.listen, "127.0.0.1:8089");
	assert_int_equal(c.jobs_cache_ms, 2500);
	assert_int_equal(c.jobs_cache_shared, 0);
	assert_int_equal(c.policy.min_uid, 2000);
	assert_int_equal(c.policy.ndeny, 1);
	assert_int_equal(c.max_body, 256 * 1024);
	f = fopen(path, "w");
	fprintf(f, "Listen=unix:/x\nMaxBodySize=1\n");
	fclose(f);
	assert_int_equal(bridge_config_load(path, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":2: unknown key MaxBodySize"));
	f = fopen(path, "w");
	fprintf(f, "Threads=0\n");
	fclose(f);
	assert_int_equal(bridge_config_load(path, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Threads=0: a whole number from 1 to 256"));
	f = fopen(path, "w");
	fprintf(f, "Slurmrestd=http://127.0.0.1:6820\n");
	fclose(f);
	assert_int_equal(bridge_config_load(path, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unix socket"));
	unlink(path);
}

static gl_grant_t grant(const char *acct, const char *type, uint32_t units, int64_t start, int64_t end, gl_status_t st)
{
	gl_grant_t g;

	memset(&g, 0, sizeof(g));
	snprintf(g.account, sizeof(g.account), "%s", acct);
	snprintf(g.machine_type, sizeof(g.machine_type), "%s", type);
	g.units = units;
	g.start = start;
	g.end = end;
	g.status = st;
	return g;
}

static void test_grant_sum(void **state)
{
	gl_grant_t g[] = {
		grant("octo", "a100x1", 2, 0, 5000, GL_ACTIVE),         /* 2 until 5000 */
		grant("octo", "a100x1", 1, 0, 9000, GL_ACTIVE),         /* 1 more until 9000 */
		grant("octo", "a100x1", 8, 0, 9999, GL_REVOKED),        /* revoked: nothing */
		grant("octo", "a100x1", 4, 2000, 9999, GL_ACTIVE),      /* not started at 1000 */
		grant("other", "a100x1", 4, 0, 9999, GL_ACTIVE),        /* another account */
		grant("octo", "v100x1", 4, 0, 9999, GL_ACTIVE),         /* another type */
		grant("octo", "a100x1", 4, 0, 500, GL_ACTIVE),          /* over */
	};
	uint64_t limit;
	int64_t end;

	(void)state;
	grant_sum(g, 7, "octo", "a100x1", 1000, 1, &limit, &end);
	assert_int_equal(limit, 3);
	assert_int_equal(end, 9000);            /* one unit lasts to the latest end */
	grant_sum(g, 7, "octo", "a100x1", 1000, 3, &limit, &end);
	assert_int_equal(end, 5000);            /* three only while both run */
	grant_sum(g, 7, "octo", "a100x1", 1000, 4, &limit, &end);
	assert_int_equal(end, 0);
	grant_sum(g, 7, "octo", "a100x1", 6000, 1, &limit, &end);
	assert_int_equal(limit, 5);             /* the 1 to 9000 and the 4 from 2000 */
	grant_sum(g, 7, "octo", "h100x1", 1000, 1, &limit, &end);
	assert_true(limit == UINT64_MAX);
	assert_int_equal(end, 0);
}

static void test_log_path(void **state)
{
	log_job_t j = { .job_id = "42", .array_job_id = "", .array_task_id = "", .name = "train", .user = "alice",
			.first_node = "n1" };
	log_job_t a = { .job_id = "45", .array_job_id = "40", .array_task_id = "5", .name = "sweep", .user = "alice",
			.first_node = "n2" };
	char out[256];

	(void)state;
	assert_int_equal(log_path_expand("/home/alice/%x-%j.out", &j, out, sizeof(out)), 0);
	assert_string_equal(out, "/home/alice/train-42.out");
	assert_int_equal(log_path_expand("/w/%u/%N/%%j/%5j", &j, out, sizeof(out)), 0);
	assert_string_equal(out, "/w/alice/n1/%j/00042");
	assert_int_equal(log_path_expand("/w/%A_%a.out", &a, out, sizeof(out)), 0);
	assert_string_equal(out, "/w/40_5.out");
	assert_int_equal(log_path_expand("/w/%q", &j, out, sizeof(out)), 0);
	assert_string_equal(out, "/w/%q");
	assert_int_equal(log_path_expand("relative/%j", &j, out, sizeof(out)), -1);
	assert_int_equal(log_path_expand("/w/%", &j, out, sizeof(out)), -1);
	assert_int_equal(log_path_expand("/w/%x%x%x", &j, out, 10), -1);
}

/* The file a job's stream goes to, whichever way slurmrestd wrote it:
 * 22.05 "" for Slurm's default, 26.05's v0.0.43+ the default relative */
static void test_job_out_path(void **state)
{
	char out[256];
	json_object *o;
	job_rec_t r;

	(void)state;
	/* Slurm's default, in the working directory */
	assert_int_equal(log_path_pattern("", "/home/a", 0, out, sizeof(out)), 0);
	assert_string_equal(out, "/home/a/slurm-%j.out");
	assert_int_equal(log_path_pattern(NULL, "/home/a/", 1, out, sizeof(out)), 0);
	assert_string_equal(out, "/home/a/slurm-%A_%a.out");
	assert_int_equal(log_path_pattern("logs/%x.out", "/home/a", 0, out, sizeof(out)), 0);
	assert_string_equal(out, "/home/a/logs/%x.out");
	assert_int_equal(log_path_pattern("/abs/%j", "relative", 0, out, sizeof(out)), 0);
	assert_string_equal(out, "/abs/%j");
	assert_int_equal(log_path_pattern("slurm-%j.out", "", 0, out, sizeof(out)), -1);
	assert_int_equal(log_path_pattern("slurm-%j.out", "tmp", 0, out, sizeof(out)), -1);
	assert_int_equal(log_path_pattern("slurm-%j.out", "/a/long/dir", 0, out, 16), -1);

	/* 26.05's v0.0.45 (recorded shape): the default relative, stderr "" */
	o = json_tokener_parse("{\"job_id\":{\"set\":true,\"infinite\":false,\"number\":7},\"name\":\"w\","
			       "\"user_name\":\"alice\",\"batch_flag\":true,\"current_working_directory\":\"/tmp\","
			       "\"standard_output\":\"slurm-%j.out\",\"standard_error\":\"\",\"batch_host\":\"n1\","
			       "\"array_job_id\":{\"set\":true,\"infinite\":false,\"number\":0},"
			       "\"array_task_id\":{\"set\":false,\"infinite\":false,\"number\":0}}");
	assert_int_equal(job_rec_from_json(o, &r), 0);
	assert_int_equal(job_rec_out_path(&r, JF_STDOUT, out, sizeof(out)), 0);
	assert_string_equal(out, "/tmp/slurm-7.out");
	/* stderr goes with stdout unless split */
	assert_int_equal(job_rec_out_path(&r, JF_STDERR, out, sizeof(out)), 0);
	assert_string_equal(out, "/tmp/slurm-7.out");
	assert_int_equal(job_rec_out_path(&r, JF_NAME, out, sizeof(out)), -1);
	json_object *view = job_rec_view(&r), *v;
	assert_true(json_object_object_get_ex(view, "stdout", &v));
	assert_string_equal(json_object_get_string(v), "/tmp/slurm-7.out");
	/* stderr that goes with stdout names stdout's file, as 24.11 writes it */
	assert_true(json_object_object_get_ex(view, "stderr", &v));
	assert_string_equal(json_object_get_string(v), "/tmp/slurm-7.out");
	json_object_put(view);
	job_rec_free(&r);
	json_object_put(o);

	/* 22.05 (v0.0.38): "" for the default, an array task, stderr split */
	o = json_tokener_parse("{\"job_id\":45,\"name\":\"sweep\",\"user_name\":\"alice\",\"batch_flag\":true,"
			       "\"current_working_directory\":\"/home/alice\",\"standard_output\":\"\","
			       "\"standard_error\":\"err/%x-%a.err\",\"array_job_id\":40,\"array_task_id\":5}");
	assert_int_equal(job_rec_from_json(o, &r), 0);
	assert_int_equal(job_rec_out_path(&r, JF_STDOUT, out, sizeof(out)), 0);
	assert_string_equal(out, "/home/alice/slurm-40_5.out");
	assert_int_equal(job_rec_out_path(&r, JF_STDERR, out, sizeof(out)), 0);
	assert_string_equal(out, "/home/alice/err/sweep-5.err");
	job_rec_free(&r);
	json_object_put(o);

	/* not an array task: 22.05's array_job_id 0 and NO_VAL task */
	o = json_tokener_parse("{\"job_id\":9,\"batch_flag\":true,\"current_working_directory\":\"/w\","
			       "\"standard_output\":\"\",\"array_job_id\":0,\"array_task_id\":4294967294}");
	assert_int_equal(job_rec_from_json(o, &r), 0);
	assert_int_equal(job_rec_out_path(&r, JF_STDOUT, out, sizeof(out)), 0);
	assert_string_equal(out, "/w/slurm-9.out");
	job_rec_free(&r);
	json_object_put(o);

	/* no batch script, no output file (salloc, srun); no batch_flag at all is the same */
	o = json_tokener_parse("{\"job_id\":8,\"batch_flag\":false,\"current_working_directory\":\"/w\","
			       "\"standard_output\":\"\"}");
	assert_int_equal(job_rec_from_json(o, &r), 0);
	assert_int_equal(job_rec_out_path(&r, JF_STDOUT, out, sizeof(out)), -1);
	view = job_rec_view(&r);
	assert_true(json_object_object_get_ex(view, "stdout", &v));
	assert_string_equal(json_object_get_string(v), "");
	json_object_put(view);
	job_rec_free(&r);
	json_object_put(o);
	o = json_tokener_parse("{\"job_id\":8,\"current_working_directory\":\"/w\",\"standard_output\":\"/o\"}");
	assert_int_equal(job_rec_from_json(o, &r), 0);
	assert_int_equal(job_rec_out_path(&r, JF_STDOUT, out, sizeof(out)), -1);
	job_rec_free(&r);
	json_object_put(o);
}

static void test_gres_count(void **state)
{
	gres_count_t c = { 0 };

	(void)state;
	gres_count_add(&c, "gpu:a100:4(S:0-1),npu:2", "gpu:a100:2(IDX:0,2),npu:0");
	gres_count_add(&c, "gpu:a100:4(S:0)", "gpu:a100:4(IDX:0-3)");
	gres_count_add(&c, NULL, "");
	gres_count_add(&c, "fpga", "fpga:1");
	assert_int_equal(c.n, 3);
	assert_string_equal(c.e[0].name, "gpu:a100");
	assert_int_equal(c.e[0].total, 8);
	assert_int_equal(c.e[0].used, 6);
	assert_string_equal(c.e[1].name, "npu");
	assert_int_equal(c.e[1].total, 2);
	assert_int_equal(c.e[1].used, 0);
	assert_string_equal(c.e[2].name, "fpga");
	assert_int_equal(c.e[2].total, 1);
	assert_int_equal(c.e[2].used, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_router),
		cmocka_unit_test(test_job_spec_ok),
		cmocka_unit_test(test_job_spec_refusals),
		cmocka_unit_test(test_job_view),
		cmocka_unit_test(test_proxy_signature),
		cmocka_unit_test(test_personal_tokens),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_grant_sum),
		cmocka_unit_test(test_log_path),
		cmocka_unit_test(test_job_out_path),
		cmocka_unit_test(test_gres_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
