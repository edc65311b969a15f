/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * octopus-file-broker - file work the bridge may not do with its own
 * rights, done with the *user's*: reading a job's output, and making or
 * removing a volume directory. Runs as root, answers one uid (the
 * bridge's, checked by SO_PEERCRED) on a 0600 socket, and for every
 * request forks a child that becomes the user (groups, gid, uid) before it
 * touches a path. Whatever the user could not do at a shell, the broker
 * cannot do for them. Requests run side by side (at most MAX_CHILDREN, each
 * at most 20 s), so one slow read does not hold up everyone's.
 *
 *   octopus-file-broker --socket PATH --client-user USER --volume-root DIR
 *                       [--min-uid N] [--max-uid N] [--slurm-user NAME] [--deny a,b]
 *
 * One request per connection, one line:
 *   READ <user> <offset> <limit> <path>   ->  OK <size> <n>\n then n bytes
 *   MKVOL <user> <name>                   ->  OK <path>\n
 *   RMVOL <user> <name>                   ->  OK <path>\n
 * or ERR <code> <message>\n (codes: bad_request refused not_found denied
 * exists not_empty internal).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "priv_drop.h"
#include "unix_service.h"
#include "user_policy.h"

#define MAX_READ (1 << 20)
#define MAX_CHILDREN 16

/* the requests being served, for the count and for the log line at the end */
static struct {
	pid_t pid;
	char what[160];
} children[MAX_CHILDREN];
static int nchildren;

static void reap(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (int i = 0; i < MAX_CHILDREN; i++) {
			if (children[i].pid != pid)
				continue;
			if (WIFSIGNALED(status))        /* the child's own line never came */
				svc_log("%s: killed by signal %d (20 s limit: SIGALRM)",
					children[i].what[0] ? children[i].what : "READ", WTERMSIG(status));
			children[i].pid = 0;
			nchildren--;
			break;
		}
}

static uid_t client_uid;
static user_policy_t policy;
static char volume_root[512];

static void do_read(int fd, const char *path, long long off, long long lim)
{
	int f = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	char *buf;
	ssize_t n;

	if (f < 0) {
		svc_say(fd, "ERR %s %s: %s\n", errno == ENOENT ? "not_found" : "denied", path, strerror(errno));
		return;
	}
	if (fstat(f, &st) || !S_ISREG(st.st_mode)) {
		svc_say(fd, "ERR denied %s is not a regular file\n", path);
		close(f);
		return;
	}
	if (off > st.st_size)
		off = st.st_size;
	if (!(buf = malloc((size_t)lim ? (size_t)lim : 1))) {
		svc_say(fd, "ERR internal out of memory\n");
		close(f);
		return;
	}
	n = lim ? pread(f, buf, (size_t)lim, off) : 0;
	close(f);
	if (n < 0) {
		svc_say(fd, "ERR denied %s: %s\n", path, strerror(errno));
		free(buf);
		return;
	}
	svc_say(fd, "OK %lld %zd\n", (long long)st.st_size, n);
	for (ssize_t done = 0; done < n;) {
		ssize_t w = write(fd, buf + done, (size_t)(n - done));

		if (w <= 0)
			break;
		done += w;
	}
	free(buf);
}

/* A directory path as the user resolves it, links followed: the bridge
 * cannot do it itself where homes are 0700 (Debian 13's default), and
 * must not: what the user cannot reach is no working directory of theirs */
static int do_resolve(int fd, const char *path)
{
	char real[PATH_MAX];
	struct stat st;

	/* resolvable is not enough: a working directory is one the user can enter */
	if (!realpath(path, real) || stat(real, &st) || (S_ISDIR(st.st_mode) && access(real, X_OK))) {
		svc_say(fd, "ERR %s %s: %s\n", errno == ENOENT ? "not_found" : "denied", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		svc_say(fd, "ERR not_dir %s: not a directory\n", path);
		return -1;
	}
	if (strchr(real, '\n')) {
		svc_say(fd, "ERR denied %s: a newline in the path\n", path);
		return -1;
	}
	svc_say(fd, "OK %s\n", real);
	return 0;
}

static int rm_one(const char *p, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return (type == FTW_DP ? rmdir(p) : unlink(p)) ? -1 : 0;
}

/* The child's work, as the user. */
/* 0 when the work was done (an OK went back), -1 when it was refused */
static int as_user(int fd, const char *op, const struct passwd *pw, const char *arg, long long off, long long lim)
{
	char path[1024];

	if (!strcmp(op, "READ")) {
		do_read(fd, arg, off, lim);
		return 0;
	}
	if (!strcmp(op, "RESOLVE"))
		return do_resolve(fd, arg);
	snprintf(path, sizeof(path), "%s/%s/%.63s", volume_root, pw->pw_name, arg);
	if (!strcmp(op, "MKVOL")) {
		if (mkdir(path, 0750)) {
			svc_say(fd, "ERR %s %s: %s\n", errno == EEXIST ? "exists" : "denied", path, strerror(errno));
			return -1;
		}
		/* the line goes out before the OK, so whoever got the OK finds it */
		svc_log("MKVOL %s %s: done", pw->pw_name, arg);
		svc_say(fd, "OK %s\n", path);
		return 0;
	}
	/* RMVOL: depth first, never following links or crossing mounts */
	if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT)) {
		svc_say(fd, "ERR %s %s: %s\n", errno == ENOENT ? "not_found" : "denied", path, strerror(errno));
		return -1;
	}
	svc_log("RMVOL %s %s: done", pw->pw_name, arg);
	svc_say(fd, "OK %s\n", path);
	return 0;
}

