/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * user_policy - which POSIX users the bridge may act for and the minter may
 * mint Slurm tokens for. A Slurm JWT for root or SlurmUser is a master key,
 * and slurmctld takes a token for a user that does not exist as uid 99; so
 * both processes refuse those, system accounts and a site deny list, with a
 * reason fit for a log line.
 */
#ifndef OCTOPUS_USER_POLICY_H
#define OCTOPUS_USER_POLICY_H

#include <stddef.h>
#include <sys/types.h>

#define UP_NAME_MAX 33          /* POSIX login names: 32 bytes */
#define UP_MAX_DENY 64

typedef struct {
	uid_t min_uid;                  /* default 1000 (login.defs UID_MIN) */
	uid_t max_uid;                  /* default 60000 (UID_MAX): nobody and friends are above */
	char slurm_user[UP_NAME_MAX];   /* SlurmUser, default "slurm" */
	size_t ndeny;
	char deny[UP_MAX_DENY][UP_NAME_MAX];
} user_policy_t;

void user_policy_defaults(user_policy_t *p);

/* Is name a volume name ([a-z0-9][a-z0-9_.-]{0,62}, no "..")? The bridge
 * checks it before asking, the file broker again before acting. */
int volume_name_valid(const char *name);

/* "a,b,c" into the deny list; -1 (why filled) on a bad name or too many. */
int user_policy_set_deny(user_policy_t *p, const char *list, char *why, size_t len);

/* Is name a well-formed login name ([a-z_][a-z0-9_.-]*, at most 32)? */
int user_name_valid(const char *name);

/* 0 and *uid when name may be acted for; -1 with why ("user X is ...") when not. */
int user_policy_check(const user_policy_t *p, const char *name, uid_t *uid, char *why, size_t len);

#endif
