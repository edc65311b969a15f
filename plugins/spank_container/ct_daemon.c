/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "ct_daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "errf.h"

/* the job's variables that say where the user's daemon or storage is */
static int passes(const char *kv)
{
	static const char *const prefixes[] = { "DOCKER_HOST=", "DOCKER_CONFIG=", "DOCKER_CONTEXT=", "CONTAINER_HOST=",
						"CONTAINERS_", "XDG_RUNTIME_DIR=", "XDG_DATA_HOME=", "XDG_CONFIG_HOME=" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(kv, prefixes[i], strlen(prefixes[i])))
			return 1;
	return 0;
}

/* Sleeps out the bound, then kills the tool's process group and exits 1; killed itself when the tool ended in time. */
static void __attribute__((noreturn)) watchdog(pid_t group, unsigned timeout_s)
{
	struct timespec left = { (time_t)timeout_s, 0 };

	while (nanosleep(&left, &left) && errno == EINTR)
		;
	kill(-group, SIGKILL);
	_exit(1);
}

/* The child of a multithreaded slurmstepd: system calls only up to exec. */
static void __attribute__((noreturn))
run_child(const ct_daemon_user_t *u, int out, int errfd, char *const *argv, char *const *envp)
{
	sigset_t none;
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(120);
	close_range(3, ~0U, 0);
	if (setgroups(u->ngroups, u->groups) || setgid(u->gid) || setuid(u->uid) || setuid(0) == 0)
		_exit(121);
	if (!u->home || chdir(u->home))
		(void)!chdir("/");
	/* a group of its own: the watchdog ends whatever it started too */
	if (setpgid(0, 0))
		_exit(120);
	execve(argv[0], argv, envp);
	(void)!write(2, "cannot run the tool\n", 20);
	_exit(127);
}

int ct_daemon_save_start(const img_ref_t *ref, const ct_daemon_user_t *u, ct_daemon_run_t *run, char *err,
			 size_t errlen)
{
	const int podman = ref->source == IMG_PODMAN;
	const char *tool = podman ? u->podman : u->docker;
	char *argv[7], *envp[CT_DAEMON_ENV_MAX + 5];
	char home[PATH_MAX + 8], user_rt[64], path_kv[] = "PATH=/usr/local/bin:/usr/bin:/bin";
	int pipefd[2];
	size_t n = 0;
	struct stat sb;

	run->pid = run->watchdog = -1;
	run->out = run->errfd = -1;
	run->timeout_s = u->timeout_s;
	snprintf(run->tool, sizeof(run->tool), "%s", podman ? "podman" : "docker");
	if (!tool || tool[0] != '/')
		return errf(err, errlen, "--container-image=%s://%s: this site does not import from %s (%s= in "
					 "plugstack.conf); save the image to a file and use oci-archive:/path",
			    podman ? "podman" : "dockerd", ref->path, run->tool, run->tool);
	if (access(tool, X_OK))
		return errf(err, errlen, "--container-image=%s://%s: %s is not on this node (%s): ask your admin",
			    podman ? "podman" : "dockerd", ref->path, tool, strerror(errno));
	/* the argument vector and environment are built here: the child only makes system calls */
	argv[n++] = (char *)tool;
	if (podman) {
		argv[n++] = "image";
		argv[n++] = "save";
		argv[n++] = "--format=oci-archive";
	} else {
		argv[n++] = "save";
	}
	argv[n++] = (char *)ref->path;
	argv[n] = NULL;
	n = 0;
	envp[n++] = path_kv;
	if (u->home) {
		snprintf(home, sizeof(home), "HOME=%s", u->home);
		envp[n++] = home;
	}
	/* rootless podman keeps its state under the user's runtime directory when there is one */
	snprintf(user_rt, sizeof(user_rt), "XDG_RUNTIME_DIR=/run/user/%u", (unsigned)u->uid);
	if (!stat(user_rt + strlen("XDG_RUNTIME_DIR="), &sb) && S_ISDIR(sb.st_mode) && sb.st_uid == u->uid)
		envp[n++] = user_rt;
	for (char *const *e = u->job_env; e && *e && n < CT_DAEMON_ENV_MAX + 3; e++)
		if (passes(*e)) {
			/* the job's own XDG_RUNTIME_DIR wins over the guess above */
			if (!strncmp(*e, "XDG_RUNTIME_DIR=", 16) && envp[n - 1] == user_rt)
				n--;
			envp[n++] = *e;
		}
	envp[n] = NULL;

	if ((run->errfd = memfd_create("octopus-daemon-save", MFD_CLOEXEC)) < 0 || pipe2(pipefd, O_CLOEXEC))
		goto fail;
	run->pid = fork();
	if (run->pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		goto fail;
	}
	if (run->pid == 0)
		run_child(u, pipefd[1], run->errfd, argv, envp);
	close(pipefd[1]);
	run->out = pipefd[0];
	(void)setpgid(run->pid, run->pid);      /* whichever of the two runs first */
	if ((run->watchdog = fork()) == 0)
		watchdog(run->pid, u->timeout_s);
	return 0;
fail:
	errf(err, errlen, "--container-image=%s://%s: starting %s: %s", podman ? "podman" : "dockerd", ref->path,
	     run->tool, strerror(errno));
	if (run->errfd >= 0)
		close(run->errfd);
	run->errfd = -1;
	return -1;
}

