/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "layer_unpack.h"

#include "digest.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <stdlib.h>
#include <unistd.h>

#define WH_PREFIX  ".wh."
#define WH_OPAQUE  ".wh..wh..opq"
#define MAX_DEPTH  256

typedef struct {
	const layer_limits_t *lim;
	layer_stats_t *st;
	char *err;
	size_t errlen;
	const char *path;       /* the entry being unpacked, for messages */
} ctx_t;

static int fail(ctx_t *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!c->err || !c->errlen)
		return -1;
	n = snprintf(c->err, c->errlen, "entry %.200s: ", c->path ? c->path : "?");
	if (n < 0 || (size_t)n >= c->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Split a tar path into clean components in buf: leading '/' and "./" go,
 * empty and "." components are skipped, ".." refuses the entry. Returns
 * the number of components (0: the layer root itself), -1 on refusal.
 */
static int split_path(ctx_t *c, const char *path, char *buf, size_t buflen, char **comp, int max)
{
	int n = 0;
	char *save = NULL, *tok;

	if (strlen(path) >= buflen)
		return fail(c, "path longer than %zu bytes", buflen - 1);
	strcpy(buf, path);
	for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (!strcmp(tok, "."))
			continue;
		if (!strcmp(tok, ".."))
			return fail(c, "'..' in the path would leave the layer");
		if (n == max)
			return fail(c, "more than %d path components", max);
		comp[n++] = tok;
	}
	return n;
}

/*
 * Open the directory holding the last component, never following a
 * symlink. Missing parents are created (tars may list a file before its
 * directory) unless create is 0. Returns an fd or -1.
 */
static int open_parent(ctx_t *c, int root, char **comp, int n, int create)
{
	int fd = dup(root);

	if (fd < 0)
		return fail(c, "dup: %s", strerror(errno));
	for (int i = 0; i < n - 1; i++) {
		int next = openat(fd, comp[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, comp[i], 0755) && errno != EEXIST) {
				fail(c, "mkdir %s: %s", comp[i], strerror(errno));
				close(fd);
				return -1;
			}
			next = openat(fd, comp[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			int e = errno;

			close(fd);
			if (e == ELOOP || e == ENOTDIR)
				return fail(c, "'%s' is a symlink or not a directory: the layer may not write through it", comp[i]);
			return fail(c, "open %s: %s", comp[i], strerror(e));
		}
		close(fd);
		fd = next;
	}
	return fd;
}

/* Remove whatever is at name unless it is a directory and we want one. */
static int make_room(ctx_t *c, int dir, const char *name, int want_dir)
{
	struct stat sb;

	if (fstatat(dir, name, &sb, AT_SYMLINK_NOFOLLOW)) {
		if (errno == ENOENT)
			return 0;
		return fail(c, "stat: %s", strerror(errno));
	}
	if (S_ISDIR(sb.st_mode)) {
		if (want_dir)
			return 1;       /* keep it, with its contents */
		/* a later entry replacing a directory within one layer: empty it is not our job */
		if (unlinkat(dir, name, AT_REMOVEDIR))
			return fail(c, "a non-directory replaces a non-empty directory");
		return 0;
	}
	if (unlinkat(dir, name, 0))
		return fail(c, "unlink: %s", strerror(errno));
	return 0;
}

static mode_t clean_mode(ctx_t *c, mode_t mode)
{
	if (mode & (S_ISUID | S_ISGID))
		c->st->stripped_setid++;
	return mode & (S_IRWXU | S_IRWXG | S_IRWXO | S_ISVTX);
}

static int set_owner(ctx_t *c, int dir, const char *name, struct archive_entry *e)
{
	if (!c->lim || !c->lim->keep_owner)
		return 0;
	if (fchownat(dir, name, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e), AT_SYMLINK_NOFOLLOW))
		return fail(c, "chown: %s", strerror(errno));
	return 0;
}

/* Owner (when kept), then the mode without setid bits (chown would clear them anyway). */
static int set_owner_mode(ctx_t *c, int fd, struct archive_entry *e)
{
	if (c->lim && c->lim->keep_owner &&
	    fchown(fd, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e)))
		return fail(c, "chown: %s", strerror(errno));
	if (fchmod(fd, clean_mode(c, archive_entry_mode(e))))
		return fail(c, "chmod: %s", strerror(errno));
	return 0;
}

