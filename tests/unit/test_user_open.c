/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "user_open.h"

#define NOBODY 65534

static void test_opens_with_the_users_rights(void **state)
{
	user_opener_t o;
	char err[256], dir[] = "/tmp/octo-uopen-XXXXXX", path[64];
	int fd;
	FILE *f;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	chmod(dir, 0755);
	snprintf(path, sizeof(path), "%s/secret", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("root only", f);
	fclose(f);
	chmod(path, 0600);
	snprintf(path, sizeof(path), "%s/public", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("everyone", f);
	fclose(f);
	chmod(path, 0644);
	snprintf(path, sizeof(path), "%s/link", dir);
	assert_int_equal(symlink("secret", path), 0);

	assert_int_equal(user_opener_start(&o, NOBODY, NOBODY, NULL, 0, err, sizeof(err)), 0);
	fd = user_opener_open(&o, dir, "public", O_RDONLY, err, sizeof(err));
	assert_true(fd >= 0);
	{
		char buf[16] = "";

		assert_int_equal(read(fd, buf, sizeof(buf) - 1), 8);
		assert_string_equal(buf, "everyone");
	}
	close(fd);
	/* root could read these; the user cannot, directly or through a symlink */
	assert_int_equal(user_opener_open(&o, dir, "secret", O_RDONLY, err, sizeof(err)), -1);
	assert_int_equal(errno, EACCES);
	assert_non_null(strstr(err, "/secret: Permission denied"));
	assert_int_equal(user_opener_open(&o, NULL, "/etc/shadow", O_RDONLY, err, sizeof(err)), -1);
	assert_int_equal(user_opener_open(&o, dir, "link", O_RDONLY, err, sizeof(err)), -1);
	assert_int_equal(user_opener_open(&o, dir, "missing", O_RDONLY, err, sizeof(err)), -1);
	assert_int_equal(errno, ENOENT);
	/* O_PATH fds come back too (mount sources) */
	fd = user_opener_open(&o, NULL, dir, O_PATH | O_DIRECTORY, err, sizeof(err));
	assert_true(fd >= 0);
	close(fd);
	user_opener_stop(&o);
	assert_int_equal(user_opener_open(&o, NULL, "/etc/hostname", O_RDONLY, err, sizeof(err)), -1);
	{
		char cmd[80];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opens_with_the_users_rights),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
