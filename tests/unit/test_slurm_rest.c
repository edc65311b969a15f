/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bridge's Slurm REST layer: which version it picks from slurmrestd's
 * /openapi/v3, the paths it builds, and the canonical documents it makes
 * from answers recorded from real slurmrestd releases
 * (tests/fixtures/slurmrestd/: 24.11's v0.0.40-42; v0.0.38 is what 22.05
 * writes, driven for real by tests/integration/80-bridge.bats). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "job_list_parse.h"
#include "slurm_rest.h"
#include "sr_adapt.h"

static char *slurp(const char *name, size_t *len)
{
	char path[1024];
	const char *dir = getenv("SLURMRESTD_FIXTURES");
	FILE *f;
	char *buf;
	long n;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static json_object *load(const char *name)
{
	size_t len;
	char *s = slurp(name, &len);
	json_object *o = json_tokener_parse(s);

	free(s);
	assert_non_null(o);
	return o;
}

static int pick(const char *doc, sr_version_t *v, char *why, size_t wl)
{
	return sr_pick(doc, strlen(doc), v, why, wl);
}

static void test_pick_from_recorded_24_11(void **state)
{
	size_t len;
	char *doc = slurp("openapi-v3-24.11.json", &len), why[400] = "";
	sr_version_t v;

	(void)state;
	assert_int_equal(sr_pick(doc, len, &v, why, sizeof(why)), 0);
	assert_string_equal(v.name, "v0.0.42");
	assert_int_equal(v.gen, SR_GEN_4X);
	/* a cut document is no document */
	assert_int_equal(sr_pick(doc, len / 2, &v, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "\"paths\""));
	free(doc);
}

static void test_pick_from_recorded_22_05(void **state)
{
	size_t len;
	char *doc = slurp("openapi-v3-22.05.json", &len), why[400] = "";
	sr_version_t v;

	(void)state;
	/* 22.05 lists "/slurm/v0.0.38/jobs", without the final '/' */
	assert_int_equal(sr_pick(doc, len, &v, why, sizeof(why)), 0);
	assert_string_equal(v.name, "v0.0.38");
	assert_int_equal(v.gen, SR_GEN_38);
	free(doc);
}

static void test_pick_cases(void **state)
{
	sr_version_t v;
	char why[400];

	(void)state;
	/* 22.05: v0.0.36-38 served, v0.0.38 is the one known */
	assert_int_equal(pick("{\"paths\":{\"/slurm/v0.0.36/jobs/\":{},\"/slurm/v0.0.36/job/submit\":{},"
			      "\"/slurm/v0.0.38/jobs/\":{},\"/slurm/v0.0.38/job/submit\":{},"
			      "\"/slurm/v0.0.37/jobs/\":{},\"/slurm/v0.0.37/job/submit\":{}}}",
			      &v, why, sizeof(why)),
			 0);
	assert_string_equal(v.name, "v0.0.38");
	assert_int_equal(v.gen, SR_GEN_38);
	/* a version served in part (no submit) is passed over for an older whole one */
	assert_int_equal(pick("{\"paths\":{\"/slurm/v0.0.42/jobs/\":{},\"/slurm/v0.0.41/jobs/\":{},"
			      "\"/slurm/v0.0.41/job/submit\":{}}}",
			      &v, why, sizeof(why)),
			 0);
	assert_string_equal(v.name, "v0.0.41");
	/* newest known wins whatever the order of the keys */
	assert_int_equal(pick("{\"paths\":{\"/slurm/v0.0.40/job/submit\":{},\"/slurm/v0.0.40/jobs/\":{},"
			      "\"/slurm/v0.0.42/jobs/\":{},\"/slurm/v0.0.42/job/submit\":{}}}",
			      &v, why, sizeof(why)),
			 0);
	assert_string_equal(v.name, "v0.0.42");
	/* only versions the bridge does not know: the error names them and the known ones */
	assert_int_equal(pick("{\"paths\":{\"/slurm/v0.0.44/jobs/\":{},\"/slurm/v0.0.44/job/submit\":{},"
			      "\"/slurm/v0.0.45/jobs/\":{}}}",
			      &v, why, sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "v0.0.44"));
	assert_non_null(strstr(why, "v0.0.45"));
	assert_non_null(strstr(why, "v0.0.42, v0.0.41, v0.0.40, v0.0.38"));
	/* look-alike keys are not versions */
	assert_int_equal(pick("{\"paths\":{\"/slurm/v0.0.42/jobs/state/\":{},\"/slurmdb/v0.0.42/jobs/\":{},"
			      "\"/slurm/v0.0.42/job/submit\":{},\"/slurm//jobs/\":{},\"/slurm/v0.0.42\":{}}}",
			      &v, why, sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "it serves: none"));
	assert_int_equal(pick("{}", &v, why, sizeof(why)), -1);
	assert_int_equal(pick("{\"paths\":[\"/slurm/v0.0.42/jobs/\"]}", &v, why, sizeof(why)), -1);
	assert_int_equal(pick("<html>404</html>", &v, why, sizeof(why)), -1);
	assert_int_equal(pick("", &v, why, sizeof(why)), -1);
	/* many unknown versions: why stays bounded and terminated */
	{
		char doc[8192] = "{\"paths\":{", small[64];
		size_t used = strlen(doc);

		for (int i = 100; i < 300; i++)
			used += (size_t)snprintf(doc + used, sizeof(doc) - used, "%s\"/slurm/v0.0.%d/jobs/\":{}",
						 i > 100 ? "," : "", i);
		snprintf(doc + used, sizeof(doc) - used, "}}");
		assert_int_equal(pick(doc, &v, small, sizeof(small)), -1);
		assert_int_equal(strlen(small), sizeof(small) - 1);
	}
}

static void test_versions_by_name(void **state)
{
	sr_version_t v;
	char names[16];

	(void)state;
	assert_int_equal(sr_version_by_name("v0.0.40", &v), 0);
	assert_int_equal(v.gen, SR_GEN_4X);
	assert_int_equal(sr_version_by_name("v0.0.38", &v), 0);
	assert_int_equal(v.gen, SR_GEN_38);
	assert_int_equal(sr_version_by_name("v0.0.39", &v), -1);
	assert_int_equal(sr_version_by_name("auto", &v), -1);
	assert_int_equal(sr_version_by_name("", &v), -1);
	/* a short buffer is cut, not overrun */
	assert_string_equal(sr_known_versions(names, sizeof(names)), "v0.0.42, v0.0.4");
}

static void test_paths(void **state)
{
	sr_version_t v38, v42;
	char p[128];

	(void)state;
	assert_int_equal(sr_version_by_name("v0.0.38", &v38), 0);
	assert_int_equal(sr_version_by_name("v0.0.42", &v42), 0);
	assert_int_equal(sr_path(&v42, SR_JOBS, NULL, p, sizeof(p)), 0);
	assert_string_equal(p, "/slurm/v0.0.42/jobs/");
	assert_int_equal(sr_path(&v38, SR_JOBS_SINCE, "1800000000", p, sizeof(p)), 0);
	assert_string_equal(p, "/slurm/v0.0.38/jobs/?update_time=1800000000");
	assert_int_equal(sr_path(&v42, SR_JOB, "123_4", p, sizeof(p)), 0);
	assert_string_equal(p, "/slurm/v0.0.42/job/123_4");
	assert_int_equal(sr_path(&v42, SR_JOB_SUBMIT, NULL, p, sizeof(p)), 0);
	assert_string_equal(p, "/slurm/v0.0.42/job/submit");
	assert_int_equal(sr_path(&v42, SR_NODE, "gpu-n01", p, sizeof(p)), 0);
	assert_string_equal(p, "/slurm/v0.0.42/node/gpu-n01");
	assert_int_equal(sr_path(&v38, SR_PARTITIONS, NULL, p, sizeof(p)), 0);
	assert_string_equal(p, "/slurm/v0.0.38/partitions/");
	assert_int_equal(sr_path(&v42, SR_DB_USER, "alice@example.org", p, sizeof(p)), 0);
	assert_string_equal(p, "/slurmdb/v0.0.42/user/alice@example.org?with_assocs");
	assert_int_equal(sr_path(&v38, SR_DB_USER, "alice", p, sizeof(p)), 0);
	assert_string_equal(p, "/slurmdb/v0.0.38/user/alice");
	/* the one path whose shape differs by generation */
	assert_int_equal(sr_path(&v38, SR_DB_ASSOCS, "alice", p, sizeof(p)), 0);
	assert_string_equal(p, "/slurmdb/v0.0.38/associations?user=alice");
	assert_int_equal(sr_path(&v42, SR_DB_ASSOCS, "alice", p, sizeof(p)), 0);
	assert_string_equal(p, "/slurmdb/v0.0.42/associations/?user=alice");

	/* nothing that could change the path or the query gets through */
	static const char *const bad[] = { "", "1/../../slurmdb", "a b", "a%2fb", "a&user=root", "a?x", "a#b",
					   "\xc3\xa9", "a\nb", NULL };
	for (int i = 0; bad[i]; i++)
		assert_int_equal(sr_path(&v42, SR_JOB, bad[i], p, sizeof(p)), -1);
	/* an argument where none is taken, or none where one is */
	assert_int_equal(sr_path(&v42, SR_JOBS, "1", p, sizeof(p)), -1);
	assert_int_equal(sr_path(&v42, SR_JOB, NULL, p, sizeof(p)), -1);
	/* does not fit: refused, not cut */
	assert_int_equal(sr_path(&v42, SR_JOB, "12345", p, 20), -1);
	assert_int_equal(sr_path(&v42, (sr_path_t)99, NULL, p, sizeof(p)), -1);
	sr_version_t none = { "", SR_GEN_NONE };
	assert_int_equal(sr_path(&none, SR_JOBS, NULL, p, sizeof(p)), -1);
}

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

/* the record's fields as one line, for comparing lists */
static void rec_line(const job_rec_t *r, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (int f = 0; f < JF_N && used < len; f++)
		used += (size_t)snprintf(out + used, len - used, "%s=%s|", job_field_key(f), r->f[f] ? r->f[f] : "(none)");
}

/* Both parsers (the yajl one for lists, json-c's for one job) make the
 * same records from a v0.0.4x list, and the three versions the same
 * records for the same jobs. */
static void test_job_lists_agree(void **state)
{
	static const char *const files[] = { "jobs-v0.0.40-24.11.json", "jobs-v0.0.41-24.11.json",
					     "jobs-v0.0.42-24.11.json" };
	job_list_t *lists[3];
	char why[200], a[4096], b[4096];
	jlp_error_t err;

	(void)state;
	for (int i = 0; i < 3; i++) {
		size_t len;
		char *doc = slurp(files[i], &len);
		json_object *o = json_tokener_parse(doc), *jobs;

		lists[i] = job_list_parse(doc, len, &err, why, sizeof(why));
		if (!lists[i])
			fail_msg("%s: %s", files[i], why);
		assert_int_equal(lists[i]->n, 8);
		assert_true(json_object_object_get_ex(o, "jobs", &jobs));
		for (size_t k = 0; k < lists[i]->n; k++) {
			job_rec_t r = { 0 };

			assert_int_equal(job_rec_from_json(json_object_array_get_idx(jobs, k), &r), 0);
			rec_line(&r, a, sizeof(a));
			rec_line(&lists[i]->rec[k], b, sizeof(b));
			assert_string_equal(a, b);
			job_rec_free(&r);
		}
		json_object_put(o);
		free(doc);
	}
	for (size_t k = 0; k < lists[0]->n; k++) {
		rec_line(&lists[0]->rec[k], a, sizeof(a));
		for (int i = 1; i < 3; i++) {
			rec_line(&lists[i]->rec[k], b, sizeof(b));
			assert_string_equal(a, b);
		}
	}
	/* what v0.0.38 would have said of the same jobs */
	const job_rec_t *done = &lists[2]->rec[0], *run = &lists[2]->rec[1], *queued = &lists[2]->rec[7];
	assert_string_equal(done->f[JF_ID], "1");
	assert_string_equal(done->f[JF_STATE], "COMPLETED");
	assert_null(done->f[JF_LIMIT]);         /* infinite: null, as v0.0.38 */
	assert_string_equal(done->f[JF_START], "1796396949");
	assert_string_equal(done->f[JF_END], "1796396950");
	assert_string_equal(run->f[JF_STATE], "RUNNING");
	assert_string_equal(run->f[JF_LIMIT], "5");
	assert_string_equal(run->f[JF_SUBMIT], "1796396997");
	assert_string_equal(queued->f[JF_STATE], "PENDING");
	assert_string_equal(queued->f[JF_START], "0");  /* set, and 0: as v0.0.38 */
	for (int i = 0; i < 3; i++)
		job_list_unref(lists[i]);
}

/* The portal's view of a job is the same document whichever version
 * slurmrestd wrote it in: a v0.0.38 job and its v0.0.42 twin. */
static void test_job_view_same_across_generations(void **state)
{
	static const char v38[] =
		"{\"jobs\":[{\"job_id\":2,\"name\":\"w\",\"user_name\":\"alice\",\"job_state\":\"RUNNING\","
		"\"state_reason\":\"None\",\"account\":\"proj\",\"partition\":\"debug\",\"nodes\":\"n1\","
		"\"submit_time\":1796396997,\"start_time\":1796396998,\"end_time\":1796397298,\"time_limit\":5,"
		"\"current_working_directory\":\"/home/alice\",\"standard_output\":\"/home/alice/o\","
		"\"standard_error\":\"/home/alice/o\",\"tres_req_str\":\"cpu=1\",\"comment\":\"c\",\"batch_host\":\"n1\"}]}";
	static const char v42[] =
		"{\"jobs\":[{\"job_id\":2,\"name\":\"w\",\"user_name\":\"alice\",\"job_state\":[\"RUNNING\",\"COMPLETING\"],"
		"\"state_reason\":\"None\",\"account\":\"proj\",\"partition\":\"debug\",\"nodes\":\"n1\","
		"\"submit_time\":{\"set\":true,\"infinite\":false,\"number\":1796396997},"
		"\"start_time\":{\"set\":true,\"infinite\":false,\"number\":1796396998},"
		"\"end_time\":{\"number\":1796397298,\"set\":true,\"infinite\":false},"
		"\"time_limit\":{\"set\":true,\"infinite\":false,\"number\":5},"
		"\"current_working_directory\":\"/home/alice\",\"standard_output\":\"/home/alice/o\","
		"\"standard_error\":\"/home/alice/o\",\"tres_req_str\":\"cpu=1\",\"comment\":\"c\",\"batch_host\":\"n1\"}]}";
	jlp_error_t err;
	char why[200];
	job_list_t *a = job_list_parse(v38, sizeof(v38) - 1, &err, why, sizeof(why));
	job_list_t *b = job_list_parse(v42, sizeof(v42) - 1, &err, why, sizeof(why));
	json_object *va, *vb;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	va = job_rec_view(&a->rec[0]);
	vb = job_rec_view(&b->rec[0]);
	assert_string_equal(json_object_to_json_string(va), json_object_to_json_string(vb));
	json_object_put(va);
	json_object_put(vb);
	job_list_unref(a);
	job_list_unref(b);
}

/* Each shape a v0.0.40+ field takes, read the same by both parsers */
static void test_job_field_shapes(void **state)
{
	static const struct {
		const char *value;      /* of time_limit */
		const char *want;       /* NULL: none */
	} cases[] = {
		{ "{\"set\":true,\"infinite\":false,\"number\":5}", "5" },
		{ "{\"set\":true,\"infinite\":true,\"number\":5}", NULL },
		{ "{\"set\":false,\"infinite\":false,\"number\":5}", NULL },
		{ "{\"infinite\":false,\"number\":6,\"set\":true}", "6" },
		{ "{\"number\":7}", "7" },
		{ "{\"set\":true,\"number\":null}", NULL },
		{ "{\"set\":true,\"number\":{\"x\":1}}", NULL },
		{ "{\"set\":true,\"number\":[8]}", NULL },
		{ "{\"set\":true}", NULL },
		{ "[]", NULL },
		{ "[null,\"9\"]", "9" },
		{ "[[1],\"10\"]", "10" },
		{ "[{\"a\":1},11,12]", "11" },
		{ "13", "13" },
		{ "null", NULL },
	};
	char doc[4096] = "{\"jobs\":[", why[200];
	size_t used = strlen(doc);
	json_object *o, *jobs;
	job_list_t *l;
	jlp_error_t err;
	const size_t n = sizeof(cases) / sizeof(cases[0]);

	(void)state;
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(doc + used, sizeof(doc) - used, "%s{\"job_id\":%zu,\"time_limit\":%s}", i ? "," : "",
					 i, cases[i].value);
	snprintf(doc + used, sizeof(doc) - used, "]}");
	l = job_list_parse(doc, strlen(doc), &err, why, sizeof(why));
	assert_non_null(l);
	assert_int_equal(l->n, n);
	o = json_tokener_parse(doc);
	assert_true(json_object_object_get_ex(o, "jobs", &jobs));
	for (size_t i = 0; i < n; i++) {
		job_rec_t r = { 0 };
		const char *got[2];

		assert_int_equal(job_rec_from_json(json_object_array_get_idx(jobs, i), &r), 0);
		got[0] = l->rec[i].f[JF_LIMIT];
		got[1] = r.f[JF_LIMIT];
		for (int k = 0; k < 2; k++)
			if (cases[i].want ? !got[k] || strcmp(got[k], cases[i].want) : got[k] != NULL)
				fail_msg("time_limit %s: %s parser read %s, want %s", cases[i].value, k ? "json-c" : "yajl",
					 got[k] ? got[k] : "none", cases[i].want ? cases[i].want : "none");
		job_rec_free(&r);
	}
	json_object_put(o);
	job_list_unref(l);
}

static void test_nodes_canonical(void **state)
{
	json_object *d40 = load("nodes-v0.0.40-24.11.json"), *d42 = load("nodes-v0.0.42-24.11.json"), *l40, *l42, *v;
	sr_version_t v40, v42, v38;

	(void)state;
	sr_version_by_name("v0.0.40", &v40);
	sr_version_by_name("v0.0.42", &v42);
	sr_version_by_name("v0.0.38", &v38);
	assert_true(json_object_object_get_ex(d40, "nodes", &l40));
	assert_true(json_object_object_get_ex(d42, "nodes", &l42));
	assert_int_equal(json_object_array_length(l42), json_object_array_length(l40));
	for (size_t i = 0; i < json_object_array_length(l42); i++) {
		json_object *n = sr_node(&v42, json_object_array_get_idx(l42, i));
		json_object *m = sr_node(&v40, json_object_array_get_idx(l40, i));

		/* v0.0.38's shape: state a lower-case string, the rest in state_flags */
		assert_true(json_object_object_get_ex(n, "state", &v));
		assert_true(json_object_is_type(v, json_type_string));
		for (const char *c = json_object_get_string(v); *c; c++)
			assert_false(*c >= 'A' && *c <= 'Z');
		assert_true(json_object_object_get_ex(n, "state_flags", &v));
		assert_true(json_object_is_type(v, json_type_array));
		assert_true(json_object_object_get_ex(n, "cpus", &v));
		assert_true(json_object_is_type(v, json_type_int));
		assert_true(json_object_object_get_ex(n, "name", &v));
		/* the fields the bridge shows are the same in both versions */
		static const char *const keys[] = { "name", "state", "state_flags", "cpus", "alloc_cpus", "real_memory",
						    "alloc_memory", "gres", "gres_used", "partitions", NULL };
		for (int k = 0; keys[k]; k++) {
			json_object *x, *y;

			assert_true(json_object_object_get_ex(n, keys[k], &x));
			assert_true(json_object_object_get_ex(m, keys[k], &y));
			assert_string_equal(json_object_to_json_string(x), json_object_to_json_string(y));
		}
		json_object_put(n);
		json_object_put(m);
	}
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
	json_object_put(d40);
	json_object_put(d42);
}

static void test_partitions_canonical(void **state)
{
	json_object *d40 = load("partitions-v0.0.40-24.11.json"), *d42 = load("partitions-v0.0.42-24.11.json"), *l40,
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
			    "\"allowed_groups\":\"\",\"tres\":\"cpu=2,mem=2M,node=2,billing=2\",\"flags\":[]}");
	assert_string_equal(json_object_to_json_string(p), json_object_to_json_string(q));
	json_object_put(p);
	json_object_put(q);
	/* a partition with limits, flags and a second state */
	json_object *one = json_tokener_parse(
		"{\"name\":\"gpu\",\"partition\":{\"state\":[\"DRAIN\"]},\"flags\":[\"DEFAULT\",\"EXCLUSIVE_USER\"],"
		"\"maximums\":{\"time\":{\"set\":true,\"infinite\":false,\"number\":1440}},"
		"\"defaults\":{\"time\":{\"set\":true,\"infinite\":false,\"number\":60}},\"nodes\":{\"total\":4}}");
	p = sr_partition(&v42, one);
	assert_string_equal(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
			    "{\"name\":\"gpu\",\"state\":\"DRAIN\",\"total_nodes\":4,\"total_cpus\":null,"
			    "\"max_time_limit\":1440,\"default_time_limit\":60,\"flags\":[\"default\",\"EXCLUSIVE_USER\"]}");
	json_object_put(p);
	json_object_put(one);
	json_object_put(d40);
	json_object_put(d42);
}