/* <root>/<user>: made by root, owned by the user, on first use */
static int user_dir(const struct passwd *pw, char *why, size_t wl)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", volume_root, pw->pw_name);
	if (!lstat(path, &st)) {
		if (!S_ISDIR(st.st_mode) || st.st_uid != pw->pw_uid) {
			snprintf(why, wl, "%s is not a directory owned by %s", path, pw->pw_name);
			return -1;
		}
		return 0;
	}
	/* 0711: others may pass through (the bridge resolves paths), not list */
	if (mkdir(path, 0711) || chown(path, pw->pw_uid, pw->pw_gid)) {
		snprintf(why, wl, "%s: %s", path, strerror(errno));
		rmdir(path);
		return -1;
	}
	return 0;
}

static void serve(int fd, void *arg)
{
	char req[1400], op[8], user[UP_NAME_MAX + 8], arg1[1100], why[1200];
	struct ucred cred;
	long long off = 0, lim = 0;
	size_t got;
	struct passwd *pw;
	uid_t uid;
	pid_t pid;
	int slot;

	(void)arg;
	if (!svc_peer_ok(fd, client_uid, &cred)) {
		svc_say(fd, "ERR refused this socket serves uid %u only\n", (unsigned)client_uid);
		return;
	}
	got = svc_read_line(fd, req, sizeof(req), 2000);
	if (!got || req[got - 1] != '\n' || memchr(req, '\0', got)) {
		svc_say(fd, "ERR bad_request one line ending in a newline\n");
		return;
	}
	req[got - 1] = '\0';
	if (sscanf(req, "%7s %40s", op, user) != 2) {
		svc_say(fd, "ERR bad_request expected OP USER ...\n");
		return;
	}
	if (!strcmp(op, "RESOLVE")) {
		int used = 0;

		if (sscanf(req, "%*s %*s %n", &used) != 0 || !used || req[used] != '/' || strlen(req + used) >= sizeof(arg1)) {
			svc_say(fd, "ERR bad_request RESOLVE USER /ABSOLUTE/PATH\n");
			return;
		}
		snprintf(arg1, sizeof(arg1), "%s", req + used);
	} else if (!strcmp(op, "READ")) {
		int used = 0;

		if (sscanf(req, "%*s %*s %lld %lld %n", &off, &lim, &used) != 2 || !used || off < 0 || lim < 0 ||
		    lim > MAX_READ || req[used] != '/' || strlen(req + used) >= sizeof(arg1)) {
			svc_say(fd, "ERR bad_request READ USER OFFSET LIMIT(<=%d) /ABSOLUTE/PATH\n", MAX_READ);
			return;
		}
		snprintf(arg1, sizeof(arg1), "%s", req + used);
	} else if (!strcmp(op, "MKVOL") || !strcmp(op, "RMVOL")) {
		if (sscanf(req, "%*s %*s %1099s", arg1) != 1 || !volume_name_valid(arg1)) {
			svc_say(fd, "ERR bad_request a volume name is [a-z0-9][a-z0-9_.-]{0,62}\n");
			return;
		}
	} else {
		svc_say(fd, "ERR bad_request unknown operation %s\n", op);
		return;
	}
	if (user_policy_check(&policy, user, &uid, why, sizeof(why))) {
		svc_say(fd, "ERR refused %s\n", why);
		svc_log("refused %s %s: %s", op, user, why);
		return;
	}
	if (!(pw = getpwnam(user))) {
		svc_say(fd, "ERR refused user %s vanished\n", user);
		return;
	}
	if (strcmp(op, "READ") && strcmp(op, "RESOLVE") && user_dir(pw, why, sizeof(why))) {
		svc_say(fd, "ERR internal %s\n", why);
		svc_log("%s %s: %s", op, user, why);
		return;
	}
	reap();
	for (slot = 0; slot < MAX_CHILDREN && children[slot].pid; slot++)
		;
	if (slot == MAX_CHILDREN) {
		svc_say(fd, "ERR busy %d requests are being served; try again\n", MAX_CHILDREN);
		return;
	}
	if ((pid = fork()) < 0) {
		svc_say(fd, "ERR internal fork: %s\n", strerror(errno));
		return;
	}
	if (!pid) {
		alarm(20);
		if (priv_drop(pw, 1)) {
			svc_say(fd, "ERR internal cannot become %s\n", user);
			_exit(1);
		}
		if (as_user(fd, op, pw, arg1, off, lim)) {
			if (strcmp(op, "READ") && strcmp(op, "RESOLVE"))
				svc_log("%s %s %s: refused", op, user, arg1);
			_exit(1);
		}
		_exit(0);
	}
	children[slot].pid = pid;
	nchildren++;
	if (strcmp(op, "READ") && strcmp(op, "RESOLVE"))
		snprintf(children[slot].what, sizeof(children[slot].what), "%.7s %.40s %.63s", op, user, arg1);
	else
		children[slot].what[0] = '\0';
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, 0, 's' },      { "client-user", required_argument, 0, 'c' },
		{ "volume-root", required_argument, 0, 'v' }, { "min-uid", required_argument, 0, 'm' },
		{ "max-uid", required_argument, 0, 'M' },     { "slurm-user", required_argument, 0, 'u' },
		{ "deny", required_argument, 0, 'd' },        { 0, 0, 0, 0 },
	};
	const char *sock = NULL, *client = NULL;
	char why[300];
	struct passwd *pw;
	struct stat st;
	int c, lfd;

	user_policy_defaults(&policy);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 'c': client = optarg; break;
		case 'v': snprintf(volume_root, sizeof(volume_root), "%s", optarg); break;
		case 'm': policy.min_uid = (uid_t)strtoul(optarg, NULL, 10); break;
		case 'M': policy.max_uid = (uid_t)strtoul(optarg, NULL, 10); break;
		case 'u': snprintf(policy.slurm_user, sizeof(policy.slurm_user), "%s", optarg); break;
		case 'd':
			if (user_policy_set_deny(&policy, optarg, why, sizeof(why))) {
				fprintf(stderr, "octopus-file-broker: --deny: %s\n", why);
				return 2;
			}
			break;
		default:
			fprintf(stderr, "usage: octopus-file-broker --socket PATH --client-user USER --volume-root DIR\n"
					"           [--min-uid N] [--max-uid N] [--slurm-user NAME] [--deny a,b]\n");
			return 2;
		}
	}
	if (!sock || !client || !volume_root[0] || optind != argc) {
		fprintf(stderr, "octopus-file-broker: --socket, --client-user and --volume-root are required\n");
		return 2;
	}
	if (geteuid()) {
		fprintf(stderr, "octopus-file-broker: runs as root (it becomes each user in turn)\n");
		return 1;
	}
	if (!(pw = getpwnam(client))) {
		fprintf(stderr, "octopus-file-broker: --client-user %s does not exist\n", client);
		return 2;
	}
	client_uid = pw->pw_uid;
	if (volume_root[0] != '/' || lstat(volume_root, &st) || !S_ISDIR(st.st_mode) || st.st_uid ||
	    (st.st_mode & 022)) {
		fprintf(stderr, "octopus-file-broker: --volume-root %s must be a directory owned by root, not group- or world-writable\n",
			volume_root);
		return 1;
	}
	svc_init("octopus-file-broker");
	if ((lfd = svc_listen(sock, client_uid)) < 0)
		return 1;
	svc_log("serving %s for uid %u (%s); volumes in %s", sock, (unsigned)client_uid, client, volume_root);
	svc_loop(lfd, sock, serve, reap, NULL);
	while (nchildren > 0 && waitpid(-1, NULL, 0) > 0)
		nchildren--;
	svc_log("stopped");
	return 0;
}