static int write_file(ctx_t *c, struct archive *a, int dir, const char *name, struct archive_entry *e)
{
	struct timespec ts[2];
	const void *block;
	size_t size;
	la_int64_t offset, end = 0;
	int fd, r;

	if (make_room(c, dir, name, 0) < 0)
		return -1;
	fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(c, "create: %s", strerror(errno));
	while ((r = archive_read_data_block(a, &block, &size, &offset)) == ARCHIVE_OK) {
		if (c->lim && c->lim->max_bytes && c->st->bytes + size > c->lim->max_bytes) {
			close(fd);
			return fail(c, "the layer holds more than %llu bytes of file data",
				    (unsigned long long)c->lim->max_bytes);
		}
		for (size_t done = 0; done < size;) {
			ssize_t w = pwrite(fd, (const char *)block + done, size - done, offset + (off_t)done);

			if (w < 0) {
				int err = errno;

				close(fd);
				return fail(c, "write: %s", strerror(err));
			}
			done += (size_t)w;
		}
		c->st->bytes += size;
		end = offset + (la_int64_t)size;
	}
	if (r != ARCHIVE_EOF) {
		close(fd);
		return fail(c, "reading the layer: %s", archive_error_string(a));
	}
	/* sparse files end in a hole */
	if (archive_entry_size(e) > end && ftruncate(fd, archive_entry_size(e))) {
		close(fd);
		return fail(c, "truncate: %s", strerror(errno));
	}
	if (set_owner_mode(c, fd, e)) {
		close(fd);
		return -1;
	}
	ts[0].tv_sec = ts[1].tv_sec = archive_entry_mtime(e);
	ts[0].tv_nsec = ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	futimens(fd, ts);
	if (close(fd))
		return fail(c, "close: %s", strerror(errno));
	c->st->files++;
	return 0;
}

static int make_dir(ctx_t *c, int dir, const char *name, struct archive_entry *e)
{
	int fd, have = make_room(c, dir, name, 1);

	if (have < 0)
		return -1;
	if (!have && mkdirat(dir, name, 0700))
		return fail(c, "mkdir: %s", strerror(errno));
	fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fail(c, "open: %s", strerror(errno));
	if (set_owner_mode(c, fd, e)) {
		close(fd);
		return -1;
	}
	close(fd);
	c->st->dirs++;
	return 0;
}

static int whiteout(ctx_t *c, int dir, const char *name)
{
	if (!strcmp(name, WH_OPAQUE)) {
		if (fsetxattr(dir, "trusted.overlay.opaque", "y", 1, 0))
			return fail(c, "cannot mark the directory opaque: %s", strerror(errno));
		c->st->opaque_dirs++;
		return 0;
	}
	name += strlen(WH_PREFIX);
	if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
		return fail(c, "whiteout of nothing");
	if (make_room(c, dir, name, 0) < 0)
		return -1;
	if (mknodat(dir, name, S_IFCHR | 0000, makedev(0, 0)))
		return fail(c, "whiteout: %s", strerror(errno));
	c->st->whiteouts++;
	return 0;
}

/* The link target is a path inside the layer, resolved like any entry. */
static int hard_link(ctx_t *c, int root, int dir, const char *name, const char *target)
{
	char buf[PATH_MAX], *comp[MAX_DEPTH];
	int n, tdir, rc;
	struct stat sb;

	if ((n = split_path(c, target, buf, sizeof(buf), comp, MAX_DEPTH)) < 0)
		return -1;
	if (n == 0)
		return fail(c, "hard link to the layer root");
	if ((tdir = open_parent(c, root, comp, n, 0)) < 0)
		return -1;
	if (fstatat(tdir, comp[n - 1], &sb, AT_SYMLINK_NOFOLLOW) || S_ISDIR(sb.st_mode)) {
		close(tdir);
		return fail(c, "hard link target '%.200s' is not a file of this layer", target);
	}
	if (make_room(c, dir, name, 0) < 0) {
		close(tdir);
		return -1;
	}
	rc = linkat(tdir, comp[n - 1], dir, name, 0);
	close(tdir);
	if (rc)
		return fail(c, "link: %s", strerror(errno));
	c->st->hardlinks++;
	return 0;
}

static int unpack_entry(ctx_t *c, struct archive *a, struct archive_entry *e, int root)
{
	char buf[PATH_MAX], *comp[MAX_DEPTH];
	const char *name, *link;
	mode_t type = archive_entry_filetype(e);
	int n, dir, rc = 0;

	if ((n = split_path(c, c->path, buf, sizeof(buf), comp, MAX_DEPTH)) < 0)
		return -1;
	if (n == 0)
		return 0;       /* "./": the layer root, which we own */
	name = comp[n - 1];
	if ((dir = open_parent(c, root, comp, n, 1)) < 0)
		return -1;

	if ((link = archive_entry_hardlink(e))) {
		rc = hard_link(c, root, dir, name, link);
	} else if (!strncmp(name, WH_PREFIX, strlen(WH_PREFIX))) {
		rc = whiteout(c, dir, name);
	} else if (type == AE_IFREG) {
		rc = write_file(c, a, dir, name, e);
	} else if (type == AE_IFDIR) {
		rc = make_dir(c, dir, name, e);
	} else if (type == AE_IFLNK) {
		const char *target = archive_entry_symlink(e);

		/* the target is only ever resolved inside the container's root */
		if (!target || !*target)
			rc = fail(c, "symlink without a target");
		else if (make_room(c, dir, name, 0) < 0)
			rc = -1;
		else if (symlinkat(target, dir, name))
			rc = fail(c, "symlink: %s", strerror(errno));
		else if (!(rc = set_owner(c, dir, name, e)))
			c->st->symlinks++;
	} else if (type == AE_IFIFO) {
		if (make_room(c, dir, name, 0) < 0)
			rc = -1;
		else if (mkfifoat(dir, name, clean_mode(c, archive_entry_mode(e))))
			rc = fail(c, "mkfifo: %s", strerror(errno));
		else if (!(rc = set_owner(c, dir, name, e)))
			c->st->fifos++;
	} else {
		/* character/block devices and sockets: an image gets none */
		c->st->dropped_devices++;
	}
	close(dir);
	return rc;
}