/* 22.05's partition (recorded) becomes the same keys and types as
 * 24.11's: its -1 "no limit" is null like v0.0.40+'s infinite */
static void test_partitions_same_keys_on_every_release(void **state)
{
	json_object *d38 = load("partitions-v0.0.38-22.05.json"), *d42 = load("partitions-v0.0.42-24.11.json"), *l38, *l42;
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
			    "\"default_time_limit\":null,\"flags\":[]}");
	json_object_put(p);
	json_object_put(one);
	json_object_put(d38);
	json_object_put(d42);
}

/* 22.05's nodes (recorded) keep their shape: the bridge shows them as is */
static void test_nodes_22_05(void **state)
{
	json_object *d = load("nodes-v0.0.38-22.05.json"), *l, *n, *v;
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
		cmocka_unit_test(test_pick_from_recorded_24_11),
		cmocka_unit_test(test_pick_from_recorded_22_05),
		cmocka_unit_test(test_pick_cases),
		cmocka_unit_test(test_versions_by_name),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_number),
		cmocka_unit_test(test_job_lists_agree),
		cmocka_unit_test(test_job_view_same_across_generations),
		cmocka_unit_test(test_job_field_shapes),
		cmocka_unit_test(test_nodes_canonical),
		cmocka_unit_test(test_partitions_canonical),
		cmocka_unit_test(test_partitions_same_keys_on_every_release),
		cmocka_unit_test(test_nodes_22_05),
		cmocka_unit_test(test_submit_body),
		cmocka_unit_test(test_kill_refused),
		cmocka_unit_test(test_jobs_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
