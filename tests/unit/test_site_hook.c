// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * site_hooks_run: the deadline holds whatever the hook does with signals
 * (slurmstepd blocks SIGALRM, and the mask survives exec), a background
 * child that keeps the hook's output open is killed at the deadline, and
 * only regular, root-owned, non-writable executables run.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "site_hook.h"

static char dir[64];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void hook(const char *name, mode_t mode, const char *body)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(body, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/octo-hooks-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	return chmod(dir, 0755);
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* as in slurmstepd: SIGALRM blocked, SIGTERM ignored */
static void stepd_signals(sigset_t *old)
{
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, old);
	signal(SIGTERM, SIG_IGN);
}

static void restore_signals(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
	signal(SIGTERM, SIG_DFL);
}

static void test_runs_in_order_with_env_and_arg(void **state)
{
	char err[512] = "", out[128], path[512], buf[256] = "";
	char *env[] = { "SLURM_JOB_ID=7", NULL };
	FILE *f;

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(out, sizeof(out), "%s/trace", dir);
	snprintf(path, sizeof(path), "#!/bin/sh\necho \"a $SLURM_JOB_ID $1 $OCTOPUS_ROOTFS\" >> %s\n", out);
	hook("10-a", 0755, path);
	snprintf(path, sizeof(path), "#!/bin/sh\necho b >> %s\n", out);
	hook("20-b", 0755, path);
	hook("README", 0644, "not a hook\n");
	hook(".hidden", 0755, "#!/bin/sh\nexit 1\n");
	assert_int_equal(site_hooks_run(dir, env, "/the/root", 5, err, sizeof(err)), 0);
	assert_non_null(f = fopen(out, "r"));
	assert_int_equal(fread(buf, 1, sizeof(buf) - 1, f) > 0, 1);
	fclose(f);
	assert_string_equal(buf, "a 7 /the/root /the/root\nb\n");
	unlink(out);
}

/* A hook that never ends by itself, run as under slurmstepd: it must end
 * within the bound with want in the reason, and leave no process behind. */
static void expect_killed(const char *name, const char *body, const char *want, const char *leftover)
{
	char err[512] = "", cmd[128];
	sigset_t old;
	double t0, took;

	hook(name, 0755, body);
	stepd_signals(&old);
	t0 = now_s();
	assert_int_equal(site_hooks_run(dir, NULL, "/r", 1, err, sizeof(err)), -1);
	took = now_s() - t0;
	restore_signals(&old);
	assert_true(took < 10.0);
	if (!strstr(err, want))
		fail_msg("'%s' lacks '%s'", err, want);
	snprintf(cmd, sizeof(cmd), "pgrep -f '^%s$' >/dev/null", leftover);
	assert_int_equal(system(cmd), 256);
	hook(name, 0644, "");
}

static void test_sleeping_hook_is_killed_at_the_deadline(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	expect_killed("30-sleep", "#!/bin/bash\ntrap '' TERM ALRM\necho waiting for the driver\nsleep 600\n",
		      "site hook 30-sleep did not finish within 1 s and was killed; its output: waiting for the driver",
		      "sleep 600");
}

static void test_background_child_holding_output_is_killed(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	expect_killed("40-daemon", "#!/bin/sh\n(sleep 601 &)\necho started\nexit 0\n",
		      "site hook 40-daemon exited but a process it started kept its output open for 1 s", "sleep 601");
}

static void test_failure_reports_first_line(void **state)
{
	char err[512] = "";

	(void)state;
	if (geteuid() != 0)
		skip();
	hook("50-fail", 0755, "#!/bin/sh\necho driver library missing\necho second line\nexit 3\n");
	assert_int_equal(site_hooks_run(dir, NULL, "/r", 5, err, sizeof(err)), -1);
	assert_string_equal(err, "site hook 50-fail failed (exit 3): driver library missing");
	hook("50-fail", 0644, "");
}

static void test_untrusted_and_odd_files(void **state)
{
	char err[512] = "", path[128];
	double t0;

	(void)state;
	if (geteuid() != 0)
		skip();
	/* a FIFO in the directory must not hang the run */
	snprintf(path, sizeof(path), "%s/05-fifo", dir);
	assert_int_equal(mkfifo(path, 0755), 0);
	/* a symlink to an executable is not a hook */
	snprintf(path, sizeof(path), "%s/06-link", dir);
	assert_int_equal(symlink("/bin/false", path), 0);
	t0 = now_s();
	assert_int_equal(site_hooks_run(dir, NULL, "/r", 5, err, sizeof(err)), 0);
	assert_true(now_s() - t0 < 5.0);
	hook("60-writable", 0775, "#!/bin/sh\nexit 0\n");
	assert_int_equal(site_hooks_run(dir, NULL, "/r", 5, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "60-writable must be root's and not group/world-writable"));
	hook("60-writable", 0644, "");
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(site_hooks_run(dir, NULL, "/r", 5, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "must be root's and not group/world-writable"));
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(site_hooks_run("/nonexistent/hooks", NULL, "/r", 5, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_in_order_with_env_and_arg),
		cmocka_unit_test(test_sleeping_hook_is_killed_at_the_deadline),
		cmocka_unit_test(test_background_child_holding_output_is_killed),
		cmocka_unit_test(test_failure_reports_first_line),
		cmocka_unit_test(test_untrusted_and_odd_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
