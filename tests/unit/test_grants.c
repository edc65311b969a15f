/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The grant index, the sync plan and the SQLite ledger. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "grant_ledger.h"
#include "mt_grantidx.h"
#include "quota_bound.h"
#include "quota_plan.h"

static void test_index_parse_and_find(void **state)
{
	const char text[] = "# comment\n"
			    "1001 octo a100x1 3@1000 1@2000\n"
			    "\n"
			    "1002 phys v100x1 2@5000\n";
	char err[128];
	grantidx_t *gi = gi_parse(text, strlen(text), err, sizeof(err));
	const gi_entry_t *e;

	assert_non_null(gi);
	assert_int_equal(gi_count(gi), 2);
	e = gi_find(gi, 1001, "octo", "a100x1");
	assert_non_null(e);
	/* 3 units until 1000, then 1 until 2000 */
	assert_int_equal(gi_end_for_units(e, 1), 2000);
	assert_int_equal(gi_end_for_units(e, 2), 1000);
	assert_int_equal(gi_end_for_units(e, 3), 1000);
	assert_int_equal(gi_end_for_units(e, 4), 0);
	assert_null(gi_find(gi, 1001, "octo", "v100x1"));
	assert_null(gi_find(gi, 1002, "octo", "v100x1"));
	assert_non_null(gi_find(gi, 1002, "phys", "v100x1"));
	gi_free(gi);
}

static void test_index_rejects_bad_lines(void **state)
{
	const char *bad[] = {
		"1001 octo a100x1\n",                   /* no steps */
		"1001 octo a100x1 3@2000 4@3000\n",     /* units rise */
		"1001 octo a100x1 3@2000 1@1000\n",     /* ends not ordered */
		"x octo a100x1 1@1\n",
		"1001 oc/to a100x1 1@1\n",
		"1001 octo a100x1 1@1\n1001 octo a100x1 2@2\n",
	};
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		grantidx_t *gi = gi_parse(bad[i], strlen(bad[i]), err, sizeof(err));

		if (gi)
			fail_msg("accepted: %s", bad[i]);
	}
}

static void test_index_roundtrip(void **state)
{
	gi_entry_t e = { .uid = 7, .account = "a", .type = "t", .nsteps = 2,
			 .steps = { { 5, 100 }, { 2, 200 } } };
	char *buf = NULL, err[64];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	grantidx_t *gi;

	assert_int_equal(gi_write_entry(f, &e), 0);
	fclose(f);
	gi = gi_parse(buf, len, err, sizeof(err));
	assert_non_null(gi);
	assert_int_equal(gi_end_for_units(gi_find(gi, 7, "a", "t"), 3), 100);
	assert_int_equal(gi_end_for_units(gi_find(gi, 7, "a", "t"), 2), 200);
	gi_free(gi);
	free(buf);
}

static gl_grant_t grant(const char *user, const char *type, uint32_t units, int64_t start, int64_t end)
{
	gl_grant_t g;

	memset(&g, 0, sizeof(g));
	snprintf(g.user, sizeof(g.user), "%s", user);
	snprintf(g.account, sizeof(g.account), "octo");
	snprintf(g.machine_type, sizeof(g.machine_type), "%s", type);
	g.units = units;
	g.start = start;
	g.end = end;
	g.status = GL_ACTIVE;
	return g;
}

static void test_plan_sums_overlapping_grants(void **state)
{
	plan_t p = { 0 };
	gl_grant_t a = grant("u", "t", 2, 0, 300), b = grant("u", "t", 3, 50, 200), later = grant("u", "t", 9, 500, 900);
	gl_grant_t revoked = grant("u", "t", 9, 0, 900), ended = grant("u", "t", 9, 0, 90);
	plan_entry_t *e;

	revoked.status = GL_REVOKED;
	assert_int_equal(plan_add(&p, &a, 100), 0);
	assert_int_equal(plan_add(&p, &b, 100), 0);
	assert_int_equal(plan_add(&p, &later, 100), 0);
	assert_int_equal(plan_add(&p, &revoked, 100), 0);
	assert_int_equal(plan_add(&p, &ended, 100), 0);
	e = plan_find(&p, "u", "octo", "t");
	assert_non_null(e);
	assert_int_equal(e->units, 5);
	/* 5 units until 200 (when b ends), then 2 until 300 */
	assert_int_equal(e->nsteps, 2);
	assert_int_equal(e->steps[0].units, 5);
	assert_int_equal(e->steps[0].end, 200);
	assert_int_equal(e->steps[1].units, 2);
	assert_int_equal(e->steps[1].end, 300);
	/* a later-ending grant added after an earlier one */
	plan_free(&p);
	assert_int_equal(plan_add(&p, &b, 100), 0);
	assert_int_equal(plan_add(&p, &a, 100), 0);
	e = plan_find(&p, "u", "octo", "t");
	assert_int_equal(e->steps[0].units, 5);
	assert_int_equal(e->steps[1].units, 2);
	plan_free(&p);
}

