/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "ct_save.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errf.h"
#include "ns/rootfs.h"

/* what went wrong in the child, without stdio or malloc: "why (errno N)" */
static void __attribute__((noreturn)) child_fail(const char *why, int code)
{
	char num[16];
	int e = errno, i = (int)sizeof(num);

	num[--i] = '\0';
	do
		num[--i] = (char)('0' + e % 10);
	while ((e /= 10) && i > 0);
	(void)!write(2, why, strlen(why));
	(void)!write(2, " (errno ", 8);
	(void)!write(2, num + i, strlen(num + i));
	(void)!write(2, ")\n", 2);
	_exit(code);
}

/*
 * The child of a multithreaded slurmstepd: system calls only up to exec.
 * Into the container's mount namespace for a handle on its root, back to
 * the node's, then the user for good.
 */
static void __attribute__((noreturn))
run_child(int ns, int host_ns, int out, int env_fd, const ct_save_user_t *u, char **argv)
{
	struct stat sb;
	static char *const envp[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	sigset_t none;
	int root, top;

	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(120);
	/* the Env file on fd 3, for mksquashfs' pseudo file "cat /proc/self/fd/3" */
	if (env_fd >= 0 && dup2(env_fd, 3) < 0)
		_exit(120);
	/*
	 * Only the root mount, cloned without what is mounted on it: -one-file-system
	 * alone lets mksquashfs 4.6 descend into the step's mounts (/proc, /tmp, home).
	 */
	if (setns(ns, CLONE_NEWNS) || (top = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (root = rootfs_detach_source(top, 1)) < 0)
		child_fail("entering the container's namespace", 121);
	if (setns(host_ns, CLONE_NEWNS) || setgroups(u->ngroups, u->groups) || setgid(u->gid) || setuid(u->uid) ||
	    setuid(0) == 0)
		child_fail("becoming the job's user", 122);
	if (fchdir(root))
		child_fail("entering the container's root", 123);
	/* mksquashfs drops the pseudo file too when -e names nothing in the source */
	if (env_fd >= 0 && fstatat(AT_FDCWD, "etc/environment", &sb, AT_SYMLINK_NOFOLLOW)) {
		argv[9] = argv[11];
		argv[10] = argv[12];
		argv[11] = NULL;
	}
	execve(argv[0], argv, envp);
	child_fail("running mksquashfs", 127);
}

/* NAME=VALUE lines in an anonymous file; its fd, or -1 with errno */
static int env_file(char *const *env, size_t n)
{
	int fd = memfd_create("octopus-save-env", MFD_CLOEXEC);

	for (size_t i = 0; fd >= 0 && i < n; i++) {
		size_t len = strlen(env[i]);

		if (strchr(env[i], '\n'))
			continue;
		if (write(fd, env[i], len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
			int e = errno;

			close(fd);
			errno = e ? e : EIO;
			return -1;
		}
	}
	return fd;
}

int ct_save_squashfs(pid_t ns_pid, const char *path, const char *cwd, const ct_save_user_t *u, char *err,
		     size_t errlen)
{
	char nspath[64], dest[PATH_MAX], first[256] = "", sink[4096];
	char *argv[] = { (char *)u->mksquashfs, ".", dest, "-noappend", "-no-progress", "-quiet", "-one-file-system",
			 "-all-root", "-no-xattrs", NULL, NULL, NULL, NULL, NULL };
	int ns, host_ns, pipefd[2], status = 0, env_fd = -1;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	if (access(u->mksquashfs, X_OK))
		return errf(err, errlen, "--container-save needs %s on the node (Debian: squashfs-tools): %s",
			    u->mksquashfs, strerror(errno));
	if (path[0] != '/' && (!cwd || cwd[0] != '/'))
		return errf(err, errlen, "--container-save=%s: a relative path needs the job's working directory", path);
	if (snprintf(dest, sizeof(dest), "%s%s%s", path[0] == '/' ? "" : cwd, path[0] == '/' ? "" : "/", path) >=
	    (int)sizeof(dest))
		return errf(err, errlen, "--container-save: the path is too long");
	if (u->nenv && (env_fd = env_file(u->env, u->nenv)) < 0)
		return errf(err, errlen, "--container-save: the image's environment: %s", strerror(errno));
	if (env_fd >= 0) {
		/* the source's own file makes way for the pseudo file */
		argv[9] = "-e";
		argv[10] = "etc/environment";
		argv[11] = "-p";
		argv[12] = "etc/environment f 644 0 0 cat /proc/self/fd/3";
	}
	snprintf(nspath, sizeof(nspath), "/proc/%d/ns/mnt", (int)ns_pid);
	if ((ns = open(nspath, O_RDONLY | O_CLOEXEC)) < 0) {
		int e = errno;

		if (env_fd >= 0)
			close(env_fd);
		return errf(err, errlen, "--container-save: the container is gone: %s", strerror(e));
	}
	if ((host_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC)) < 0 || pipe2(pipefd, O_CLOEXEC)) {
		int e = errno;

		close(ns);
		if (host_ns >= 0)
			close(host_ns);
		if (env_fd >= 0)
			close(env_fd);
		return errf(err, errlen, "--container-save: %s", strerror(e));
	}
	if ((pid = fork()) == 0)
		run_child(ns, host_ns, pipefd[1], env_fd, u, argv);
	close(pipefd[1]);
	close(ns);
	close(host_ns);
	if (env_fd >= 0)
		close(env_fd);
	if (pid < 0) {
		close(pipefd[0]);
		return errf(err, errlen, "--container-save: fork: %s", strerror(errno));
	}
	/* keep the first line for the user; read the rest so mksquashfs never blocks on a full pipe */
	while ((r = read(pipefd[0], n < sizeof(first) - 1 ? first + n : sink,
			 n < sizeof(first) - 1 ? sizeof(first) - 1 - n : sizeof(sink))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (n < sizeof(first) - 1)
			n += (size_t)r;
	}
	close(pipefd[0]);
	first[n] = '\0';
	first[strcspn(first, "\n")] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return errf(err, errlen, "--container-save=%s failed (%s %d)%s%s", path,
			    WIFEXITED(status) ? "exit" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
			    first[0] ? ": " : "", first);
	return 0;
}
