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
#include <sys/wait.h>
#include <archive.h>
#include <archive_entry.h>
#include <cmocka.h>

#include "digest.h"
#include "layer_cache.h"

#define ZERO64 "sha256:0000000000000000000000000000000000000000000000000000000000000000"

static char top[64], blobfile[128], counter[128];

/* A gzip'd one-file layer written to blobfile; its digest in out. */
static void make_blob(const char *file, const char *content, oci_blob_t *out)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	digest_t *d = digest_new(ZERO64);
	char buf[4096];
	size_t used = 0;
	FILE *f;

	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_gzip(a);
	assert_int_equal(archive_write_open_memory(a, buf, sizeof(buf), &used), ARCHIVE_OK);
	archive_entry_set_pathname(e, file);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)strlen(content));
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	archive_write_data(a, content, strlen(content));
	archive_write_close(a);
	archive_write_free(a);
	archive_entry_free(e);

	assert_non_null(f = fopen(blobfile, "w"));
	assert_int_equal(fwrite(buf, 1, used, f), used);
	fclose(f);
	memset(out, 0, sizeof(*out));
	digest_update(d, buf, used);
	digest_finish(d, out->digest, sizeof(out->digest));
	digest_free(d);
	out->size = used;
	out->media = OCI_MT_LAYER_GZIP;
}

/* The miss callback: counts its calls in a file (shared across forks). */
static int open_blob(void *arg, const oci_blob_t *b, char *err, size_t errlen)
{
	int fd = open(counter, O_WRONLY | O_APPEND | O_CREAT, 0600);

	(void)arg;
	(void)b;
	(void)err;
	(void)errlen;
	if (fd >= 0) {
		(void)!write(fd, "x", 1);
		close(fd);
	}
	return open(blobfile, O_RDONLY);
}

static long misses(void)
{
	struct stat sb;

	return stat(counter, &sb) ? 0 : (long)sb.st_size;
}

