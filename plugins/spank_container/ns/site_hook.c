/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "site_hook.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OUT_KEEP 256            /* the first bytes of output, for the user */
#define POLL_SLICE_MS 100

int site_hook_trusted(const struct stat *sb)
{
	return sb->st_uid == 0 && !(sb->st_mode & (S_IWGRP | S_IWOTH));
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The child of a holder forked from multithreaded slurmstepd: only
 * async-signal-safe calls from here to exec (no malloc, no stdio).
 */
static void __attribute__((noreturn))
exec_hook(int fd, int out, int in, char *const *argv, char *const *envp)
{
	struct sigaction dfl;
	sigset_t none;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		(void)sigaction(s, &dfl, NULL);         /* fails for KILL, STOP: fine */
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	(void)setpgid(0, 0);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(126);
	/* slurmstepd is OOM-immune (-1000); a hook should not be */
	int oom = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	if (oom >= 0) {
		(void)!write(oom, "0", 1);
		close(oom);
	}
	/* a script's interpreter opens /dev/fd/N: that fd must survive exec */
	if (fcntl(fd, F_SETFD, 0) < 0)
		_exit(126);
	syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
	_exit(127);
}

int site_hook_exec(int fd, const char *name, char *const *argv, char *const *envp, int stdin_fd, unsigned timeout_s,
		   char *err, size_t errlen)
{
	char out[OUT_KEEP] = "", sink[4096];
	size_t n = 0;
	int pipefd[2], in, status = 0, exited = 0, eof = 0;
	long long deadline = now_ms() + (long long)timeout_s * 1000;
	pid_t pid;

	if ((in = stdin_fd >= 0 ? fcntl(stdin_fd, F_DUPFD_CLOEXEC, 3) : open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: its input: %s", name, strerror(errno));
		return -1;
	}
	if (pipe2(pipefd, O_CLOEXEC)) {
		snprintf(err, errlen, "%s: pipe: %s", name, strerror(errno));
		close(in);
		return -1;
	}
	if ((pid = fork()) < 0) {
		snprintf(err, errlen, "%s: fork: %s", name, strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		close(in);
		return -1;
	}
	if (pid == 0)
		exec_hook(fd, pipefd[1], in, argv, envp);
	(void)setpgid(pid, pid);        /* both sides: whichever runs first */
	close(pipefd[1]);
	close(in);

	while (!(exited && eof)) {
		long long left = deadline - now_ms();
		struct pollfd p = { .fd = pipefd[0], .events = POLLIN };

		if (left <= 0)
			break;
		if (poll(&p, eof ? 0 : 1, (int)(left < POLL_SLICE_MS ? left : POLL_SLICE_MS)) > 0) {
			ssize_t r = n < sizeof(out) - 1 ? read(pipefd[0], out + n, sizeof(out) - 1 - n)
							: read(pipefd[0], sink, sizeof(sink));

			if (r > 0 && n < sizeof(out) - 1)
				n += (size_t)r;
			else if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
				eof = 1;
		}
		if (!exited && waitpid(pid, &status, WNOHANG) == pid)
			exited = 1;
	}
	close(pipefd[0]);
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	/* whatever the hook left behind goes with it */
	(void)kill(-pid, SIGKILL);
	if (!exited) {
		(void)kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		snprintf(err, errlen, "%s did not finish within %u s and was killed%s%s", name,
			 timeout_s, out[0] ? "; its output: " : "", out);
		return -1;
	}
	if (!eof) {
		snprintf(err, errlen,
			 "%s exited but a process it started kept its output open for %u s; that process was killed%s%s",
			 name, timeout_s, out[0] ? "; its output: " : "", out);
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(err, errlen, "%s failed (%s %d)%s%s", name, WIFEXITED(status) ? "exit" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), out[0] ? ": " : "", out);
		return -1;
	}
	return 0;
}

/* env + OCTOPUS_ROOTFS, built before any fork. */
static char **hook_env(char *const *env, char *root_env)
{
	size_t ne = 0;
	char **e;

	while (env && env[ne])
		ne++;
	if (!(e = calloc(ne + 2, sizeof(*e))))
		return NULL;
	for (size_t i = 0; i < ne; i++)
		e[i] = env[i];
	e[ne] = root_env;
	return e;
}

int site_hooks_run(const char *dir, char *const *env, const char *rootfs, unsigned timeout_s, char *err,
		   size_t errlen)
{
	struct dirent **names = NULL;
	struct stat sb;
	char root_env[PATH_MAX + 16];
	char **envp = NULL;
	int dfd, n, rc = 0;

	if (!dir || !dir[0])
		return 0;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "hooks directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (fstat(dfd, &sb) || !site_hook_trusted(&sb)) {
		snprintf(err, errlen, "hooks directory %s must be root's and not group/world-writable", dir);
		close(dfd);
		return -1;
	}
	snprintf(root_env, sizeof(root_env), "OCTOPUS_ROOTFS=%s", rootfs);
	if (!(envp = hook_env(env, root_env)) || (n = scandirat(dfd, ".", &names, NULL, by_name)) < 0) {
		snprintf(err, errlen, "hooks directory %s: %s", dir, strerror(errno));
		free(envp);
		close(dfd);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		int fd;

		/* O_NONBLOCK: a FIFO planted here must not hang the open */
		if (!rc && name[0] != '.' &&
		    (fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)) >= 0) {
			if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || !(sb.st_mode & S_IXUSR))
				;       /* not a hook: README files and the like */
			else if (!site_hook_trusted(&sb)) {
				snprintf(err, errlen, "site hook %s/%s must be root's and not group/world-writable",
					 dir, name);
				rc = -1;
			} else {
				char *argv[] = { (char *)name, (char *)rootfs, NULL }, what[NAME_MAX + 16];

				snprintf(what, sizeof(what), "site hook %s", name);
				rc = site_hook_exec(fd, what, argv, envp, -1, timeout_s, err, errlen);
			}
			close(fd);
		}
		free(names[i]);
	}
	free(names);
	free(envp);
	close(dfd);
	return rc;
}
