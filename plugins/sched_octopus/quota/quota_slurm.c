/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "quota_slurm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define OUT_MAX (16u * 1024 * 1024)

extern char **environ;

int qs_run(char *const argv[], char **out, char *err, size_t errlen)
{
	int po[2], pe[2], status;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	size_t len = 0, cap = 4096, elen = 0;
	char *buf = malloc(cap);
	struct pollfd fds[2];

	if (err && errlen)
		err[0] = '\0';
	po[0] = po[1] = pe[0] = pe[1] = -1;
	if (!buf || pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC)) {
		snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(errno));
		for (int i = 0; i < 2; i++) {
			if (po[i] >= 0)
				close(po[i]);
			if (pe[i] >= 0)
				close(pe[i]);
		}
		free(buf);
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ)) {
		snprintf(err, errlen, "cannot run %s: %s", argv[0], strerror(errno));
		posix_spawn_file_actions_destroy(&fa);
		close(po[0]); close(po[1]); close(pe[0]); close(pe[1]);
		free(buf);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	fds[0].fd = po[0];
	fds[1].fd = pe[0];
	fds[0].events = fds[1].events = POLLIN;
	while (fds[0].fd >= 0 || fds[1].fd >= 0) {
		if (poll(fds, 2, -1) < 0 && errno != EINTR)
			break;
		if (fds[0].fd >= 0 && fds[0].revents) {
			char tmp[4096];
			ssize_t r = read(fds[0].fd, tmp, sizeof(tmp));

			if (r <= 0) {
				close(fds[0].fd);
				fds[0].fd = -1;
			} else if (len + (size_t)r < OUT_MAX) {
				/* beyond OUT_MAX the rest is drained and dropped */
				if (len + (size_t)r + 1 > cap) {
					char *nb = realloc(buf, cap * 2 > len + (size_t)r + 1 ? cap * 2 : len + (size_t)r + 1);

					if (!nb) {
						close(fds[0].fd);
						fds[0].fd = -1;
						continue;
					}
					buf = nb;
					cap = cap * 2 > len + (size_t)r + 1 ? cap * 2 : len + (size_t)r + 1;
				}
				memcpy(buf + len, tmp, (size_t)r);
				len += (size_t)r;
			}
		}
		if (fds[1].fd >= 0 && fds[1].revents) {
			char tmp[1024];
			ssize_t r = read(fds[1].fd, tmp, sizeof(tmp));

			if (r <= 0) {
				close(fds[1].fd);
				fds[1].fd = -1;
			} else if (err && elen + 1 < errlen) {
				size_t n = (size_t)r < errlen - elen - 1 ? (size_t)r : errlen - elen - 1;

				memcpy(err + elen, tmp, n);
				elen += n;
				err[elen] = '\0';
			}
		}
	}
	/* a poll error leaves them open */
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	buf[len] = '\0';
	if (out)
		*out = buf;
	else
		free(buf);
	if (err && elen && err[elen - 1] == '\n')
		err[elen - 1] = '\0';
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Walk "license/mt_a=2,cpu=4" and call plan_touch/set for each mt_ entry. */
static int parse_tres(plan_t *p, const char *user, const char *account, const char *tres)
{
	const char *s = tres;

	while (s && *s) {
		const char *e = s + strcspn(s, ",");

		if (!strncmp(s, "license/mt_", 11)) {
			const char *eq = memchr(s, '=', (size_t)(e - s));
			char type[GL_NAME_MAX];
			size_t tl = eq ? (size_t)(eq - s - 11) : 0;

			if (eq && tl && tl < sizeof(type)) {
				plan_entry_t *pe;

				memcpy(type, s + 11, tl);
				type[tl] = '\0';
				if (plan_touch(p, user, account, type))
					return -1;
				pe = plan_find(p, user, account, type);
				pe->units += (uint32_t)strtoul(eq + 1, NULL, 10);
			}
		}
		s = *e ? e + 1 : e;
	}
	return 0;
}

int qs_read_limits(plan_t *current, char *err, size_t errlen)
{
	char *argv[] = { "sacctmgr", "-nP", "show", "assoc", "format=user,account,partition,grptres", NULL };
	char *out = NULL, *line, *save = NULL;
	int rc = qs_run(argv, &out, err, errlen);

	if (rc) {
		free(out);
		return -1;
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4];
		int n = 0;

		for (char *t = line; n < 4; n++) {
			f[n] = t;
			if (!(t = strchr(t, '|'))) {
				n++;
				break;
			}
			*t++ = '\0';
		}
		if (n < 4 || !f[0][0] || f[2][0])
			continue;       /* account rows and partition-specific rows */
		if (parse_tres(current, f[0], f[1], f[3])) {
			free(out);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	free(out);
	return 0;
}

int qs_set_limits(const char *user, const char *account, const char *spec, char *err, size_t errlen)
{
	/* sized to fit: a cut GrpTRES= list would set some types and drop the
	 * rest, and a cut name would change another association */
	char *name = NULL, *acct = NULL, *set = NULL;
	char *out = NULL;
	int rc = -1;

	if (asprintf(&name, "name=%s", user) < 0)
		name = NULL;
	else if (asprintf(&acct, "account=%s", account) < 0)
		acct = NULL;
	else if (asprintf(&set, "GrpTRES=%s", spec) < 0)
		set = NULL;
	if (!set) {
		snprintf(err, errlen, "out of memory");
	} else {
		char *argv[] = { "sacctmgr", "-i", "modify", "user", "where", name, acct, "set", set, NULL };

		rc = qs_run(argv, &out, err, errlen);
	}
	if (rc == 0 && out && strstr(out, "Nothing modified")) {
		snprintf(err, errlen, "user %s has no association on account %s (add it: sacctmgr add user %s account=%s)",
			 user, account, user, account);
		rc = 1;
	}
	free(out);
	free(name);
	free(acct);
	free(set);
	return rc;
}

int qs_running_units(const char *user, plan_t *used, char *err, size_t errlen)
{
	char u[128];
	char *argv[] = { "squeue", "-h", "-t", "R", u, "-o", "%a|%W", NULL };
	char *out = NULL, *line, *save = NULL;

	snprintf(u, sizeof(u), "--user=%s", user);
	if (qs_run(argv, &out, err, errlen)) {
		free(out);
		return -1;
	}
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *bar = strchr(line, '|'), *s;

		if (!bar)
			continue;
		*bar = '\0';
		for (s = bar + 1; *s;) {
			char *e = s + strcspn(s, ","), *colon;

			if (!strncmp(s, "mt_", 3) && (colon = memchr(s, ':', (size_t)(e - s)))) {
				char type[GL_NAME_MAX];
				size_t tl = (size_t)(colon - s - 3);

				if (tl && tl < sizeof(type)) {
					memcpy(type, s + 3, tl);
					type[tl] = '\0';
					if (!plan_touch(used, user, line, type))
						plan_find(used, user, line, type)->units += (uint32_t)strtoul(colon + 1, NULL, 10);
				}
			}
			s = *e ? e + 1 : e;
		}
	}
	free(out);
	return 0;
}
