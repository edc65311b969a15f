/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Portal instances' pure parts: the IDE catalog, the wrapper script (run
 * for real with a stand-in IDE that only listens), connection.yml, and the
 * cache of where instances answer. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "cookie_scope.h"
#include "ide_catalog.h"
#include "instance_conn.h"
#include "instance_wrapper.h"

#define ID "0123456789abcdef"

static void test_catalog(void **state)
{
	static const char good[] =
		"# IDEs\n"
		"Ide=jupyter Description=\"JupyterLab\" AuthHeader=\"Authorization: token %p\" \\\n"
		"    Command=\"JUPYTER_TOKEN=$OCTOPUS_PASSWORD exec jupyter lab --port=$OCTOPUS_PORT\"\n"
		"Ide=echo AuthHeader=\"X-Ide-Key: %p\" Command=\"exec echo-ide\" StartTimeout=20\n";
	ide_catalog_t c;
	const ide_t *i;
	char why[400], v[64];

	(void)state;
	assert_int_equal(ide_catalog_parse(good, strlen(good), &c, why, sizeof(why)), 0);
	assert_int_equal(c.n, 2);
	assert_non_null(i = ide_catalog_find(&c, "jupyter"));
	assert_string_equal(i->auth_name, "Authorization");
	assert_string_equal(i->auth_value, "token %p");
	assert_int_equal(i->start_timeout, 300);
	assert_int_equal(ide_auth_value(i, "s3cret", v, sizeof(v)), 0);
	assert_string_equal(v, "token s3cret");
	assert_int_equal(ide_auth_value(i, "s3cret", v, 10), -1);
	assert_non_null(i = ide_catalog_find(&c, "echo"));
	assert_int_equal(i->start_timeout, 20);
	assert_null(ide_catalog_find(&c, "rstudio"));

	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "Ide=x Command=true\n", "needs Command= and AuthHeader=" },
		{ "Ide=x AuthHeader=\"Authorization: token\" Command=true\n", "holding %p" },
		{ "Ide=x AuthHeader=\"Authorization: %p %p\" Command=true\n", "holding %p" },
		{ "Ide=x AuthHeader=\"Bad Name: %p\" Command=true\n", "holding %p" },
		{ "Ide=x AuthHeader=\"A: %s%p\" Command=true\n", "holding %p" },
		{ "Ide=Big AuthHeader=\"A: %p\" Command=true\n", "lower-case" },
		{ "Ide=x AuthHeader=\"A: %p\" Command=true Port=8888\n", "unknown key Port" },
		{ "Ide=x AuthHeader=\"A: %p\" Command=true StartTimeout=1\n", "StartTimeout=1" },
		{ "Ide=x AuthHeader=\"A: %p\" Command=true\nIde=x AuthHeader=\"A: %p\" Command=false\n", "line 2: Ide=x is defined twice" },
		{ "Command=true Ide=x AuthHeader=\"A: %p\"\n", "must start with Ide=" },
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		int rc = ide_catalog_parse(bad[k].text, strlen(bad[k].text), &c, why, sizeof(why));

		if (rc != -1 || !strstr(why, bad[k].why))
			fail_msg("case %zu: rc %d, why '%s' (want '%s')", k, rc, why, bad[k].why);
		assert_int_equal(c.n, 0);
	}
}

