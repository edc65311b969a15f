/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Squashfs images (enroot's format): the file opened as the user and
 * checked, and its variables read from /etc/environment in the started
 * container.
 */
#define _GNU_SOURCE
#include "ct_image.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errf.h"
#include "ns/hook_env.h"

/* A squashfs file, opened as the user; the holder mounts it (a loop device, read-only). */
int ct_image_prepare_squashfs(const img_ref_t *ref, const ct_image_opts_t *o, user_opener_t *uo, ct_image_t *img,
			    char *err, size_t errlen)
{
	struct stat sb;
	char magic[4];
	const char *rel;
	int fd;

	if (ref->path[0] != '/' && (!o->cwd || o->cwd[0] != '/'))
		return errf(err, errlen, "--container-image=%s: a relative path needs the job's working directory", ref->path);
	if ((fd = user_opener_open(uo, ref->path[0] == '/' ? NULL : o->cwd, ref->path,
				   O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, err, errlen)) < 0)
		return -1;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || pread(fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic) ||
	    memcmp(magic, "hsqs", 4)) {
		close(fd);
		return errf(err, errlen, "--container-image=%s is not a squashfs file (enroot import or mksquashfs make one; "
					 "an OCI layout is oci:/path)", ref->path);
	}
	img->has_squashfs = 1;
	img->squashfs_fd = fd;
	/* which file, as the kernel knows it: a named container made from it finds a replaced one out */
	snprintf(img->manifest_digest, sizeof(img->manifest_digest), "squashfs:%llx:%llx:%llx:%lld.%09ld",
		 (unsigned long long)sb.st_dev, (unsigned long long)sb.st_ino, (unsigned long long)sb.st_size,
		 (long long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec);
	rel = ref->path;
	while (rel[0] == '.' && rel[1] == '/')
		rel += 2;
	if (snprintf(img->squashfs_path, sizeof(img->squashfs_path), "%s%s%s", ref->path[0] == '/' ? "" : o->cwd,
		     ref->path[0] == '/' ? "" : "/", rel) >= (int)sizeof(img->squashfs_path))
		img->squashfs_path[0] = '\0';
	return 0;
}

int ct_image_squashfs_env(ct_image_t *img, int root, char *err, size_t errlen)
{
	static const char *const fallback = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	hook_env_t e = { NULL, 0 };
	struct stat sb;
	char *text = NULL;
	size_t len = 0;
	int fd = (int)syscall(SYS_openat2, root, "etc/environment", &how, sizeof(how));

	if (fd >= 0 && !fstat(fd, &sb) && S_ISREG(sb.st_mode) && !(text = ct_image_read_small(fd, &len, "/etc/environment", err, errlen))) {
		close(fd);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	if (text && hook_env_parse(text, len, NULL, 0, &e, err, errlen)) {
		free(text);
		return -1;
	}
	free(text);
	if (!e.n) {
		free(e.kv);
		if (!(e.kv = malloc(sizeof(char *))) || !(e.kv[0] = strdup(fallback)))
			return errf(err, errlen, "out of memory");
		e.n = 1;
	}
	/* KEY="value", as Debian and Ubuntu write it, is the value */
	for (size_t i = 0; i < e.n; i++) {
		char *eq = strchr(e.kv[i], '='), *end = eq + strlen(eq) - 1;

		if (end > eq + 1 && eq[1] == '"' && *end == '"') {
			*end = '\0';
			memmove(eq + 1, eq + 2, strlen(eq + 2) + 1);
		}
	}
	oci_config_free(&img->config);
	if (!(img->config.env = realloc(e.kv, (e.n + 1) * sizeof(char *)))) {
		hook_env_free(&e);
		return errf(err, errlen, "out of memory");
	}
	img->config.env[e.n] = NULL;
	img->config.nenv = e.n;
	return 0;
}
