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
#include <grp.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "errf.h"
#include "image/fsutil.h"
#include "mount_api.h"
#include "rootfs_hooks.h"
#include "rootfs_overlay.h"
#include "userns.h"

static const struct {
	int flag, clone;
	const char *name;
} ns_kinds[ROOTFS_NS_KINDS] = {
	{ ROOTFS_NET, CLONE_NEWNET, "net" },
	{ ROOTFS_IPC, CLONE_NEWIPC, "ipc" },
	{ ROOTFS_UTS, CLONE_NEWUTS, "uts" },
};

static int clone_flags(int unshare)
{
	int f = 0;

	for (int i = 0; i < ROOTFS_NS_KINDS; i++)
		if (unshare & ns_kinds[i].flag)
			f |= ns_kinds[i].clone;
	return f;
}

/* A new network namespace has only lo, and it is down: 127.0.0.1 should answer. */
static int loopback_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (s < 0)
		return -1;
	if (!ioctl(s, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		rc = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	close(s);
	return rc;
}

/* --container-unshare, in the process that will hold them. */
static int unshare_others(int kinds)
{
	if (!kinds)
		return 0;
	if (unshare(clone_flags(kinds)))
		return -1;
	return (kinds & ROOTFS_NET) ? loopback_up() : 0;
}

int rootfs_detach_source(int fd, int nonrecursive)
{
	return (int)syscall(SYS_open_tree, fd, "",
			    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | (nonrecursive ? 0 : AT_RECURSIVE));
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
		   int devices, unsigned long extra)
{
	int dfd = target_in_root(rootfd, dst, is_dir), sfd = src_fd;
	unsigned long remount = MS_BIND | MS_REMOUNT | MS_NOSUID | (devices ? 0 : MS_NODEV) | (ro ? MS_RDONLY : 0) | extra;

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

/* --container-mounts: a bind (with its flags and propagation), a tmpfs, or a mount taken away. */
static int user_mount(int rootfd, const rootfs_bind_t *b, int ctl)
{
	char path[PATH_MAX];
	int fd;

	switch (b->kind) {
	case ROOTFS_TMPFS:
		if ((fd = target_in_root(rootfd, b->dst, 1)) < 0 ||
		    mount_fd("tmpfs", -1, fd, "tmpfs", MS_NOSUID | MS_NODEV | (b->flags & MS_NOEXEC) | (b->readonly ? MS_RDONLY : 0),
			     "mode=1777")) {
			report(ctl, "tmpfs:%s: %s", b->dst, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		break;
	case ROOTFS_UMOUNT:
		if ((fd = openat2_in(rootfd, b->dst, O_PATH)) < 0) {
			report(ctl, "umount:%s: %s", b->dst, strerror(errno));
			return -1;
		}
		/* umount2 does not take an fd: the same place by name under rootfs
		 * (cwd is the runtime dir), checked to be what the confined lookup found */
		{
			struct stat sa, sb;

			if (snprintf(path, sizeof(path), "rootfs%s", b->dst) >= (int)sizeof(path) || fstat(fd, &sa) ||
			    lstat(path, &sb) || sa.st_dev != sb.st_dev || sa.st_ino != sb.st_ino) {
				report(ctl, "umount:%s: not a mount point in the image", b->dst);
				close(fd);
				return -1;
			}
		}
		if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW)) {
			report(ctl, "umount:%s: %s", b->dst, errno == EINVAL ? "nothing is mounted there" : strerror(errno));
			close(fd);
			return -1;
		}
		break;
	default:
		if (bind_in(rootfd, b->src_fd, NULL, b->dst, b->is_dir, b->readonly, ctl, b->device && !(b->flags & MS_NODEV),
			    b->flags & MS_NOEXEC))
			return -1;
		if (!b->propagation)
			return 0;
		if ((fd = openat2_in(rootfd, b->dst, O_PATH)) < 0 || mount_fd(NULL, -1, fd, NULL, b->propagation, NULL)) {
			report(ctl, "%s: propagation: %s", b->dst, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

/* Always with an upper dir: mount points for binds must be creatable even
 * when the container is read-only (build() makes it so at the end). */
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
	return bind_in(rootfd, -1, out, path, 0, 1, ctl, 0, 0);
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
	char err[512];
	int rootfd, fd;

	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL)) {
		report(ctl, "new mount namespace: %s", strerror(errno));
		return -1;
	}
	/* with a user namespace, they are made in it instead (remap_child), so the user may join them */
	if (!s->remap_root && unshare_others(s->unshare)) {
		report(ctl, "--container-unshare: %s", strerror(errno));
		return -1;
	}
	if (chdir(s->runtime)) {
		report(ctl, "runtime directory %s: %s", s->runtime, strerror(errno));
		return -1;
	}
	if (rootfs_overlay(s, err, sizeof(err))) {
		report(ctl, "%s", err);
		return -1;
	}
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
		if (bind_in(rootfd, -1, host[i].src, host[i].dst, host[i].is_dir, host[i].ro, ctl, host[i].devices, 0))
			return -1;
	}
	if ((s->passwd_line && add_id_line(rootfd, "/etc/passwd", s->passwd_line, "passwd", ctl)) ||
	    (s->group_line && add_id_line(rootfd, "/etc/group", s->group_line, "group", ctl)))
		return -1;
	for (size_t i = 0; i < s->nbinds; i++)
		if (user_mount(rootfd, &s->binds[i], ctl))
			return -1;
	close(rootfd);
	if (rootfs_run_hooks(s, err, sizeof(err))) {
		report(ctl, "%s", err);
		return -1;
	}
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

/* The mount namespace (and user namespace) of h->ns_pid, an octo-container process. */
static int open_ns(rootfs_holder_t *h, int remap_root, int unshare, char *err, size_t errlen)
{
	char path[64], comm[32] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)h->ns_pid);
	if (h->ns_pid <= 0 || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "the container's process is gone");
		return -1;
	}
	n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	comm[n > 0 ? n : 0] = '\0';
	if (strcmp(comm, "octo-container\n")) {
		snprintf(err, errlen, "process %d is not a container's", (int)h->ns_pid);
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)h->ns_pid);
	if ((h->ns_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)h->ns_pid);
	if (remap_root && (h->user_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < ROOTFS_NS_KINDS; i++) {
		if (!(unshare & ns_kinds[i].flag))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)h->ns_pid, ns_kinds[i].name);
		if ((h->other_fd[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* The step's own net/ipc/uts namespaces, for a task that is joining. */
static int join_others(const rootfs_holder_t *h, char *err, size_t errlen)
{
	for (int i = 0; i < ROOTFS_NS_KINDS; i++)
		if (h->other_fd[i] >= 0 && setns(h->other_fd[i], ns_kinds[i].clone)) {
			snprintf(err, errlen, "joining the container's %s namespace: %s", ns_kinds[i].name, strerror(errno));
			return -1;
		}
	return 0;
}

/*
 * --container-remap-root: a child that becomes the user and unshares a user
 * namespace (owned by the user, so their tasks may join it) and a mount
 * namespace in it, a copy of the container's with every mount locked.
 * The holder maps the user to 0 in it. Returns the child's pid, or -1.
 */
static pid_t remap_child(const rootfs_spec_t *s, int hold, int ctl)
{
	int sync[2];
	char c = 0;
	pid_t pid;

	if (pipe2(sync, O_CLOEXEC) || (pid = fork()) < 0) {
		report(ctl, "--container-remap-root: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(sync[0]);
		c = 'k';
		if (setgroups(0, NULL) || setresgid(s->gid, s->gid, s->gid) || setresuid(s->uid, s->uid, s->uid) ||
		    prctl(PR_SET_PDEATHSIG, SIGKILL) || unshare(CLONE_NEWUSER | CLONE_NEWNS) || unshare_others(s->unshare))
			c = 'e';
		(void)!write(sync[1], &c, 1);
		if (c == 'e')
			_exit(1);
		/* hold only the namespaces, as the holder does */
		if (hold > 0)
			close_range(0, (unsigned)hold - 1, 0);
		close_range((unsigned)hold + 1, ~0U, 0);
		while (read(hold, &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(sync[1]);
	if (read(sync[0], &c, 1) != 1 || c != 'k') {
		close(sync[0]);
		report(ctl, "--container-remap-root: cannot create a user namespace as the user (is "
			    "user.max_user_namespaces 0 on this node?)");
		return -1;
	}
	close(sync[0]);
	/* setgroups stays denied: dropping a group must not get past a deny-by-group ACL */
	if (userns_map_one(pid, s->uid, s->gid)) {
		report(ctl, "--container-remap-root: mapping the user namespace: %s", strerror(errno));
		return -1;
	}
	return pid;
}

int rootfs_start(const rootfs_spec_t *spec, rootfs_holder_t *h, char *err, size_t errlen)
{
	int status[2], hold[2];
	char msg[512] = "";
	ssize_t n;

	h->pid = h->ns_pid = -1;
	h->ns_fd = h->ctl_fd = h->user_fd = -1;
	for (int i = 0; i < ROOTFS_NS_KINDS; i++)
		h->other_fd[i] = -1;
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
		char c, ready[32];
		pid_t child = -1;

		close(status[0]);
		close(hold[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, "octo-container");
		if (build(spec, status[1]))
			_exit(1);
		if (spec->remap_root && (child = remap_child(spec, hold[0], status[1])) < 0)
			_exit(1);
		/* ready: a NUL, then whose namespaces to open */
		ready[0] = '\0';
		n = snprintf(ready + 1, sizeof(ready) - 1, "%d", child > 0 ? (int)child : (int)getpid());
		(void)!write(status[1], ready, (size_t)n + 2);
		/* hold only the namespace: none of slurmstepd's fds (job I/O) */
		if (hold[0] > 0)
			close_range(0, (unsigned)hold[0] - 1, 0);
		close_range((unsigned)hold[0] + 1, ~0U, 0);
		/* hold the namespace until the step closes the other end */
		while (read(hold[0], &c, 1) < 0 && errno == EINTR)
			;
		if (child > 0)
			waitpid(child, NULL, 0);
		_exit(0);
	}
	close(status[1]);
	close(hold[0]);
	h->ctl_fd = hold[1];
	n = read(status[0], msg, sizeof(msg) - 1);
	close(status[0]);
	if (n <= 1 || msg[0]) {
		msg[n > 0 ? n : 0] = '\0';
		snprintf(err, errlen, "%s", n > 0 && msg[0] ? msg : "the container setup process died");
		rootfs_stop(h, NULL);
		return -1;
	}
	msg[n] = '\0';
	h->ns_pid = (pid_t)atoi(msg + 1);
	if (open_ns(h, spec->remap_root, spec->unshare, err, errlen)) {
		rootfs_stop(h, NULL);
		return -1;
	}
	return 0;
}

int rootfs_attach(pid_t ns_pid, int remap_root, int unshare, rootfs_holder_t *h, char *err, size_t errlen)
{
	h->pid = -1;
	h->ctl_fd = h->ns_fd = h->user_fd = -1;
	for (int i = 0; i < ROOTFS_NS_KINDS; i++)
		h->other_fd[i] = -1;
	h->ns_pid = ns_pid;
	if (open_ns(h, remap_root, unshare, err, errlen)) {
		rootfs_stop(h, NULL);
		return -1;
	}
	return 0;
}

int rootfs_join_user(const rootfs_holder_t *h, char *err, size_t errlen)
{
	char cwd[PATH_MAX];
	int have_cwd = getcwd(cwd, sizeof(cwd)) != NULL;

	if (setns(h->user_fd, CLONE_NEWUSER)) {
		snprintf(err, errlen, "joining the container (--container-remap-root): %s", strerror(errno));
		return -1;
	}
	if (join_others(h, err, errlen))
		return -1;
	if (setns(h->ns_fd, CLONE_NEWNS)) {
		snprintf(err, errlen, "joining the container (--container-remap-root): %s", strerror(errno));
		return -1;
	}
	/* entering a mount namespace moves to its root; the task's directory,
	 * where it is in the container too, is where Slurm put it */
	if (!have_cwd || chdir(cwd))
		(void)!chdir("/");
	return 0;
}

int rootfs_join(const rootfs_holder_t *h, char *err, size_t errlen)
{
	if (join_others(h, err, errlen))
		return -1;
	if (setns(h->ns_fd, CLONE_NEWNS)) {
		snprintf(err, errlen, "joining the container: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void rootfs_stop(rootfs_holder_t *h, const char *runtime)
{
	if (h->user_fd >= 0)
		close(h->user_fd);
	h->user_fd = -1;
	for (int i = 0; i < ROOTFS_NS_KINDS; i++) {
		if (h->other_fd[i] >= 0)
			close(h->other_fd[i]);
		h->other_fd[i] = -1;
	}
	if (h->ns_fd >= 0)
		close(h->ns_fd);
	if (h->ctl_fd >= 0)
		close(h->ctl_fd);
	if (h->pid > 0)
		waitpid(h->pid, NULL, 0);
	h->pid = h->ns_pid = h->ns_fd = h->ctl_fd = -1;
	if (runtime && runtime[0] == '/')
		fs_remove_at(AT_FDCWD, runtime);
}
