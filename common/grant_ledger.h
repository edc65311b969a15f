/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * grant_ledger - the SQLite ledger of machine-type grants.
 *
 * The source of truth for who was granted how many units of which machine
 * type, on which account, from when until when, why and by whom, with an
 * append-only history. `octopus-quota` and the bridge both write it;
 * `octopus-quota sync` turns its active grants into slurmdbd limits.
 */
#ifndef OCTOPUS_GRANT_LEDGER_H
#define OCTOPUS_GRANT_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#define GL_NAME_MAX 64
#define GL_TEXT_MAX 512

typedef struct ledger ledger_t;

typedef enum { GL_ACTIVE, GL_REVOKED } gl_status_t;

typedef struct {
	int64_t id;
	char user[GL_NAME_MAX];
	char account[GL_NAME_MAX];
	char machine_type[GL_NAME_MAX];
	uint32_t units;
	int64_t start, end;             /* epoch seconds, [start, end) */
	char reason[GL_TEXT_MAX];
	char approver[GL_NAME_MAX];
	gl_status_t status;
	int64_t created;
} gl_grant_t;

/* Open (creating the schema if needed). NULL with a message on failure. */
ledger_t *ledger_open(const char *path, char *err, size_t errlen);
void ledger_close(ledger_t *l);
const char *ledger_errmsg(const ledger_t *l);

/* Validates every field; returns the new id, or -1 (see ledger_errmsg). */
int64_t ledger_grant(ledger_t *l, const gl_grant_t *g, const char *actor);
int ledger_revoke(ledger_t *l, int64_t id, const char *actor, const char *why);
int ledger_extend(ledger_t *l, int64_t id, int64_t new_end, const char *actor);
int ledger_get(ledger_t *l, int64_t id, gl_grant_t *out);

/* Calls cb for each grant (of user, or all when NULL), newest first. */
typedef int (*gl_grant_cb)(const gl_grant_t *g, void *arg);
int ledger_foreach(ledger_t *l, const char *user, gl_grant_cb cb, void *arg);

/* History lines of one grant: "time actor action detail". */
typedef int (*gl_history_cb)(int64_t at, const char *actor, const char *action, const char *detail, void *arg);
int ledger_history(ledger_t *l, int64_t id, gl_history_cb cb, void *arg);

/* The limits sync last applied, per (user, account, type). */
typedef int (*gl_applied_cb)(const char *user, const char *account, const char *type, uint32_t units, void *arg);
int ledger_applied_foreach(ledger_t *l, gl_applied_cb cb, void *arg);
int ledger_applied_set(ledger_t *l, const char *user, const char *account, const char *type, uint32_t units);

int ledger_begin(ledger_t *l);
int ledger_commit(ledger_t *l);

#endif