/* The ledger is never opened through a symbolic link: a link planted
 * where the ledger goes must not turn grants onto another file */
static void test_ledger_refuses_a_link(void **state)
{
	char dir[] = "/tmp/octo-ledger-link-XXXXXX", target[300], link_path[300], err[512];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	snprintf(link_path, sizeof(link_path), "%s/grants.db", dir);
	f = fopen(target, "w");
	assert_non_null(f);
	fputs("not a database of ours\n", f);
	fclose(f);
	assert_int_equal(symlink(target, link_path), 0);
	assert_null(ledger_open(link_path, err, sizeof(err)));
	assert_non_null(strstr(err, "the grant ledger "));
	assert_non_null(strstr(err, link_path));
	/* the target is as it was */
	f = fopen(target, "r");
	assert_non_null(f);
	assert_non_null(fgets(err, sizeof(err), f));
	assert_string_equal(err, "not a database of ours\n");
	fclose(f);
	/* a file that is not SQLite: refused, naming it */
	assert_null(ledger_open(target, err, sizeof(err)));
	assert_non_null(strstr(err, target));
	unlink(link_path);
	unlink(target);
	rmdir(dir);
}

static void test_ledger(void **state)
{
	char path[] = "/tmp/octo-ledger-XXXXXX", err[256];
	int fd = mkstemp(path);
	ledger_t *l;
	gl_grant_t g = grant("alice", "a100x1", 2, 1000, 2000), out;
	int64_t id;

	assert_true(fd >= 0);
	close(fd);
	l = ledger_open(path, err, sizeof(err));
	assert_non_null(l);
	snprintf(g.reason, sizeof(g.reason), "thesis'; DROP TABLE grants; --");
	id = ledger_grant(l, &g, "admin");
	assert_true(id > 0);
	assert_int_equal(ledger_get(l, id, &out), 0);
	assert_string_equal(out.reason, g.reason);
	assert_int_equal(out.units, 2);
	assert_int_equal(out.status, GL_ACTIVE);

	assert_int_equal(ledger_extend(l, id, 3000, "admin"), 0);
	assert_int_equal(ledger_get(l, id, &out), 0);
	assert_int_equal(out.end, 3000);
	assert_int_equal(ledger_revoke(l, id, "admin", "done"), 0);
	assert_int_equal(ledger_get(l, id, &out), 0);
	assert_int_equal(out.status, GL_REVOKED);
	assert_int_equal(ledger_revoke(l, id, "admin", "again"), -1);
	assert_non_null(strstr(ledger_errmsg(l), "no active grant"));

	g.units = 0;
	assert_int_equal(ledger_grant(l, &g, "admin"), -1);
	g.units = 1;
	snprintf(g.user, sizeof(g.user), "bad user");
	assert_int_equal(ledger_grant(l, &g, "admin"), -1);
	snprintf(g.user, sizeof(g.user), "bob");
	g.end = g.start;
	assert_int_equal(ledger_grant(l, &g, "admin"), -1);

	assert_int_equal(ledger_applied_set(l, "alice", "octo", "a100x1", 2), 0);
	assert_int_equal(ledger_applied_set(l, "alice", "octo", "a100x1", 0), 0);
	ledger_close(l);
	unlink(path);
	{
		char wal[64];

		snprintf(wal, sizeof(wal), "%s-wal", path);
		unlink(wal);
		snprintf(wal, sizeof(wal), "%s-shm", path);
		unlink(wal);
	}
}

static uint32_t minutes(const char *s)
{
	uint32_t m = 0;

	if (quota_parse_time_limit(s, &m))
		fail_msg("'%s' did not parse", s);
	return m;
}

static void test_time_limits_from_squeue(void **state)
{
	uint32_t m;

	(void)state;
	assert_int_equal(minutes("UNLIMITED"), UINT32_MAX);
	assert_int_equal(minutes("30:00"), 30);
	assert_int_equal(minutes("30:01"), 31);        /* seconds round up */
	assert_int_equal(minutes("1:00:00"), 60);
	assert_int_equal(minutes("2-00:00:00"), 2 * 1440);
	assert_int_equal(minutes("7-01:02:00"), 7 * 1440 + 62);
	assert_int_equal(quota_parse_time_limit("", &m), -1);
	assert_int_equal(quota_parse_time_limit("N/A", &m), -1);
	assert_int_equal(quota_parse_time_limit("5", &m), -1);
	assert_int_equal(quota_parse_time_limit("1-", &m), -1);
	assert_int_equal(quota_parse_time_limit("1:2:3:4", &m), -1);
	assert_int_equal(quota_parse_time_limit("10:00x", &m), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_parse_and_find),
		cmocka_unit_test(test_index_rejects_bad_lines),
		cmocka_unit_test(test_index_roundtrip),
		cmocka_unit_test(test_plan_sums_overlapping_grants),
		cmocka_unit_test(test_ledger),
		cmocka_unit_test(test_ledger_refuses_a_link),
		cmocka_unit_test(test_time_limits_from_squeue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