/* The last non-empty line of what the tool wrote to stderr, at most len - 1 bytes. */
static void last_line(int fd, char *out, size_t len)
{
	char buf[4096];
	off_t size = lseek(fd, 0, SEEK_END);
	off_t from = size > (off_t)sizeof(buf) - 1 ? size - (off_t)sizeof(buf) + 1 : 0;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, from);
	char *end, *start;

	out[0] = '\0';
	if (n <= 0)
		return;
	buf[n] = '\0';
	end = buf + n;
	while (end > buf && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		*--end = '\0';
	start = end;
	while (start > buf && start[-1] != '\n')
		start--;
	for (char *p = start; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	n = (ssize_t)strlen(start);
	if ((size_t)n >= len)
		n = (ssize_t)len - 1;
	memcpy(out, start, (size_t)n);
	out[n] = '\0';
}

int ct_daemon_save_finish(ct_daemon_run_t *run, char *err, size_t errlen)
{
	char said[512];
	int status = 0, dog = 0, rc = 0;

	if (run->out >= 0)
		close(run->out);        /* a tool still writing gets EPIPE and ends */
	run->out = -1;
	if (run->pid > 0) {
		while (waitpid(run->pid, &status, 0) < 0 && errno == EINTR)
			;
		/* the watchdog's verdict: exit 1 if it fired, else it is ended here */
		if (run->watchdog > 0) {
			kill(run->watchdog, SIGKILL);
			while (waitpid(run->watchdog, &dog, 0) < 0 && errno == EINTR)
				;
		}
		last_line(run->errfd, said, sizeof(said));
		if (run->watchdog > 0 && WIFEXITED(dog) && WEXITSTATUS(dog) == 1)
			rc = errf(err, errlen, "%s did not finish saving the image within %u s (daemon_timeout=)",
				  run->tool, run->timeout_s);
		else if (WIFSIGNALED(status))
			rc = errf(err, errlen, "%s was killed by signal %d while saving the image%s%s", run->tool,
				  WTERMSIG(status), said[0] ? ": " : "", said);
		else if (WEXITSTATUS(status) == 121)
			rc = errf(err, errlen, "could not become the job's user to run %s", run->tool);
		else if (WEXITSTATUS(status))
			rc = errf(err, errlen, "%s could not save the image (exit %d)%s%s", run->tool,
				  WEXITSTATUS(status), said[0] ? ": " : "", said);
	} else if (run->watchdog > 0) {
		kill(run->watchdog, SIGKILL);
		while (waitpid(run->watchdog, &dog, 0) < 0 && errno == EINTR)
			;
	}
	run->pid = run->watchdog = -1;
	if (run->errfd >= 0)
		close(run->errfd);
	run->errfd = -1;
	return rc;
}
