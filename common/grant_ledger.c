/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "grant_ledger.h"
#include "sqlite_open.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

struct ledger {
	sqlite3 *db;
	char err[GL_TEXT_MAX];
};

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA foreign_keys=ON;"
	"CREATE TABLE IF NOT EXISTS grants("
	"  id INTEGER PRIMARY KEY,"
	"  user TEXT NOT NULL, account TEXT NOT NULL, machine_type TEXT NOT NULL,"
	"  units INTEGER NOT NULL CHECK(units > 0),"
	"  start INTEGER NOT NULL, end INTEGER NOT NULL CHECK(end > start),"
	"  reason TEXT NOT NULL DEFAULT '', approver TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL CHECK(status IN ('active','revoked')),"
	"  created INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS grants_user ON grants(user);"
	"CREATE TABLE IF NOT EXISTS grant_history("
	"  id INTEGER PRIMARY KEY, grant_id INTEGER NOT NULL REFERENCES grants(id),"
	"  at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS applied("
	"  user TEXT NOT NULL, account TEXT NOT NULL, machine_type TEXT NOT NULL,"
	"  units INTEGER NOT NULL, PRIMARY KEY(user, account, machine_type));";

static int lfail(ledger_t *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int lfail(ledger_t *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->err, sizeof(l->err), fmt, ap);
	va_end(ap);
	return -1;
}

static int dbfail(ledger_t *l, const char *what)
{
	return lfail(l, "%s: %s", what, sqlite3_errmsg(l->db));
}

ledger_t *ledger_open(const char *path, char *err, size_t errlen)
{
	ledger_t *l = calloc(1, sizeof(*l));

	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!(l->db = sqlite_open_schema(path, schema, 0, "the grant ledger ", err, errlen))) {
		ledger_close(l);
		return NULL;
	}
	return l;
}

void ledger_close(ledger_t *l)
{
	if (!l)
		return;
	sqlite3_close(l->db);
	free(l);
}

const char *ledger_errmsg(const ledger_t *l)
{
	return l->err;
}

static int valid_name(const char *s)
{
	size_t n = 0;

	if (!s || !*s)
		return 0;
	for (; s[n]; n++)
		if (n >= GL_NAME_MAX - 1 || !(isalnum((unsigned char)s[n]) || strchr("_.-", s[n])))
			return 0;
	return 1;
}

static int history(ledger_t *l, int64_t id, const char *actor, const char *action, const char *detail)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(l->db, "INSERT INTO grant_history(grant_id, at, actor, action, detail) VALUES(?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		return dbfail(l, "history");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
	sqlite3_bind_text(st, 3, actor ? actor : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, detail ? detail : "", -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : dbfail(l, "history");
}

int ledger_begin(ledger_t *l)
{
	return sqlite3_exec(l->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? 0 : dbfail(l, "begin");
}

int ledger_commit(ledger_t *l)
{
	return sqlite3_exec(l->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : dbfail(l, "commit");
}

static void rollback(ledger_t *l)
{
	sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
}

int64_t ledger_grant(ledger_t *l, const gl_grant_t *g, const char *actor)
{
	sqlite3_stmt *st;
	int64_t id;
	char detail[128];

	if (!valid_name(g->user))
		return lfail(l, "user '%s' is not a valid user name", g->user);
	if (!valid_name(g->account))
		return lfail(l, "account '%s' is not a valid account name", g->account);
	if (!valid_name(g->machine_type))
		return lfail(l, "machine type '%s' is not a valid name", g->machine_type);
	if (g->units == 0 || g->units > 100000)
		return lfail(l, "units must be from 1 to 100000");
	if (g->end <= g->start)
		return lfail(l, "the grant must end after it starts");
	if (ledger_begin(l))
		return -1;
	if (sqlite3_prepare_v2(l->db,
			       "INSERT INTO grants(user, account, machine_type, units, start, end, reason, approver, status, created)"
			       " VALUES(?,?,?,?,?,?,?,?,'active',?)", -1, &st, NULL) != SQLITE_OK) {
		rollback(l);
		return dbfail(l, "grant");
	}
	sqlite3_bind_text(st, 1, g->user, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, g->account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, g->machine_type, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, g->units);
	sqlite3_bind_int64(st, 5, g->start);
	sqlite3_bind_int64(st, 6, g->end);
	sqlite3_bind_text(st, 7, g->reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 8, g->approver, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 9, (int64_t)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		rollback(l);
		return dbfail(l, "grant");
	}
	sqlite3_finalize(st);
	id = sqlite3_last_insert_rowid(l->db);
	snprintf(detail, sizeof(detail), "%u x %s", g->units, g->machine_type);
	if (history(l, id, actor, "grant", detail) || ledger_commit(l)) {
		rollback(l);
		return -1;
	}
	return id;
}

static int update(ledger_t *l, int64_t id, const char *sql, int64_t arg, const char *actor, const char *action,
		  const char *detail)
{
	sqlite3_stmt *st;

	if (ledger_begin(l))
		return -1;
	if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL) != SQLITE_OK) {
		rollback(l);
		return dbfail(l, action);
	}
	sqlite3_bind_int64(st, 1, arg);
	sqlite3_bind_int64(st, 2, id);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		rollback(l);
		return dbfail(l, action);
	}
	sqlite3_finalize(st);
	if (sqlite3_changes(l->db) != 1) {
		rollback(l);
		return lfail(l, "no active grant with id %lld", (long long)id);
	}
	if (history(l, id, actor, action, detail) || ledger_commit(l)) {
		rollback(l);
		return -1;
	}
	return 0;
}