static void test_connection_file(void **state)
{
	char pw[IW_PASSWORD_MAX + 1], path[256];
	int port = 0;
	static const char ok[] = "host: node1\nport: 34567\npassword: 00112233445566778899aabbccddeeff0011223344556677\n";

	(void)state;
	assert_int_equal(iw_parse_connection(ok, strlen(ok), &port, pw, sizeof(pw)), 0);
	assert_int_equal(port, 34567);
	assert_string_equal(pw, "00112233445566778899aabbccddeeff0011223344556677");
	/* not NUL-terminated: only len bytes count */
	assert_int_equal(iw_parse_connection(ok, strlen(ok) - 3, &port, pw, sizeof(pw)), 0);
	assert_string_equal(pw, "00112233445566778899aabbccddeeff00112233445566");

	static const char *const bad[] = {
		"port: 34567\n",                                             /* no password */
		"password: 00112233445566778899aabbccddeeff\n",              /* no port */
		"port: 0\npassword: 00112233445566778899aabbccddeeff\n",
		"port: 65536\npassword: 00112233445566778899aabbccddeeff\n",
		"port: 99999999999999999999\npassword: 00112233445566778899aabbccddeeff\n",
		"port: 80x\npassword: 00112233445566778899aabbccddeeff\n",
		"port: 80\npassword: short\n",
		"port: 80\npassword: 0011223344556677 8899aabbccddeeff\n",   /* a space */
		"port: 80\npassword: 0011223344556677\r\n",                   /* a CR would reach a header */
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		if (!iw_parse_connection(bad[k], strlen(bad[k]), &port, pw, sizeof(pw)))
			fail_msg("case %zu accepted", k);
	assert_int_equal(iw_connection_path("/home/alice", ID, path, sizeof(path)), 0);
	assert_string_equal(path, "/home/alice/.octopus/instances/" ID "/connection.yml");
	assert_true(iw_id_ok(ID));
	assert_false(iw_id_ok("0123456789ABCDEF"));
	assert_false(iw_id_ok("0123456789abcde"));
	assert_false(iw_id_ok("../../etc/passwd"));
}

static int file_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return (int)n;
}

/* The wrapper run for real: a stand-in IDE that checks its environment
 * and listens; connection.yml appears once it listens, private, and goes
 * when the instance is stopped. */
