/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "rootfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/fsutil.h"
#include "site_hook.h"

/* <linux/mount.h> clashes with <sys/mount.h> on glibc 2.36 */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOVE_MOUNT_T_EMPTY_PATH
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif

int rootfs_detach_source(int fd)
{
	return (int)syscall(SYS_open_tree, fd, "",
			    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
}

/* The holder reports over a pipe: "" for ready, else the reason. */
static void report(int fd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n >= (int)sizeof(msg))
		n = sizeof(msg) - 1;
	(void)!write(fd, msg, (size_t)n + 1);
}

static int openat2_in(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

/*
 * An O_PATH fd for path inside rootfd, creating what is missing (parents
 * as directories, the last as a directory or an empty file). Every lookup
 * is confined to the rootfs: ".." and symlinks stop at its root.
 */
static int target_in_root(int rootfd, const char *path, int is_dir)
{
	char buf[PATH_MAX], *slash;
	int fd;

	if ((fd = openat2_in(rootfd, path, O_PATH)) >= 0 || errno != ENOENT)
		return fd;
	snprintf(buf, sizeof(buf), "%s", path);
	/* create each missing component under its (confined) parent */
	for (char *p = buf + 1;; p = slash + 1) {
		int parent, last;

		slash = strchr(p, '/');
		last = !slash;
		if (slash)
			*slash = '\0';
		if ((fd = openat2_in(rootfd, buf, O_PATH)) < 0) {
			char *name = strrchr(buf, '/');

			*name = '\0';
			parent = openat2_in(rootfd, buf[0] ? buf : "/", O_RDONLY | O_DIRECTORY);
			*name = '/';
			if (parent < 0)
				return -1;
			if (!last || is_dir) {
				if (mkdirat(parent, name + 1, 0755) && errno != EEXIST) {
					close(parent);
					return -1;
				}
			} else {
				int f = openat(parent, name + 1, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);

				if (f < 0 && errno != EEXIST) {
					close(parent);
					return -1;
				}
				if (f >= 0)
					close(f);
			}
			close(parent);
			if ((fd = openat2_in(rootfd, buf, O_PATH)) < 0)
				return -1;
		}
		if (last)
			return fd;
		close(fd);
		*slash = '/';
	}
}

static int mount_fd(const char *src, int src_fd, int dst_fd, const char *fstype, unsigned long flags, const char *data)
{
	char s[64], d[64];

	snprintf(d, sizeof(d), "/proc/self/fd/%d", dst_fd);
	if (src_fd >= 0)
		snprintf(s, sizeof(s), "/proc/self/fd/%d", src_fd);
	return mount(src_fd >= 0 ? s : src, d, fstype, flags, data);
}

/* Bind src over dst inside the rootfs, then make it nosuid, nodev unless it
 * is /dev (Slurm's device cgroup decides which nodes a task may open), and
 * read-only if asked. */
static int bind_in(int rootfd, int src_fd, const char *src_path, const char *dst, int is_dir, int ro, int ctl,
		   int devices)
{
	int dfd = target_in_root(rootfd, dst, is_dir), sfd = src_fd;
	unsigned long remount = MS_BIND | MS_REMOUNT | MS_NOSUID | (devices ? 0 : MS_NODEV) | (ro ? MS_RDONLY : 0);

	if (dfd < 0) {
		report(ctl, "cannot create the mount point %s in the image: %s", dst, strerror(errno));
		return -1;
	}
	if (sfd >= 0) {
		/* a detached copy of the user's source, made in slurmstepd's namespace */
		if (syscall(SYS_move_mount, sfd, "", dfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)) {
			report(ctl, "bind %s: %s", dst, strerror(errno));
			goto fail;
		}
	} else if ((sfd = open(src_path, O_PATH | O_CLOEXEC)) < 0) {
		report(ctl, "%s: %s", src_path, strerror(errno));
		close(dfd);
		return -1;
	} else if (mount_fd(NULL, sfd, dfd, NULL, MS_BIND | MS_REC, NULL)) {
		report(ctl, "bind %s: %s", dst, strerror(errno));
		goto fail;
	}
	/* the remount applies to the new mount, reached again through the root */
	close(dfd);
	if ((dfd = openat2_in(rootfd, dst, O_PATH)) < 0 || mount_fd(NULL, -1, dfd, NULL, remount, NULL)) {
		report(ctl, "remount %s nosuid,nodev: %s", dst, strerror(errno));
		goto fail;
	}
	close(dfd);
	if (sfd != src_fd)
		close(sfd);
	return 0;
fail:
	if (dfd >= 0)
		close(dfd);
	if (sfd != src_fd)
		close(sfd);
	return -1;
}

/* Always with an upper dir: mount points for binds must be creatable even
 * when the container is read-only (build() makes it so at the end). */
static int overlay(const rootfs_spec_t *s, int ctl)
{
	char opts[4096], link[32];
	size_t used;

	char upper[PATH_MAX], work[PATH_MAX];

	snprintf(upper, sizeof(upper), "%s%supper", s->keep_dir ? s->keep_dir : "", s->keep_dir ? "/" : "");
	snprintf(work, sizeof(work), "%s%swork", s->keep_dir ? s->keep_dir : "", s->keep_dir ? "/" : "");
	if (mkdir("rootfs", 0755) || mkdir("l", 0700) || (mkdir(upper, 0755) && errno != EEXIST) ||
	    (mkdir(work, 0700) && errno != EEXIST)) {
		report(ctl, "runtime directory %s: %s", s->runtime, strerror(errno));
		return -1;
	}
	/* short relative names keep 127 layers within a page of options */
	used = (size_t)snprintf(opts, sizeof(opts), "lowerdir=");
	for (size_t i = s->nlower; i-- > 0;) {
		snprintf(link, sizeof(link), "l/%zu", i);
		if (symlink(s->lower[i], link)) {
			report(ctl, "runtime directory: %s", strerror(errno));
			return -1;
		}
		used += (size_t)snprintf(opts + used, sizeof(opts) - used, "%s%s", i + 1 == s->nlower ? "" : ":", link);
	}
	used += (size_t)snprintf(opts + used, sizeof(opts) - used, ",upperdir=%s,workdir=%s", upper, work);
	if (used >= sizeof(opts)) {
		report(ctl, "too many layers for one overlay mount");
		return -1;
	}
	if (mount("overlay", "rootfs", "overlay", MS_NOSUID | MS_NODEV, opts)) {
		report(ctl, "mounting the image (overlayfs): %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The image's /etc/passwd (or group) plus the user's line, written to the
 * runtime directory and bound read-only over the image's: `id`, `whoami`,
 * and anything that looks the user up work inside. An image line for the
 * same name wins (the image's own users are its business).
 */
static int add_id_line(int rootfd, const char *path, const char *line, const char *out, int ctl)
{
	char *buf = malloc(1 << 20), name[64];
	size_t len = 0, nlen = strcspn(line, ":");
	int in, fd, found = 0;
	FILE *f;

	if (!buf) {
		report(ctl, "out of memory");
		return -1;
	}
	if ((in = openat2_in(rootfd, path, O_RDONLY)) >= 0) {
		ssize_t n;

		while (len < (1 << 20) - 1 && (n = read(in, buf + len, (1 << 20) - 1 - len)) > 0)
			len += (size_t)n;
		close(in);
	}
	buf[len] = '\0';
	snprintf(name, sizeof(name), "%.*s:", (int)(nlen < 60 ? nlen : 60), line);
	for (char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, name, strlen(name)))
			found = 1;
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		report(ctl, "%s: %s", out, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(buf);
		return -1;
	}
	fputs(buf, f);
	if (len && buf[len - 1] != '\n')
		fputc('\n', f);
	if (!found)
		fprintf(f, "%s\n", line);
	free(buf);
	if (fclose(f)) {
		report(ctl, "%s: %s", out, strerror(errno));
		return -1;
	}
	return bind_in(rootfd, -1, out, path, 0, 1, ctl, 0);
}

/* The site's hooks see the image at runtime/rootfs, before pivot_root. */
static int run_hooks(const rootfs_spec_t *s, int ctl)
{
	char rootfs[PATH_MAX], err[512];

	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", s->runtime);
	if (!site_hooks_run(s->hooks_dir, s->hook_env, rootfs,
			    s->hook_timeout_s ? s->hook_timeout_s : SITE_HOOK_TIMEOUT_DEFAULT, err, sizeof(err)))
		return 0;
	report(ctl, "%s", err);
	return -1;
}

static int build(const rootfs_spec_t *s, int ctl)
{
	static const struct {
		const char *src, *dst;
		int is_dir, ro, devices;
	} host[] = {
		{ "/dev", "/dev", 1, 0, 1 },
		{ "/sys", "/sys", 1, 1, 0 },
		{ "/tmp", "/tmp", 1, 0, 0 },
		{ "/etc/resolv.conf", "/etc/resolv.conf", 0, 1, 0 },
		{ "/etc/hosts", "/etc/hosts", 0, 1, 0 },
	};
	int rootfd, fd;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL)) {
		report(ctl, "new mount namespace: %s", strerror(errno));
		return -1;
	}
	if (chdir(s->runtime)) {
		report(ctl, "runtime directory %s: %s", s->runtime, strerror(errno));
		return -1;
	}
	if (overlay(s, ctl))
		return -1;
	if ((rootfd = open("rootfs", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		report(ctl, "rootfs: %s", strerror(errno));
		return -1;
	}
	if ((fd = target_in_root(rootfd, "/proc", 1)) < 0 ||
	    mount_fd("proc", -1, fd, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
		report(ctl, "mounting /proc: %s", strerror(errno));
		return -1;
	}
	close(fd);
	for (size_t i = 0; i < sizeof(host) / sizeof(host[0]); i++) {
		if (access(host[i].src, F_OK))
			continue;
		if (bind_in(rootfd, -1, host[i].src, host[i].dst, host[i].is_dir, host[i].ro, ctl, host[i].devices))
			return -1;
	}
	if ((s->passwd_line && add_id_line(rootfd, "/etc/passwd", s->passwd_line, "passwd", ctl)) ||
	    (s->group_line && add_id_line(rootfd, "/etc/group", s->group_line, "group", ctl)))
		return -1;
	for (size_t i = 0; i < s->nbinds; i++)
		if (bind_in(rootfd, s->binds[i].src_fd, NULL, s->binds[i].dst, s->binds[i].is_dir,
			    s->binds[i].readonly, ctl, 0))
			return -1;
	close(rootfd);
	if (run_hooks(s, ctl))
		return -1;
	/* read-only from here on: the mount points above were made in the upper dir */
	if (!s->writable && mount(NULL, "rootfs", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL)) {
		report(ctl, "making the image read-only: %s", strerror(errno));
		return -1;
	}
	if (chdir("rootfs") || syscall(SYS_pivot_root, ".", ".") || umount2(".", MNT_DETACH) || chdir("/")) {
		report(ctl, "entering the image (pivot_root): %s", strerror(errno));
		return -1;
	}
	return 0;
}

int rootfs_start(const rootfs_spec_t *spec, rootfs_holder_t *h, char *err, size_t errlen)
{
	int status[2], hold[2];
	char msg[512] = "", path[64];
	ssize_t n;

	h->pid = -1;
	h->ns_fd = h->ctl_fd = -1;
	if (fs_mkdir_p(spec->runtime, 0700)) {
		snprintf(err, errlen, "runtime directory %s: %s", spec->runtime, strerror(errno));
		return -1;
	}
	if (pipe2(status, O_CLOEXEC)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if (pipe2(hold, O_CLOEXEC)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		close(status[0]);
		close(status[1]);
		return -1;
	}
	h->pid = fork();
	if (h->pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(status[0]);
		close(status[1]);
		close(hold[0]);
		close(hold[1]);
		return -1;
	}
	if (h->pid == 0) {
		char c;

		close(status[0]);
		close(hold[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, "octo-container");
		if (build(spec, status[1]))
			_exit(1);
		report(status[1], "%s", "");
		/* hold only the namespace: none of slurmstepd's fds (job I/O) */
		if (hold[0] > 0)
			close_range(0, (unsigned)hold[0] - 1, 0);
		close_range((unsigned)hold[0] + 1, ~0U, 0);
		/* hold the namespace until the step closes the other end */
		while (read(hold[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(status[1]);
	close(hold[0]);
	h->ctl_fd = hold[1];
	n = read(status[0], msg, sizeof(msg) - 1);
	close(status[0]);
	if (n <= 0 || msg[0]) {
		msg[n > 0 ? n : 0] = '\0';
		snprintf(err, errlen, "%s", msg[0] ? msg : "the container setup process died");
		rootfs_stop(h, NULL);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)h->pid);
	if ((h->ns_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rootfs_stop(h, NULL);
		return -1;
	}
	return 0;
}

int rootfs_join(const rootfs_holder_t *h, char *err, size_t errlen)
{
	if (setns(h->ns_fd, CLONE_NEWNS)) {
		snprintf(err, errlen, "joining the container: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void rootfs_stop(rootfs_holder_t *h, const char *runtime)
{
	if (h->ns_fd >= 0)
		close(h->ns_fd);
	if (h->ctl_fd >= 0)
		close(h->ctl_fd);
	if (h->pid > 0)
		waitpid(h->pid, NULL, 0);
	h->pid = h->ns_fd = h->ctl_fd = -1;
	if (runtime && runtime[0] == '/')
		fs_remove_at(AT_FDCWD, runtime);
}
