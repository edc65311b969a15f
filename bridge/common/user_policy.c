/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "user_policy.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void user_policy_defaults(user_policy_t *p)
{
	memset(p, 0, sizeof(*p));
	p->min_uid = 1000;
	p->max_uid = 60000;
	snprintf(p->slurm_user, sizeof(p->slurm_user), "slurm");
}

int user_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (!n || n >= UP_NAME_MAX)
		return 0;
	if (!((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
		return 0;
	for (size_t i = 1; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

int volume_name_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!n || n > 63 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || strchr("_.-", s[i])))
			return 0;
	return !strstr(s, "..");
}

int user_policy_set_deny(user_policy_t *p, const char *list, char *why, size_t len)
{
	const char *s = list;

	p->ndeny = 0;
	while (s && *s) {
		const char *e = strchr(s, ',');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		char name[UP_NAME_MAX];

		if (n) {
			if (n >= sizeof(name) || p->ndeny == UP_MAX_DENY) {
				snprintf(why, len, "deny list: '%.*s' is too long or the list has over %d names",
					 (int)(n > 40 ? 40 : n), s, UP_MAX_DENY);
				return -1;
			}
			memcpy(name, s, n);
			name[n] = '\0';
			if (!user_name_valid(name)) {
				snprintf(why, len, "deny list: '%s' is not a login name", name);
				return -1;
			}
			memcpy(p->deny[p->ndeny++], name, n + 1);
		}
		s = e ? e + 1 : NULL;
	}
	return 0;
}

int user_policy_check(const user_policy_t *p, const char *name, uid_t *uid, char *why, size_t len)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int rc;

	if (!user_name_valid(name)) {
		snprintf(why, len, "'%.40s' is not a login name", name ? name : "");
		return -1;
	}
	for (size_t i = 0; i < p->ndeny; i++)
		if (!strcmp(p->deny[i], name)) {
			snprintf(why, len, "user %s is on the deny list", name);
			return -1;
		}
	if (!strcmp(name, p->slurm_user)) {
		snprintf(why, len, "user %s is SlurmUser", name);
		return -1;
	}
	rc = getpwnam_r(name, &pw, buf, sizeof(buf), &res);
	if (rc || !res) {
		snprintf(why, len, "user %s does not exist on this host%s%s", name, rc ? ": " : "",
			 rc ? strerror(rc) : "");
		return -1;
	}
	if (pw.pw_uid == 0) {
		snprintf(why, len, "user %s has uid 0", name);
		return -1;
	}
	/* SlurmUser under another name (an alias with its uid) is SlurmUser too */
	{
		struct passwd spw, *sres = NULL;
		char sbuf[4096];

		if (!getpwnam_r(p->slurm_user, &spw, sbuf, sizeof(sbuf), &sres) && sres && spw.pw_uid == pw.pw_uid) {
			snprintf(why, len, "user %s has SlurmUser's uid %u", name, (unsigned)pw.pw_uid);
			return -1;
		}
	}
	if (pw.pw_uid < p->min_uid || pw.pw_uid > p->max_uid) {
		snprintf(why, len, "user %s has uid %u, outside the users' range %u-%u", name, (unsigned)pw.pw_uid,
			 (unsigned)p->min_uid, (unsigned)p->max_uid);
		return -1;
	}
	*uid = pw.pw_uid;
	return 0;
}