static int unpack(struct archive *a, int dirfd, const layer_limits_t *lim, layer_stats_t *st, char *err,
		  size_t errlen)
{
	layer_stats_t dummy;
	ctx_t c = { lim, st ? st : &dummy, err, errlen, NULL };
	struct archive_entry *e;
	int r, rc = 0;

	memset(c.st, 0, sizeof(*c.st));
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		c.path = archive_entry_pathname(e);
		if (!c.path) {
			rc = fail(&c, "no path name (or not valid in this locale)");
			break;
		}
		if (lim && lim->max_entries && c.st->entries >= lim->max_entries) {
			rc = fail(&c, "the layer has more than %llu entries", (unsigned long long)lim->max_entries);
			break;
		}
		c.st->entries++;
		if ((rc = unpack_entry(&c, a, e, dirfd)))
			break;
	}
	if (!rc && r != ARCHIVE_EOF) {
		c.path = NULL;
		rc = -1;
		snprintf(err, errlen, "not a readable tar layer: %s", archive_error_string(a) ? archive_error_string(a) : "unknown error");
	}
	archive_read_free(a);
	return rc;
}

static struct archive *reader(void)
{
	struct archive *a = archive_read_new();

	if (!a)
		return NULL;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_none(a);
	archive_read_support_format_tar(a);
	return a;
}

int layer_unpack_fd(int fd, int dirfd, const layer_limits_t *lim, layer_stats_t *st, char *err, size_t errlen)
{
	struct archive *a = reader();

	if (!a) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (archive_read_open_fd(a, fd, 1 << 16) != ARCHIVE_OK) {
		snprintf(err, errlen, "not a readable tar layer: %s", archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	return unpack(a, dirfd, lim, st, err, errlen);
}

int layer_unpack_mem(const void *buf, size_t len, int dirfd, const layer_limits_t *lim, layer_stats_t *st,
		     char *err, size_t errlen)
{
	struct archive *a = reader();

	if (!a) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK) {
		snprintf(err, errlen, "not a readable tar layer: %s", archive_error_string(a));
		archive_read_free(a);
		return -1;
	}
	return unpack(a, dirfd, lim, st, err, errlen);
}

/* Reads the blob for libarchive and hashes every byte on the way. */
typedef struct {
	int fd;
	digest_t *digest;
	uint64_t read;
	char buf[1 << 16];
} verified_src_t;

static la_ssize_t verified_read(struct archive *a, void *arg, const void **out)
{
	verified_src_t *v = arg;
	ssize_t n;

	do
		n = read(v->fd, v->buf, sizeof(v->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (a)
			archive_set_error(a, errno, "read: %s", strerror(errno));
		return -1;
	}
	digest_update(v->digest, v->buf, (size_t)n);
	v->read += (uint64_t)n;
	*out = v->buf;
	return n;
}

int layer_unpack_verified(int fd, const char *digest, uint64_t size, int dirfd, const layer_limits_t *lim,
			  layer_stats_t *st, char *err, size_t errlen)
{
	verified_src_t *v = calloc(1, sizeof(*v));
	struct archive *a = reader();
	char actual[160];
	int rc;

	if (!v || !a || !(v->digest = digest_new(digest))) {
		snprintf(err, errlen, v && a ? "'%.80s' is not a digest" : "out of memory", digest);
		if (v)
			digest_free(v->digest);
		free(v);
		if (a)
			archive_read_free(a);
		return -1;
	}
	v->fd = fd;
	if (archive_read_open(a, v, NULL, verified_read, NULL) != ARCHIVE_OK) {
		snprintf(err, errlen, "not a readable tar layer: %s", archive_error_string(a));
		archive_read_free(a);
		rc = -1;
	} else {
		rc = unpack(a, dirfd, lim, st, err, errlen);
	}
	if (!rc) {
		/* the tar ends before the blob does (padding): hash the rest */
		const void *rest;
		la_ssize_t n;

		while ((n = verified_read(NULL, v, &rest)) > 0)
			;
		if (n < 0) {
			snprintf(err, errlen, "reading the layer: %s", strerror(errno));
			rc = -1;
		} else if (!digest_finish(v->digest, actual, sizeof(actual))) {
			snprintf(err, errlen, "layer %.80s: the content's digest is %.80s: the blob is corrupt or was tampered with",
				 digest, actual);
			rc = -1;
		} else if (size && v->read != size) {
			snprintf(err, errlen, "layer %.80s: %llu bytes, the manifest says %llu", digest,
				 (unsigned long long)v->read, (unsigned long long)size);
			rc = -1;
		}
	}
	digest_free(v->digest);
	free(v);
	return rc;
}
