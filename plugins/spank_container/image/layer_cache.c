/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "layer_cache.h"

#include "errf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"

static int safe_dir(const char *path, char *err, size_t errlen)
{
	struct stat sb;

	if (lstat(path, &sb))
		return errf(err, errlen, "layer cache %s: %s", path, strerror(errno));
	if (!S_ISDIR(sb.st_mode) || sb.st_uid != 0 || (sb.st_mode & (S_IWGRP | S_IWOTH)))
		return errf(err, errlen, "layer cache %s must be a directory owned by root, not group/world-writable", path);
	return 0;
}

int layer_cache_open(layer_cache_t *c, const char *root, char *err, size_t errlen)
{
	static const char *const subdirs[] = { "", "/layers", "/layers/sha256", "/layers/sha512", "/tmp" };
	char path[PATH_MAX];

	memset(c, 0, sizeof(*c));
	if (root[0] != '/' || strlen(root) >= sizeof(c->root))
		return errf(err, errlen, "layer cache '%.100s' must be an absolute path", root);
	snprintf(c->root, sizeof(c->root), "%s", root);
	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", root, subdirs[i]);
		if (fs_mkdir_p(path, 0755))
			return errf(err, errlen, "layer cache %s: %s", path, strerror(errno));
		if (safe_dir(path, err, errlen))
			return -1;
	}
	c->limits.keep_owner = geteuid() == 0;
	return 0;
}

/* "sha256:abc" -> "layers/sha256/abc" */
static void rel_path(const char *digest, char *buf, size_t len, const char *suffix)
{
	const char *colon = strchr(digest, ':');

	snprintf(buf, len, "layers/%.*s/%s%s", (int)(colon - digest), digest, colon + 1, suffix);
}

/* A full disk is for the admin to fix, and the user's one line should say so. */
static void explain_full(const layer_cache_t *c, char *err, size_t errlen)
{
	char was[256];

	if (!strstr(err, strerror(ENOSPC)) && !strstr(err, strerror(EDQUOT)))
		return;
	snprintf(was, sizeof(was), "%.200s", err);
	errf(err, errlen, "the layer cache %s is full (%s): ask your admin to free space "
			  "(octopus-image-cache prune --keep SIZE, or cache_max_size= in plugstack.conf)", c->root, was);
}

