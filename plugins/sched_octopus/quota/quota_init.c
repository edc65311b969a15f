/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "quota_init.h"

#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grant_ledger.h"

static int mkdir_p(const char *dir, mode_t mode)
{
	char buf[4096];

	if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf))
		return -1;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, mode) && errno != EEXIST ? -1 : 0;
}

/* owner root, group gid, mode; for the journal files too where they exist */
static int own(const char *path, gid_t gid, mode_t mode)
{
	if (chown(path, 0, gid) || chmod(path, mode)) {
		fprintf(stderr, "octopus-quota: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int quota_ledger_prepare(const char *ledger_path, const char *group, int verbose, int own_dir)
{
	char copy[4096], err[512], side[4200];
	const char *dir;
	struct group *gr = getgrnam(group);
	struct stat st;
	ledger_t *l;

	if (geteuid() != 0) {
		fprintf(stderr, "octopus-quota: init must run as root (it sets the ledger's owner and group)\n");
		return -1;
	}
	if (!gr) {
		fprintf(stderr,
			"octopus-quota: no group '%s': create it (groupadd --system %s) and add the bridge's user to it "
			"(usermod -aG %s octopus-bridge), then run this again\n",
			group, group, group);
		return -1;
	}
	snprintf(copy, sizeof(copy), "%s", ledger_path);
	dir = dirname(copy);
	if (lstat(dir, &st))
		own_dir = 1;    /* made here: made right */
	if (mkdir_p(dir, 02770) || lstat(dir, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "octopus-quota: %s: %s\n", dir, errno ? strerror(errno) : "not a directory");
		return -1;
	}
	if (own_dir && own(dir, gr->gr_gid, 02770))
		return -1;
	if (!(l = ledger_open(ledger_path, err, sizeof(err)))) {
		fprintf(stderr, "octopus-quota: %s\n", err);
		return -1;
	}
	ledger_close(l);
	if (own(ledger_path, gr->gr_gid, 0660))
		return -1;
	for (const char *const *sfx = (const char *const[]){ "-journal", "-wal", "-shm", NULL }; *sfx; sfx++) {
		snprintf(side, sizeof(side), "%s%s", ledger_path, *sfx);
		if (!lstat(side, &st) && S_ISREG(st.st_mode) && own(side, gr->gr_gid, 0660))
			return -1;
	}
	if (verbose)
		printf("ledger %s: 0660 root:%s%s%s%s%s\n", ledger_path, group, own_dir ? ", directory " : "",
		       own_dir ? dir : "", own_dir ? ": 2770 root:" : "", own_dir ? group : "");
	return 0;
}