int ledger_revoke(ledger_t *l, int64_t id, const char *actor, const char *why)
{
	return update(l, id, "UPDATE grants SET status='revoked', end=MIN(end, MAX(start + 1, ?)) WHERE id=? AND status='active'",
		      (int64_t)time(NULL), actor, "revoke", why);
}

int ledger_extend(ledger_t *l, int64_t id, int64_t new_end, const char *actor)
{
	char detail[64];

	snprintf(detail, sizeof(detail), "end=%lld", (long long)new_end);
	return update(l, id, "UPDATE grants SET end=? WHERE id=? AND status='active' AND start < ?1",
		      new_end, actor, "extend", detail);
}

static void row_to_grant(sqlite3_stmt *st, gl_grant_t *g)
{
	memset(g, 0, sizeof(*g));
	g->id = sqlite3_column_int64(st, 0);
	snprintf(g->user, sizeof(g->user), "%s", (const char *)sqlite3_column_text(st, 1));
	snprintf(g->account, sizeof(g->account), "%s", (const char *)sqlite3_column_text(st, 2));
	snprintf(g->machine_type, sizeof(g->machine_type), "%s", (const char *)sqlite3_column_text(st, 3));
	g->units = (uint32_t)sqlite3_column_int64(st, 4);
	g->start = sqlite3_column_int64(st, 5);
	g->end = sqlite3_column_int64(st, 6);
	snprintf(g->reason, sizeof(g->reason), "%s", (const char *)sqlite3_column_text(st, 7));
	snprintf(g->approver, sizeof(g->approver), "%s", (const char *)sqlite3_column_text(st, 8));
	g->status = strcmp((const char *)sqlite3_column_text(st, 9), "active") ? GL_REVOKED : GL_ACTIVE;
	g->created = sqlite3_column_int64(st, 10);
}

#define GRANT_COLS "id, user, account, machine_type, units, start, end, reason, approver, status, created"

int ledger_get(ledger_t *l, int64_t id, gl_grant_t *out)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(l->db, "SELECT " GRANT_COLS " FROM grants WHERE id=?", -1, &st, NULL) != SQLITE_OK)
		return dbfail(l, "get");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_to_grant(st, out);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : lfail(l, "no grant with id %lld", (long long)id);
}

int ledger_foreach(ledger_t *l, const char *user, gl_grant_cb cb, void *arg)
{
	sqlite3_stmt *st;
	int rc, r = 0;

	if (sqlite3_prepare_v2(l->db,
			       user ? "SELECT " GRANT_COLS " FROM grants WHERE user=? ORDER BY id DESC"
				    : "SELECT " GRANT_COLS " FROM grants ORDER BY id DESC",
			       -1, &st, NULL) != SQLITE_OK)
		return dbfail(l, "list");
	if (user)
		sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		gl_grant_t g;

		row_to_grant(st, &g);
		if ((r = cb(&g, arg)))
			break;
	}
	sqlite3_finalize(st);
	if (!r && rc != SQLITE_DONE)
		return dbfail(l, "list");
	return r;
}

int ledger_history(ledger_t *l, int64_t id, gl_history_cb cb, void *arg)
{
	sqlite3_stmt *st;
	int rc, r = 0;

	if (sqlite3_prepare_v2(l->db, "SELECT at, actor, action, detail FROM grant_history WHERE grant_id=? ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return dbfail(l, "history");
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((r = cb(sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
			    (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3), arg)))
			break;
	sqlite3_finalize(st);
	return r;
}

int ledger_applied_foreach(ledger_t *l, gl_applied_cb cb, void *arg)
{
	sqlite3_stmt *st;
	int r = 0;

	if (sqlite3_prepare_v2(l->db, "SELECT user, account, machine_type, units FROM applied ORDER BY user, account, machine_type",
			       -1, &st, NULL) != SQLITE_OK)
		return dbfail(l, "applied");
	while (sqlite3_step(st) == SQLITE_ROW)
		if ((r = cb((const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
			    (const char *)sqlite3_column_text(st, 2), (uint32_t)sqlite3_column_int64(st, 3), arg)))
			break;
	sqlite3_finalize(st);
	return r;
}

int ledger_applied_set(ledger_t *l, const char *user, const char *account, const char *type, uint32_t units)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(l->db, units ? "INSERT OR REPLACE INTO applied VALUES(?,?,?,?)"
					    : "DELETE FROM applied WHERE user=? AND account=? AND machine_type=?",
			       -1, &st, NULL) != SQLITE_OK)
		return dbfail(l, "applied");
	sqlite3_bind_text(st, 1, user, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, type, -1, SQLITE_TRANSIENT);
	if (units)
		sqlite3_bind_int64(st, 4, units);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : dbfail(l, "applied");
}
