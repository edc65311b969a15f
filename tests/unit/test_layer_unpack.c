/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "layer_unpack.h"

/* A layer built in memory: entries are added in order, then finished. */
typedef struct {
	struct archive *a;
	char *buf;
	size_t cap, used;
} tarbuf_t;

static void tb_open(tarbuf_t *t, int filter)
{
	t->cap = 1 << 20;
	t->buf = malloc(t->cap);
	t->a = archive_write_new();
	archive_write_set_format_pax_restricted(t->a);
	if (filter == 'z')
		archive_write_add_filter_gzip(t->a);
	else if (filter == 's')
		archive_write_add_filter_zstd(t->a);
	assert_int_equal(archive_write_open_memory(t->a, t->buf, t->cap, &t->used), ARCHIVE_OK);
}

static void tb_add(tarbuf_t *t, const char *path, mode_t type, mode_t perm, const char *data, const char *link,
		   int hardlink)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_mtime(e, 1700000000, 0);
	if (type == AE_IFCHR)
		archive_entry_set_rdev(e, makedev(1, 3));
	if (link && hardlink)
		archive_entry_set_hardlink(e, link);
	else if (link)
		archive_entry_set_symlink(e, link);
	archive_entry_set_size(e, data ? (la_int64_t)strlen(data) : 0);
	assert_int_equal(archive_write_header(t->a, e), ARCHIVE_OK);
	if (data)
		assert_int_equal(archive_write_data(t->a, data, strlen(data)), (la_ssize_t)strlen(data));
	archive_entry_free(e);
}

static void tb_close(tarbuf_t *t)
{
	assert_int_equal(archive_write_close(t->a), ARCHIVE_OK);
	archive_write_free(t->a);
}

/* A scratch tree: <tmp>/outside (must stay empty) and <tmp>/layer. */
typedef struct {
	char top[64], layer[96], outside[96];
	int fd;
} scratch_t;

static void scratch(scratch_t *s)
{
	snprintf(s->top, sizeof(s->top), "/tmp/octo-unpack-XXXXXX");
	assert_non_null(mkdtemp(s->top));
	snprintf(s->layer, sizeof(s->layer), "%s/layer", s->top);
	snprintf(s->outside, sizeof(s->outside), "%s/outside", s->top);
	assert_int_equal(mkdir(s->layer, 0755), 0);
	assert_int_equal(mkdir(s->outside, 0755), 0);
	s->fd = open(s->layer, O_RDONLY | O_DIRECTORY);
	assert_true(s->fd >= 0);
}

static void scratch_done(scratch_t *s)
{
	char cmd[512];

	close(s->fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->top);
	assert_int_equal(system(cmd), 0);
}

static int unpack(tarbuf_t *t, scratch_t *s, const layer_limits_t *lim, layer_stats_t *st, char *err)
{
	int rc = layer_unpack_mem(t->buf, t->used, s->fd, lim, st, err, 512);

	free(t->buf);
	return rc;
}

static int outside_is_empty(const scratch_t *s)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\" && test ! -e '%s/escape'", s->outside, s->top);
	return system(cmd) == 0;
}

static const char *read_file(const scratch_t *s, const char *rel)
{
	static char buf[256];
	char path[256];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", s->layer, rel);
	if (!(f = fopen(path, "r")))
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void lstat_in(const scratch_t *s, const char *rel, struct stat *sb)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", s->layer, rel);
	if (lstat(path, sb))
		fail_msg("%s is missing", rel);
}

