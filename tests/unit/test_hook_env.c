/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hook_env: what site hooks hand the tasks through $OCTOPUS_ENVIRON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ns/hook_env.h"

static char *image_env[] = { "PATH=/bin:/usr/bin", "PYTORCH_VERSION=2.5.1", "OMP_NUM_THREADS=8", NULL };

static void test_only_what_hooks_changed(void **state)
{
	const char text[] = "PATH=/bin:/usr/bin\nPYTORCH_VERSION=2.5.1\nOMP_NUM_THREADS=8\n"
			    "# a comment\n\nRANK=${SLURM_PROCID}\r\nOMP_NUM_THREADS=1\nMASTER_PORT=1\nMASTER_PORT=2";
	hook_env_t e;
	char err[256] = "";

	(void)state;
	assert_int_equal(hook_env_parse(text, sizeof(text) - 1, image_env, 3, &e, err, sizeof(err)), 0);
	assert_int_equal(e.n, 3);
	assert_string_equal(e.kv[0], "RANK=${SLURM_PROCID}");  /* \r of a CRLF line dropped */
	assert_string_equal(e.kv[1], "OMP_NUM_THREADS=1");     /* changed from the image's: kept */
	assert_string_equal(e.kv[2], "MASTER_PORT=2");         /* the last line of a name wins */
	hook_env_free(&e);
	assert_int_equal(hook_env_parse("", 0, image_env, 3, &e, err, sizeof(err)), 0);
	assert_int_equal(e.n, 0);
}

static void bad(const char *text, size_t len, const char *needle)
{
	hook_env_t e;
	char err[256] = "";

	if (hook_env_parse(text, len, NULL, 0, &e, err, sizeof(err)) != -1)
		fail_msg("accepted: %.*s", (int)len, text);
	if (!strstr(err, needle))
		fail_msg("error '%s', wanted '%s'", err, needle);
	assert_null(e.kv);
	assert_int_equal(e.n, 0);
}

static void test_refused(void **state)
{
	static char big[HOOK_ENV_MAX_BYTES + 2];
	char many[HOOK_ENV_MAX_VARS * 16];
	size_t n = 0;

	(void)state;
	bad("A=1\nno equals sign\n", 18, "line 2");
	bad("1ABC=x\n", 7, "not NAME=VALUE");
	bad("A-B=x\n", 6, "not NAME=VALUE");
	bad("=x\n", 3, "line 1");
	bad("A=1\0B=2\n", 8, "NUL");
	memset(big, 'a', sizeof(big) - 1);
	bad(big, sizeof(big) - 1, "bytes");
	for (int i = 0; i <= HOOK_ENV_MAX_VARS; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "V%d=1\n", i);
	bad(many, n, "more than");
}

static const char *lookup(const char *name, void *arg)
{
	(void)arg;
	if (!strcmp(name, "SLURM_PROCID"))
		return "7";
	if (!strcmp(name, "SLURM_LOCALID"))
		return "3";
	return NULL;
}

static void test_expand(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(hook_env_expand("${SLURM_PROCID}", lookup, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "7");
	assert_int_equal(hook_env_expand("r${SLURM_PROCID}.l${SLURM_LOCALID}", lookup, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "r7.l3");
	/* only ${SLURM_*}: the rest is the hook's text, as written */
	assert_int_equal(hook_env_expand("$SLURM_PROCID ${HOME} ${SLURM_PROCID", lookup, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "$SLURM_PROCID ${HOME} ${SLURM_PROCID");
	assert_int_equal(hook_env_expand("[${SLURM_UNSET}]", lookup, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "[]");
	assert_int_equal(hook_env_expand("${SLURM_BAD-NAME}", lookup, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "${SLURM_BAD-NAME}");
	assert_int_equal(hook_env_expand("12345678", lookup, NULL, out, 8), -1);
	assert_int_equal(hook_env_expand("1234567", lookup, NULL, out, 8), 0);
	assert_int_equal(hook_env_expand("123456${SLURM_PROCID}${SLURM_PROCID}", lookup, NULL, out, 8), -1);
}

static void test_file_round_trip(void **state)
{
	char path[] = "/tmp/test_hook_env.XXXXXX", err[256] = "";
	char *with_newline[] = { "A=1", "B=two\nlines", "C=3" };
	hook_env_t e;
	FILE *f;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(hook_env_write_prefill(fd, with_newline, 3), 0);
	close(fd);
	assert_non_null(f = fopen(path, "a"));
	fputs("WORLD_SIZE=${SLURM_NTASKS}\nA=1\n", f);
	fclose(f);
	assert_int_equal(hook_env_read(path, with_newline, 3, &e, err, sizeof(err)), 0);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.kv[0], "WORLD_SIZE=${SLURM_NTASKS}");
	hook_env_free(&e);
	unlink(path);
	/* no file: the hooks set nothing */
	assert_int_equal(hook_env_read(path, NULL, 0, &e, err, sizeof(err)), 0);
	assert_int_equal(e.n, 0);
	/* a symlink is not followed */
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_int_equal(hook_env_read(path, NULL, 0, &e, err, sizeof(err)), -1);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_what_hooks_changed),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_file_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