static int unpack_miss(layer_cache_t *c, int rootfd, const oci_blob_t *blob, layer_blob_fn open_blob, void *arg,
		       layer_ref_t *ref, char *err, size_t errlen)
{
	char tmp[PATH_MAX], final[PATH_MAX];
	int blobfd, dirfd, rc;
	const char *hex = strchr(blob->digest, ':') + 1;

	rel_path(blob->digest, final, sizeof(final), "");
	snprintf(tmp, sizeof(tmp), "tmp/%s.%ld.%d", hex, (long)time(NULL), (int)getpid());
	fs_remove_at(rootfd, tmp);
	if (mkdirat(rootfd, tmp, 0700))
		return errf(err, errlen, "layer cache: mkdir %s: %s", tmp, strerror(errno));
	if ((dirfd = openat(rootfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		fs_remove_at(rootfd, tmp);
		return errf(err, errlen, "layer cache: open %s: %s", tmp, strerror(errno));
	}
	if ((blobfd = open_blob(arg, blob, err, errlen)) < 0) {
		close(dirfd);
		fs_remove_at(rootfd, tmp);
		explain_full(c, err, errlen);
		return -1;
	}
	rc = layer_unpack_verified(blobfd, blob->digest, blob->size, dirfd, &c->limits, &ref->stats, err, errlen);
	close(blobfd);
	if (!rc && fchmod(dirfd, 0755))
		rc = errf(err, errlen, "layer cache: chmod: %s", strerror(errno));
	close(dirfd);
	if (!rc && renameat(rootfd, tmp, rootfd, final))
		rc = errf(err, errlen, "layer cache: publishing %s: %s", final, strerror(errno));
	if (rc) {
		fs_remove_at(rootfd, tmp);
		explain_full(c, err, errlen);
	} else {
		ref->unpacked = 1;
	}
	return rc;
}

int layer_cache_get(layer_cache_t *c, const oci_blob_t *blob, layer_blob_fn open_blob, void *arg,
		    layer_ref_t *ref, char *err, size_t errlen)
{
	char rel[160], lock[168];
	struct stat sb;
	int rootfd, lockfd, rc = -1;

	memset(ref, 0, sizeof(*ref));
	ref->lock_fd = -1;
	if (!img_digest_valid(blob->digest))
		return errf(err, errlen, "'%.80s' is not a layer digest", blob->digest);
	if ((rootfd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errf(err, errlen, "layer cache %s: %s", c->root, strerror(errno));
	rel_path(blob->digest, rel, sizeof(rel), "");
	rel_path(blob->digest, lock, sizeof(lock), ".lock");
	if ((lockfd = openat(rootfd, lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		errf(err, errlen, "layer cache: %s: %s", lock, strerror(errno));
		goto out;
	}
	/* warm path: shared lock, the layer is there */
	if (flock(lockfd, LOCK_SH)) {
		errf(err, errlen, "layer cache: lock: %s", strerror(errno));
		goto out;
	}
	if (fstatat(rootfd, rel, &sb, AT_SYMLINK_NOFOLLOW) || !S_ISDIR(sb.st_mode)) {
		/* miss: exclusive, then look again (another job may have won) */
		if (flock(lockfd, LOCK_EX)) {
			errf(err, errlen, "layer cache: lock: %s", strerror(errno));
			goto out;
		}
		if ((fstatat(rootfd, rel, &sb, AT_SYMLINK_NOFOLLOW) || !S_ISDIR(sb.st_mode)) &&
		    unpack_miss(c, rootfd, blob, open_blob, arg, ref, err, errlen))
			goto out;
		if (flock(lockfd, LOCK_SH)) {
			errf(err, errlen, "layer cache: lock: %s", strerror(errno));
			goto out;
		}
	}
	utimensat(rootfd, rel, NULL, AT_SYMLINK_NOFOLLOW);      /* last use, for LRU */
	snprintf(ref->path, sizeof(ref->path), "%s/%s", c->root, rel);
	ref->lock_fd = lockfd;
	lockfd = -1;
	rc = 0;
out:
	if (lockfd >= 0)
		close(lockfd);
	close(rootfd);
	return rc;
}

typedef struct {
	char rel[160];
	time_t used;
	uint64_t bytes;
} entry_t;

static int by_age(const void *a, const void *b)
{
	const entry_t *x = a, *y = b;

	return (x->used > y->used) - (x->used < y->used);
}

/* Every cached layer, oldest use first; *v is malloc'd. */
static int scan(int rootfd, entry_t **out, size_t *count, layer_cache_usage_t *u, char *err, size_t errlen)
{
	static const char *const algos[] = { "sha256", "sha512" };
	entry_t *v = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	for (size_t a = 0; a < 2 && !rc; a++) {
		char dir[32];
		int fd;
		DIR *d;
		struct dirent *e;

		snprintf(dir, sizeof(dir), "layers/%s", algos[a]);
		if ((fd = openat(rootfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 || !(d = fdopendir(fd))) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		while ((e = readdir(d))) {
			struct stat sb;

			if (e->d_name[0] == '.' || strchr(e->d_name, '.') || strlen(e->d_name) > 128)
				continue;
			if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) || !S_ISDIR(sb.st_mode))
				continue;
			if (n == cap) {
				entry_t *nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*v));

				if (!nv) {
					rc = errf(err, errlen, "out of memory");
					break;
				}
				v = nv;
			}
			snprintf(v[n].rel, sizeof(v[n].rel), "%.14s/%.128s", dir, e->d_name);
			v[n].used = sb.st_mtime;
			v[n].bytes = fs_disk_usage_at(dirfd(d), e->d_name);
			u->layers++;
			u->bytes += v[n].bytes;
			n++;
		}
		closedir(d);
	}
	if (v)
		qsort(v, n, sizeof(*v), by_age);
	*out = v;
	*count = n;
	return rc;
}

/* Whether a running container holds the layer (its shared lock). */
static int in_use(int rootfd, const char *rel, int *lockfd)
{
	char lock[168];

	snprintf(lock, sizeof(lock), "%s.lock", rel);
	*lockfd = openat(rootfd, lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	return *lockfd < 0 || flock(*lockfd, LOCK_EX | LOCK_NB) != 0;
}

/* The cache root, opened, and its layers, least recently used first (rc). */
static int open_scanned(layer_cache_t *c, entry_t **v, size_t *n, layer_cache_usage_t *u, int *rc, char *err,
			size_t errlen)
{
	int rootfd;

	memset(u, 0, sizeof(*u));
	if ((rootfd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errf(err, errlen, "layer cache %s: %s", c->root, strerror(errno));
	*rc = scan(rootfd, v, n, u, err, errlen);
	return rootfd;
}

int layer_cache_list(layer_cache_t *c, layer_cache_each_fn each, void *arg, layer_cache_usage_t *u, char *err,
		     size_t errlen)
{
	entry_t *v = NULL;
	size_t n = 0;
	int rootfd, rc;

	if ((rootfd = open_scanned(c, &v, &n, u, &rc, err, errlen)) < 0)
		return -1;
	for (size_t i = 0; !rc && i < n; i++) {
		char digest[IMG_DIGEST_MAX];
		const char *algo = v[i].rel + strlen("layers/"), *slash = strchr(algo, '/');
		int lockfd, busy = in_use(rootfd, v[i].rel, &lockfd);

		if (lockfd >= 0)
			close(lockfd);
		u->busy += (uint64_t)busy;
		snprintf(digest, sizeof(digest), "%.*s:%s", (int)(slash - algo), algo, slash + 1);
		each(arg, digest, v[i].bytes, v[i].used, busy);
	}
	free(v);
	close(rootfd);
	return rc;
}

int layer_cache_collect(layer_cache_t *c, uint64_t keep_bytes, layer_cache_usage_t *u, char *err, size_t errlen)
{
	entry_t *v = NULL;
	size_t n = 0;
	int rootfd, rc;

	if ((rootfd = open_scanned(c, &v, &n, u, &rc, err, errlen)) < 0)
		return -1;
	for (size_t i = 0; !rc && i < n && keep_bytes != UINT64_MAX && u->bytes > keep_bytes; i++) {
		int lockfd;

		if (in_use(rootfd, v[i].rel, &lockfd)) {
			u->busy++;      /* a running container stacks it: never pull a lowerdir away */
		} else if (fs_remove_at(rootfd, v[i].rel)) {
			rc = errf(err, errlen, "layer cache: removing %s: %s", v[i].rel, strerror(errno));
		} else {
			u->removed++;
			u->freed += v[i].bytes;
			u->bytes -= v[i].bytes;
			u->layers--;
		}
		if (lockfd >= 0)
			close(lockfd);
	}
	/* unpacks that died halfway: nobody renames them any more */
	if (keep_bytes != UINT64_MAX) {
		int fd = openat(rootfd, "tmp", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
		struct dirent *e;
		struct stat sb;

		while (d && (e = readdir(d)))
			if (e->d_name[0] != '.' && !fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) &&
			    sb.st_mtime < time(NULL) - 24 * 3600)
				fs_remove_at(dirfd(d), e->d_name);
		if (d)
			closedir(d);
		else if (fd >= 0)
			close(fd);
	}
	free(v);
	close(rootfd);
	return rc;
}