static void test_wrapper_runs(void **state)
{
	ide_t ide = { .name = "probe", .start_timeout = 20 };
	char home[] = "/tmp/octo-iw-XXXXXX", conn[256], text[512], pw[IW_PASSWORD_MAX + 1], envfile[300];
	char *script;
	struct stat st;
	pid_t pid;
	int port = 0, status;

	(void)state;
	/* quotes in the command survive the wrapper's quoting */
	snprintf(ide.command, sizeof(ide.command),
		 "echo \"$OCTOPUS_PORT $OCTOPUS_BASE_URL ${#OCTOPUS_PASSWORD} it's\" > \"$HOME/env.txt\"; "
		 "exec python3 -c 'import os,socket,time; s=socket.socket(); "
		 "s.bind((\"127.0.0.1\", int(os.environ[\"OCTOPUS_PORT\"]))); s.listen(); time.sleep(60)'");
	assert_non_null(mkdtemp(home));
	assert_non_null(script = iw_script(ID, &ide));
	assert_null(iw_script("not-an-id", &ide));
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		setenv("HOME", home, 1);
		unsetenv("OCTOPUS_CONTAINER_IMAGE");
		setpgid(0, 0);
		execl("/bin/bash", "bash", "-c", script, (char *)NULL);
		_exit(127);
	}
	free(script);
	snprintf(conn, sizeof(conn), "%s/.octopus/instances/" ID "/connection.yml", home);
	for (int i = 0; i < 200 && stat(conn, &st); i++)
		usleep(50000);
	assert_int_equal(stat(conn, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_true(file_text(conn, text, sizeof(text)) > 0);
	assert_int_equal(iw_parse_connection(text, strlen(text), &port, pw, sizeof(pw)), 0);
	assert_int_equal(strlen(pw), 48);
	snprintf(envfile, sizeof(envfile), "%s/env.txt", home);
	assert_true(file_text(envfile, text, sizeof(text)) > 0);
	{
		char want[128];

		snprintf(want, sizeof(want), "%d /i/" ID "/ 48 it's\n", port);
		assert_string_equal(text, want);
	}
	snprintf(envfile, sizeof(envfile), "%s/.octopus/instances/" ID, home);
	assert_int_equal(stat(envfile, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* scancel: SIGTERM to the job's processes */
	kill(-pid, SIGTERM);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(stat(conn, &st), -1);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
		assert_int_equal(system(cmd), 0);
	}
}

/* An IDE that never listens: the wrapper gives up after StartTimeout and
 * writes no connection file */
static void test_wrapper_gives_up(void **state)
{
	ide_t ide = { .name = "mute", .start_timeout = 5, .command = "exec sleep 30" };
	char home[] = "/tmp/octo-iw-XXXXXX", conn[256], cmd[600];
	char *script;
	struct stat st;
	pid_t pid;
	int status;
	time_t t0 = time(NULL);

	(void)state;
	assert_non_null(mkdtemp(home));
	assert_non_null(script = iw_script(ID, &ide));
	if (!(pid = fork())) {
		setenv("HOME", home, 1);
		execl("/bin/bash", "bash", "-c", script, (char *)NULL);
		_exit(127);
	}
	free(script);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	assert_true(time(NULL) - t0 >= 4);
	snprintf(conn, sizeof(conn), "%s/.octopus/instances/" ID "/connection.yml", home);
	assert_int_equal(stat(conn, &st), -1);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", home);
	assert_int_equal(system(cmd), 0);
}

static void test_conn_cache(void **state)
{
	instance_conns_t *c = ic_new(2);
	instance_target_t t = { .id = "aaaaaaaaaaaaaaaa", .job_id = 7, .port = 1000 }, out;

	(void)state;
	assert_non_null(c);
	assert_int_equal(ic_get(c, t.id, 7, &out), 1);
	ic_put(c, &t);
	assert_int_equal(ic_get(c, t.id, 7, &out), 0);
	assert_int_equal(out.port, 1000);
	/* the same instance under a new job (requeued) is not the old one */
	assert_int_equal(ic_get(c, t.id, 8, &out), 1);
	t.port = 1001;
	ic_put(c, &t);                           /* replaces, does not duplicate */
	snprintf(t.id, sizeof(t.id), "bbbbbbbbbbbbbbbb");
	ic_put(c, &t);
	assert_int_equal(ic_get(c, "aaaaaaaaaaaaaaaa", 7, &out), 0);
	assert_int_equal(out.port, 1001);
	snprintf(t.id, sizeof(t.id), "cccccccccccccccc");
	ic_put(c, &t);                           /* full: the oldest goes */
	assert_int_equal(ic_get(c, "aaaaaaaaaaaaaaaa", 7, &out), 1);
	assert_int_equal(ic_get(c, "bbbbbbbbbbbbbbbb", 7, &out), 0);
	ic_drop(c, "bbbbbbbbbbbbbbbb");
	assert_int_equal(ic_get(c, "bbbbbbbbbbbbbbbb", 7, &out), 1);
	assert_int_equal(ic_get(c, "cccccccccccccccc", 7, &out), 0);
	ic_free(c);
}

static void test_cookie_scope(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "s=1; Path=/; HttpOnly", "s=1; Path=/i/" ID "/; HttpOnly" },
		{ "s=1", "s=1; Path=/i/" ID "/" },
		{ "s=1; path=/i/" ID "/lab; Secure", "s=1; Path=/i/" ID "/lab; Secure" },
		{ "s=1; Path=/i/ffffffffffffffff/", "s=1; Path=/i/" ID "/" },   /* another instance's */
		{ "s=1; Domain=portal.test; Path=/api", "s=1; Path=/i/" ID "/" },
		{ "s=1;Path=/;Path=/;Path=/;Path=/", "s=1; Path=/i/" ID "/; Path=/i/" ID "/; Path=/i/" ID "/; Path=/i/" ID "/" },
		{ "Path=/x", "Path=/x; Path=/i/" ID "/" },                        /* a cookie named Path */
	};
	char *o;

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		assert_non_null(o = cookie_scope(cases[k].in, "/i/" ID "/"));
		if (strcmp(o, cases[k].out))
			fail_msg("case %zu: '%s' -> '%s', want '%s'", k, cases[k].in, o, cases[k].out);
		free(o);
	}
	/* many short Path= attributes, each widened: no overflow (the ASan build checks) */
	{
		char in[4096];
		size_t n = (size_t)snprintf(in, sizeof(in), "s=1"), paths = 0;

		while (n + 8 < sizeof(in)) {
			memcpy(in + n, ";Path=/", 8);
			n += 7;
			paths++;
		}
		assert_non_null(o = cookie_scope(in, "/i/" ID "/"));
		assert_int_equal(strlen(o), 3 + paths * strlen("; Path=/i/" ID "/"));
		free(o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalog),
		cmocka_unit_test(test_connection_file),
		cmocka_unit_test(test_wrapper_runs),
		cmocka_unit_test(test_wrapper_gives_up),
		cmocka_unit_test(test_conn_cache),
		cmocka_unit_test(test_cookie_scope),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
