/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The bridge's Slurm REST layer: which version it picks from slurmrestd's
 * /openapi/v3, the paths it builds, and the job records it reads from
 * answers recorded from real slurmrestd releases (tests/fixtures/slurmrestd/:
 * 22.05's v0.0.38, 24.11's v0.0.40-42, 26.05's v0.0.42-45). The canonical
 * nodes and partitions are test_sr_adapt.c's. */
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
#include "sr_fixture.h"

static int pick(const char *doc, sr_version_t *v, char *why, size_t wl)
{
	return sr_pick(doc, strlen(doc), v, why, wl);
}

static void test_pick_from_recorded_24_11(void **state)
{
	size_t len;
	char *doc = fixture_slurp("openapi-v3-24.11.json", &len), why[400] = "";
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

/* 26.05 serves v0.0.42-45; v0.0.45 is the only one that says which
 * partition is the default */
static void test_pick_from_recorded_26_05(void **state)
{
	size_t len;
	char *doc = fixture_slurp("openapi-v3-26.05.json", &len), why[400] = "";
	sr_version_t v;

	(void)state;
	assert_int_equal(sr_pick(doc, len, &v, why, sizeof(why)), 0);
	assert_string_equal(v.name, "v0.0.45");
	assert_int_equal(v.gen, SR_GEN_4X);
	free(doc);
}

static void test_pick_from_recorded_22_05(void **state)
{
	size_t len;
	char *doc = fixture_slurp("openapi-v3-22.05.json", &len), why[400] = "";
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
	/* a newer version than the bridge knows is passed over for the newest it does */
	assert_int_equal(pick("{\"paths\":{\"/slurm/v0.0.46/jobs/\":{},\"/slurm/v0.0.46/job/submit\":{},"
			      "\"/slurm/v0.0.44/jobs/\":{},\"/slurm/v0.0.44/job/submit\":{}}}",
			      &v, why, sizeof(why)),
			 0);
	assert_string_equal(v.name, "v0.0.44");
	/* only versions the bridge does not know: the error names them and the known ones */
	assert_int_equal(pick("{\"paths\":{\"/slurm/v0.0.46/jobs/\":{},\"/slurm/v0.0.46/job/submit\":{},"
			      "\"/slurm/v0.0.47/jobs/\":{},\"/slurm/v0.0.39/jobs/\":{}}}",
			      &v, why, sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "v0.0.46"));
	assert_non_null(strstr(why, "v0.0.47"));
	assert_non_null(strstr(why, "v0.0.39"));
	assert_non_null(strstr(why, "v0.0.45, v0.0.44, v0.0.43, v0.0.42, v0.0.41, v0.0.40, v0.0.38"));
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
	assert_int_equal(sr_version_by_name("v0.0.45", &v), 0);
	assert_int_equal(v.gen, SR_GEN_4X);
	assert_int_equal(sr_version_by_name("v0.0.39", &v), -1);
	assert_int_equal(sr_version_by_name("v0.0.46", &v), -1);
	assert_int_equal(sr_version_by_name("auto", &v), -1);
	assert_int_equal(sr_version_by_name("", &v), -1);
	/* a short buffer is cut, not overrun */
	assert_string_equal(sr_known_versions(names, sizeof(names)), "v0.0.45, v0.0.4");
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
	/* v0.0.38 listed hidden partitions; v0.0.40+ only when asked */
	assert_int_equal(sr_path(&v42, SR_PARTITIONS, NULL, p, sizeof(p)), 0);
	assert_string_equal(p, "/slurm/v0.0.42/partitions/?flags=ALL");
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
		char *doc = fixture_slurp(files[i], &len);
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

/* 26.05's four versions of one job list (recorded): the same records,
 * and what those jobs were (done, running, held, running in a hidden
 * partition) */
static void test_job_lists_agree_26_05(void **state)
{
	static const char *const files[] = { "jobs-v0.0.42-26.05.json", "jobs-v0.0.43-26.05.json",
					     "jobs-v0.0.44-26.05.json", "jobs-v0.0.45-26.05.json" };
	job_list_t *lists[4];
	char why[200], a[4096], b[4096];
	jlp_error_t err;

	(void)state;
	for (int i = 0; i < 4; i++) {
		size_t len;
		char *doc = fixture_slurp(files[i], &len);

		lists[i] = job_list_parse(doc, len, &err, why, sizeof(why));
		if (!lists[i])
			fail_msg("%s: %s", files[i], why);
		assert_int_equal(lists[i]->n, 4);
		free(doc);
	}
	/* the portal's view: v0.0.42 writes stdout expanded, v0.0.43+ as
	 * given (slurm-%j.out), and the view is the path slurmd opens */
	for (size_t k = 0; k < 4; k++) {
		json_object *va = job_rec_view(&lists[0]->rec[k]), *vb;

		for (int i = 1; i < 4; i++) {
			vb = job_rec_view(&lists[i]->rec[k]);
			snprintf(a, sizeof(a), "%s", json_object_to_json_string(va));
			snprintf(b, sizeof(b), "%s", json_object_to_json_string(vb));
			if (strcmp(a, b))
				fail_msg("job %zu: %s reads\n%s\n%s reads\n%s", k, files[0], a, files[i], b);
			json_object_put(vb);
		}
		json_object_put(va);
	}
	assert_string_equal(lists[3]->rec[0].f[JF_STDOUT], "slurm-%j.out");
	json_object *view = job_rec_view(&lists[3]->rec[0]), *out;
	assert_true(json_object_object_get_ex(view, "stdout", &out));
	assert_string_equal(json_object_get_string(out), "/tmp/slurm-1.out");
	json_object_put(view);
	const job_rec_t *r = lists[3]->rec;
	assert_string_equal(r[0].f[JF_STATE], "COMPLETED");
	assert_string_equal(r[0].f[JF_LIMIT], "5");
	assert_string_equal(r[1].f[JF_STATE], "RUNNING");
	assert_string_equal(r[1].f[JF_NODES], "rec-n1");
	assert_string_equal(r[2].f[JF_STATE], "PENDING");
	assert_string_equal(r[2].f[JF_REASON], "JobHeldUser");
	assert_string_equal(r[3].f[JF_PARTITION], "gpu");
	assert_string_equal(r[3].f[JF_LIMIT], "60");    /* gpu's DefaultTime */
	for (int i = 0; i < 4; i++)
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick_from_recorded_24_11),
		cmocka_unit_test(test_pick_from_recorded_26_05),
		cmocka_unit_test(test_pick_from_recorded_22_05),
		cmocka_unit_test(test_pick_cases),
		cmocka_unit_test(test_versions_by_name),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_job_lists_agree),
		cmocka_unit_test(test_job_lists_agree_26_05),
		cmocka_unit_test(test_job_view_same_across_generations),
		cmocka_unit_test(test_job_field_shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