static int setup(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return 0;
	snprintf(top, sizeof(top), "/tmp/octo-cache-XXXXXX");
	assert_non_null(mkdtemp(top));
	chmod(top, 0755);
	snprintf(blobfile, sizeof(blobfile), "%s/blob", top);
	snprintf(counter, sizeof(counter), "%s/misses", top);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	if (top[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
		(void)!system(cmd);
	}
	return 0;
}

static void cache_in(layer_cache_t *c, const char *name)
{
	char root[128], err[256];

	snprintf(root, sizeof(root), "%s/%s", top, name);
	if (layer_cache_open(c, root, err, sizeof(err)))
		fail_msg("%s", err);
}

static void test_miss_then_hit(void **state)
{
	layer_cache_t c;
	layer_ref_t r1, r2;
	oci_blob_t b;
	char err[256], file[PATH_MAX + 16], text[16] = "";
	FILE *f;

	(void)state;
	if (geteuid() != 0)
		skip();
	cache_in(&c, "c1");
	make_blob("hello.txt", "hi there", &b);
	unlink(counter);
	if (layer_cache_get(&c, &b, open_blob, NULL, &r1, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(r1.unpacked, 1);
	assert_int_equal(misses(), 1);
	snprintf(file, sizeof(file), "%s/hello.txt", r1.path);
	assert_non_null(f = fopen(file, "r"));
	assert_non_null(fgets(text, sizeof(text), f));
	fclose(f);
	assert_string_equal(text, "hi there");
	assert_non_null(strstr(r1.path, strchr(b.digest, ':') + 1));

	assert_int_equal(layer_cache_get(&c, &b, open_blob, NULL, &r2, err, sizeof(err)), 0);
	assert_int_equal(r2.unpacked, 0);
	assert_int_equal(misses(), 1);          /* the hit never opened the blob */
	assert_string_equal(r1.path, r2.path);
	close(r1.lock_fd);
	close(r2.lock_fd);
}

static void test_corrupt_blob_is_not_published(void **state)
{
	layer_cache_t c;
	layer_ref_t r;
	oci_blob_t b;
	char err[256], path[PATH_MAX];
	struct stat sb;

	(void)state;
	if (geteuid() != 0)
		skip();
	cache_in(&c, "c2");
	make_blob("a", "genuine", &b);
	/* the registry sends other bytes than the manifest promised */
	b.digest[strlen(b.digest) - 1] = b.digest[strlen(b.digest) - 1] == '0' ? '1' : '0';
	assert_int_equal(layer_cache_get(&c, &b, open_blob, NULL, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "the content's digest is"));
	assert_int_equal(r.lock_fd, -1);
	snprintf(path, sizeof(path), "%s/layers/sha256/%s", c.root, strchr(b.digest, ':') + 1);
	assert_int_equal(stat(path, &sb), -1);
	snprintf(path, sizeof(path), "rmdir '%s/tmp' 2>/dev/null", c.root);    /* nothing left half-done */
	assert_int_equal(system(path), 0);
}

static void test_concurrent_jobs_unpack_once(void **state)
{
	layer_cache_t c;
	oci_blob_t b;
	int status, ok = 0;

	(void)state;
	if (geteuid() != 0)
		skip();
	cache_in(&c, "c3");
	make_blob("shared", "one copy", &b);
	unlink(counter);
	for (int i = 0; i < 6; i++) {
		if (fork() == 0) {
			layer_ref_t r;
			char err[256];

			_exit(layer_cache_get(&c, &b, open_blob, NULL, &r, err, sizeof(err)) ? 1 : 0);
		}
	}
	while (wait(&status) > 0)
		ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
	assert_int_equal(ok, 6);
	assert_int_equal(misses(), 1);
}

static void test_collect_spares_layers_in_use(void **state)
{
	layer_cache_t c;
	layer_ref_t r1, r2;
	oci_blob_t b1, b2;
	layer_cache_usage_t u;
	char err[256];

	(void)state;
	if (geteuid() != 0)
		skip();
	cache_in(&c, "c4");
	make_blob("one", "first layer", &b1);
	assert_int_equal(layer_cache_get(&c, &b1, open_blob, NULL, &r1, err, sizeof(err)), 0);
	make_blob("two", "second layer", &b2);
	assert_int_equal(layer_cache_get(&c, &b2, open_blob, NULL, &r2, err, sizeof(err)), 0);
	close(r2.lock_fd);      /* layer 2 is no longer in use; layer 1 is */

	assert_int_equal(layer_cache_collect(&c, UINT64_MAX, &u, err, sizeof(err)), 0);
	assert_int_equal(u.layers, 2);
	assert_int_equal(u.removed, 0);
	assert_int_equal(layer_cache_collect(&c, 0, &u, err, sizeof(err)), 0);
	assert_int_equal(u.removed, 1);
	assert_int_equal(u.busy, 1);
	assert_int_equal(access(r2.path, F_OK), -1);
	assert_int_equal(access(r1.path, F_OK), 0);
	close(r1.lock_fd);
	assert_int_equal(layer_cache_collect(&c, 0, &u, err, sizeof(err)), 0);
	assert_int_equal(u.removed, 1);
	assert_int_equal(u.layers, 0);
	assert_int_equal(access(r1.path, F_OK), -1);
}

static void test_unsafe_root_is_refused(void **state)
{
	layer_cache_t c;
	char root[128], err[256];

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(root, sizeof(root), "%s/open", top);
	assert_int_equal(mkdir(root, 0777), 0);
	chmod(root, 0777);
	assert_int_equal(layer_cache_open(&c, root, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not group/world-writable"));
	assert_int_equal(layer_cache_open(&c, "relative/dir", err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_miss_then_hit),
		cmocka_unit_test(test_corrupt_blob_is_not_published),
		cmocka_unit_test(test_concurrent_jobs_unpack_once),
		cmocka_unit_test(test_collect_spares_layers_in_use),
		cmocka_unit_test(test_unsafe_root_is_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
