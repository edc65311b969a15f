/* SPDX-License-Identifier: GPL-2.0-or-later */
/* priv_drop - see priv_drop.h */
#define _GNU_SOURCE     /* setresuid, setresgid, getgrouplist */
#include "priv_drop.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

/* pw's groups: a user in more than the first guess gets a buffer of the
 * size getgrouplist asks for, never more than the kernel's limit */
static int set_groups_of(const struct passwd *pw)
{
	gid_t small[64], *groups = small;
	int n = 64, rc;
	long max = sysconf(_SC_NGROUPS_MAX);

	if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0) {
		if (n <= 0 || (max > 0 && n > max)) {
			errno = E2BIG;
			return -1;
		}
		if (!(groups = calloc((size_t)n, sizeof(*groups))))
			return -1;
		if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0) {
			free(groups);
			errno = E2BIG;
			return -1;
		}
	}
	rc = setgroups((size_t)n, groups);
	if (groups != small)
		free(groups);
	return rc;
}

int priv_drop(const struct passwd *pw, int with_groups)
{
	if ((with_groups ? set_groups_of(pw) : setgroups(0, NULL)) || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid))
		return -1;
	if (pw->pw_uid && !setuid(0)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}