static void test_a_normal_layer(void **state)
{
	scratch_t s;
	tarbuf_t t;
	layer_stats_t st;
	struct stat sb;
	char err[512] = "", link[64];
	layer_limits_t lim = { 0, 0, 1 };
	ssize_t n;

	(void)state;
	scratch(&s);
	tb_open(&t, 'z');
	tb_add(&t, "./", AE_IFDIR, 0755, NULL, NULL, 0);
	tb_add(&t, "./usr/bin/", AE_IFDIR, 0755, NULL, NULL, 0);
	tb_add(&t, "./usr/bin/su", AE_IFREG, 04755, "#!/bin/sh\n", NULL, 0);
	tb_add(&t, "usr/bin/sh", AE_IFLNK, 0777, NULL, "/bin/busybox", 0);
	tb_add(&t, "/etc/motd", AE_IFREG, 0644, "hello\n", NULL, 0);   /* absolute: inside the layer */
	tb_add(&t, "etc/motd.hard", AE_IFREG, 0644, NULL, "etc/motd", 1);
	tb_add(&t, "tmp/", AE_IFDIR, 01777, NULL, NULL, 0);
	tb_add(&t, "run/fifo", AE_IFIFO, 0600, NULL, NULL, 0);
	tb_add(&t, "dev/null", AE_IFCHR, 0666, NULL, NULL, 0);
	tb_close(&t);

	if (unpack(&t, &s, &lim, &st, err))
		fail_msg("refused: %s", err);
	assert_string_equal(read_file(&s, "etc/motd"), "hello\n");
	assert_string_equal(read_file(&s, "etc/motd.hard"), "hello\n");
	lstat_in(&s, "usr/bin/su", &sb);
	assert_int_equal(sb.st_mode & 07777, 0755);                 /* setuid stripped */
	assert_int_equal(sb.st_mtime, 1700000000);
	lstat_in(&s, "usr/bin/sh", &sb);
	assert_true(S_ISLNK(sb.st_mode));
	n = readlinkat(s.fd, "usr/bin/sh", link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_string_equal(link, "/bin/busybox");
	lstat_in(&s, "tmp", &sb);
	assert_int_equal(sb.st_mode & 07777, 01777);                /* sticky kept */
	lstat_in(&s, "run/fifo", &sb);
	assert_true(S_ISFIFO(sb.st_mode));
	assert_int_equal(faccessat(s.fd, "dev/null", F_OK, AT_SYMLINK_NOFOLLOW), -1);   /* dropped */
	assert_int_equal(st.files, 2);
	assert_int_equal(st.hardlinks, 1);
	assert_int_equal(st.symlinks, 1);
	assert_int_equal(st.fifos, 1);
	assert_int_equal(st.dropped_devices, 1);
	assert_int_equal(st.stripped_setid, 1);
	assert_int_equal(st.bytes, strlen("#!/bin/sh\n") + strlen("hello\n"));
	assert_true(outside_is_empty(&s));
	scratch_done(&s);
}

static void test_whiteouts_become_overlayfs_whiteouts(void **state)
{
	scratch_t s;
	tarbuf_t t;
	layer_stats_t st;
	struct stat sb;
	char err[512] = "", val[4] = "";

	(void)state;
	if (geteuid() != 0)
		skip();         /* mknod and trusted.* xattrs need root */
	scratch(&s);
	tb_open(&t, 's');
	tb_add(&t, "etc/.wh.old.conf", AE_IFREG, 0644, NULL, NULL, 0);
	tb_add(&t, "var/cache/.wh..wh..opq", AE_IFREG, 0644, NULL, NULL, 0);
	tb_close(&t);
	if (unpack(&t, &s, NULL, &st, err))
		fail_msg("refused: %s", err);
	lstat_in(&s, "etc/old.conf", &sb);
	assert_true(S_ISCHR(sb.st_mode));
	assert_int_equal(sb.st_rdev, makedev(0, 0));
	assert_int_equal(faccessat(s.fd, "etc/.wh.old.conf", F_OK, AT_SYMLINK_NOFOLLOW), -1);
	{
		char path[256];

		snprintf(path, sizeof(path), "%s/var/cache", s.layer);
		assert_int_equal(lgetxattr(path, "trusted.overlay.opaque", val, sizeof(val)), 1);
		assert_int_equal(val[0], 'y');
	}
	assert_int_equal(st.whiteouts, 1);
	assert_int_equal(st.opaque_dirs, 1);
	scratch_done(&s);
}

/* Each escape attempt is refused and leaves nothing outside the layer. */
static void expect_refused(void (*build)(tarbuf_t *), const char *needle)
{
	scratch_t s;
	tarbuf_t t;
	char err[512] = "";

	scratch(&s);
	tb_open(&t, 0);
	build(&t);
	tb_close(&t);
	if (unpack(&t, &s, NULL, NULL, err) != -1)
		fail_msg("the layer was accepted; wanted '%s'", needle);
	if (!strstr(err, needle))
		fail_msg("error '%s' does not say '%s'", err, needle);
	assert_true(outside_is_empty(&s));
	scratch_done(&s);
}

static void dotdot(tarbuf_t *t)
{
	tb_add(t, "a/../../escape", AE_IFREG, 0644, "x", NULL, 0);
}

static void symlink_to_outside(tarbuf_t *t)
{
	tb_add(t, "evil", AE_IFLNK, 0777, NULL, "../outside", 0);
	tb_add(t, "evil/pwned", AE_IFREG, 0644, "x", NULL, 0);
}

static void symlink_absolute(tarbuf_t *t)
{
	tb_add(t, "etc", AE_IFLNK, 0777, NULL, "/tmp", 0);
	tb_add(t, "etc/pwned", AE_IFREG, 0644, "x", NULL, 0);
}

static void chained_symlinks(tarbuf_t *t)
{
	tb_add(t, "b", AE_IFLNK, 0777, NULL, "../outside", 0);
	tb_add(t, "a", AE_IFLNK, 0777, NULL, "b", 0);
	tb_add(t, "a/pwned", AE_IFREG, 0644, "x", NULL, 0);
}

static void hardlink_dotdot(tarbuf_t *t)
{
	tb_add(t, "passwd", AE_IFREG, 0644, NULL, "../../etc/passwd", 1);
}

static void hardlink_through_symlink(tarbuf_t *t)
{
	tb_add(t, "evil", AE_IFLNK, 0777, NULL, "/etc", 0);
	tb_add(t, "shadow", AE_IFREG, 0644, NULL, "evil/shadow", 1);
}

static void whiteout_dotdot(tarbuf_t *t)
{
	tb_add(t, "x/.wh...", AE_IFREG, 0644, NULL, NULL, 0);
}

static void test_escapes_are_refused(void **state)
{
	(void)state;
	expect_refused(dotdot, "'..' in the path");
	expect_refused(symlink_to_outside, "'evil' is a symlink");
	expect_refused(symlink_absolute, "'etc' is a symlink");
	expect_refused(chained_symlinks, "'a' is a symlink");
	expect_refused(hardlink_dotdot, "'..' in the path");
	expect_refused(hardlink_through_symlink, "'evil' is a symlink");
	expect_refused(whiteout_dotdot, "whiteout of nothing");
}

static void test_limits_and_garbage(void **state)
{
	scratch_t s;
	tarbuf_t t;
	char err[512] = "";
	layer_limits_t lim = { 10, 0, 0 };
	static const char junk[] = "this is not a tar archive at all, not even close...";

	(void)state;
	scratch(&s);
	tb_open(&t, 0);
	tb_add(&t, "big", AE_IFREG, 0644, "0123456789abcdef", NULL, 0);
	tb_close(&t);
	assert_int_equal(unpack(&t, &s, &lim, NULL, err), -1);
	assert_non_null(strstr(err, "more than 10 bytes"));

	lim.max_bytes = 0;
	lim.max_entries = 2;
	tb_open(&t, 0);
	tb_add(&t, "a", AE_IFREG, 0644, "1", NULL, 0);
	tb_add(&t, "b", AE_IFREG, 0644, "2", NULL, 0);
	tb_add(&t, "c", AE_IFREG, 0644, "3", NULL, 0);
	tb_close(&t);
	assert_int_equal(unpack(&t, &s, &lim, NULL, err), -1);
	assert_non_null(strstr(err, "more than 2 entries"));

	assert_int_equal(layer_unpack_mem(junk, sizeof(junk), s.fd, NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a readable tar layer"));
	scratch_done(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_normal_layer),
		cmocka_unit_test(test_whiteouts_become_overlayfs_whiteouts),
		cmocka_unit_test(test_escapes_are_refused),
		cmocka_unit_test(test_limits_and_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
