/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "bridge_db.h"
#include "sqlite_open.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_db_internal.h"

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=FULL;"
	"CREATE TABLE IF NOT EXISTS audit ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, request_id TEXT NOT NULL,"
	"  user TEXT NOT NULL, source TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL,"
	"  status INTEGER NOT NULL, detail TEXT NOT NULL);"
	"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TABLE IF NOT EXISTS tokens ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, name TEXT NOT NULL,"
	"  hash TEXT NOT NULL UNIQUE, scopes TEXT NOT NULL, created INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL, last_used INTEGER NOT NULL DEFAULT 0, revoked INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS tokens_user ON tokens(user);"
	"CREATE TABLE IF NOT EXISTS quota_requests ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, user TEXT NOT NULL, account TEXT NOT NULL,"
	"  machine_type TEXT NOT NULL, units INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,"
	"  reason TEXT NOT NULL, state INTEGER NOT NULL, created INTEGER NOT NULL,"
	"  decided_by TEXT NOT NULL DEFAULT '', decided_at INTEGER NOT NULL DEFAULT 0,"
	"  decision TEXT NOT NULL DEFAULT '', grant_id INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX IF NOT EXISTS quota_requests_user ON quota_requests(user);"
	"CREATE TABLE IF NOT EXISTS volumes ("
	"  user TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL, created INTEGER NOT NULL,"
	"  PRIMARY KEY(user, name));"
	"CREATE TABLE IF NOT EXISTS instances ("
	"  id TEXT PRIMARY KEY, user TEXT NOT NULL, name TEXT NOT NULL, ide TEXT NOT NULL,"
	"  machine_type TEXT NOT NULL, units INTEGER NOT NULL, job_id INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL, stopped INTEGER NOT NULL DEFAULT 0, volumes TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX IF NOT EXISTS instances_user ON instances(user);";

bridge_db_t *bdb_open(const char *path, char *err, size_t errlen)
{
	bridge_db_t *db = calloc(1, sizeof(*db));

	if (!db) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!(db->db = sqlite_open_schema(path, schema, SQLITE_OPEN_FULLMUTEX, "Database=", err, errlen))) {
		free(db);
		return NULL;
	}
	pthread_mutex_init(&db->lock, NULL);
	return db;
}

void bdb_close(bridge_db_t *db)
{
	if (!db)
		return;
	sqlite3_close(db->db);
	pthread_mutex_destroy(&db->lock);
	free(db);
}

sqlite3_stmt *bdb_prep(bridge_db_t *db, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "octopus-bridge: database: %s\n", sqlite3_errmsg(db->db));
		return NULL;
	}
	return st;
}

void bdb_text(sqlite3_stmt *st, int col, char *out, size_t len)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	snprintf(out, len, "%s", s ? (const char *)s : "");
}

int bdb_audit(bridge_db_t *db, const char *request_id, const char *user, const char *source, const char *action,
	      const char *target, int status, const char *detail)
{
	sqlite3_stmt *st;
	int rc;

	pthread_mutex_lock(&db->lock);
	if (!(st = bdb_prep(db, "INSERT INTO audit(at, request_id, user, source, action, target, status, detail)"
			    " VALUES(strftime('%s','now'), ?, ?, ?, ?, ?, ?, ?)"))) {
		pthread_mutex_unlock(&db->lock);
		return -1;
	}
	sqlite3_bind_text(st, 1, request_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, user ? user : "-", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, source ? source : "-", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, target ? target : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, status);
	sqlite3_bind_text(st, 7, detail ? detail : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	pthread_mutex_unlock(&db->lock);
	return rc;
}

int bdb_audit_foreach(bridge_db_t *db, int64_t before, int limit, int (*cb)(const bdb_audit_t *a, void *arg),
		      void *arg)
{
	sqlite3_stmt *st;
	bdb_audit_t a;
	int rc = 0;

	pthread_mutex_lock(&db->lock);
	if (!(st = bdb_prep(db, "SELECT id, at, request_id, user, source, action, target, status, detail FROM audit"
			    " WHERE ?1 = 0 OR id < ?1 ORDER BY id DESC LIMIT ?2"))) {
		pthread_mutex_unlock(&db->lock);
		return -1;
	}
	sqlite3_bind_int64(st, 1, before);
	sqlite3_bind_int(st, 2, limit);
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		memset(&a, 0, sizeof(a));
		a.id = sqlite3_column_int64(st, 0);
		a.at = sqlite3_column_int64(st, 1);
		bdb_text(st, 2, a.request_id, sizeof(a.request_id));
		bdb_text(st, 3, a.user, sizeof(a.user));
		bdb_text(st, 4, a.source, sizeof(a.source));
		bdb_text(st, 5, a.action, sizeof(a.action));
		bdb_text(st, 6, a.target, sizeof(a.target));
		a.status = sqlite3_column_int(st, 7);
		bdb_text(st, 8, a.detail, sizeof(a.detail));
		rc = cb(&a, arg);
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&db->lock);
	return rc;
}

int64_t bdb_token_add(bridge_db_t *db, const char *user, const char *name, const char *hash, const char *scopes,
		      int64_t created, int64_t expires)
{
	sqlite3_stmt *st;
	int64_t id = -1;

	pthread_mutex_lock(&db->lock);
	if ((st = bdb_prep(db, "INSERT INTO tokens(user, name, hash, scopes, created, expires) VALUES(?, ?, ?, ?, ?, ?)"))) {
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, scopes, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, created);
		sqlite3_bind_int64(st, 6, expires);
		if (sqlite3_step(st) == SQLITE_DONE)
			id = sqlite3_last_insert_rowid(db->db);
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&db->lock);
	return id;
}

static void token_row(sqlite3_stmt *st, bdb_token_t *t)
{
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	bdb_text(st, 1, t->user, sizeof(t->user));
	bdb_text(st, 2, t->name, sizeof(t->name));
	bdb_text(st, 3, t->scopes, sizeof(t->scopes));
	t->created = sqlite3_column_int64(st, 4);
	t->expires = sqlite3_column_int64(st, 5);
	t->last_used = sqlite3_column_int64(st, 6);
	t->revoked = sqlite3_column_int(st, 7);
}

#define TOKEN_USE_GRAIN 60
#define TOKEN_COLS "id, user, name, scopes, created, expires, last_used, revoked"

int bdb_token_lookup(bridge_db_t *db, const char *hash, int64_t now, bdb_token_t *out)
{
	sqlite3_stmt *st;
	int rc = 1;

	pthread_mutex_lock(&db->lock);
	if (!(st = bdb_prep(db, "SELECT " TOKEN_COLS " FROM tokens WHERE hash = ?"))) {
		pthread_mutex_unlock(&db->lock);
		return -1;
	}
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		token_row(st, out);
		rc = out->revoked || out->expires <= now ? 1 : 0;
	}
	sqlite3_finalize(st);
	/* to the minute: a write is an fsync (synchronous=FULL), and a
	 * poller's every GET would pay one */
	if (!rc && now - out->last_used >= TOKEN_USE_GRAIN &&
	    (st = bdb_prep(db, "UPDATE tokens SET last_used = ? WHERE id = ?"))) {
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_int64(st, 2, out->id);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&db->lock);
	return rc;
}

int bdb_token_foreach(bridge_db_t *db, const char *user, int (*cb)(const bdb_token_t *t, void *arg), void *arg)
{
	sqlite3_stmt *st;
	bdb_token_t t;
	int rc = 0;

	pthread_mutex_lock(&db->lock);
	if (!(st = bdb_prep(db, "SELECT " TOKEN_COLS " FROM tokens WHERE user = ? ORDER BY id"))) {
		pthread_mutex_unlock(&db->lock);
		return -1;
	}
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		token_row(st, &t);
		rc = cb(&t, arg);
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&db->lock);
	return rc;
}

int bdb_token_revoke(bridge_db_t *db, const char *user, int64_t id)
{
	sqlite3_stmt *st;
	int rc = -1;

	pthread_mutex_lock(&db->lock);
	if ((st = bdb_prep(db, "UPDATE tokens SET revoked = 1 WHERE id = ? AND user = ? AND revoked = 0"))) {
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_DONE)
			rc = sqlite3_changes(db->db) ? 0 : 1;
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&db->lock);
	return rc;
}

static const char *const qr_names[] = { "pending", "approved", "rejected", "cancelled" };

const char *qr_state_name(qr_state_t s)
{
	return (unsigned)s < 4 ? qr_names[s] : "unknown";
}

int qr_state_parse(const char *s, qr_state_t *out)
{
	for (int i = 0; i < 4; i++)
		if (s && !strcmp(s, qr_names[i])) {
			*out = (qr_state_t)i;
			return 0;
		}
	return -1;
}

#define QR_COLS "id, user, account, machine_type, units, start, end, reason, state, created, decided_by, decided_at, decision, grant_id"

static void qreq_row(sqlite3_stmt *st, bdb_qreq_t *q)
{
	memset(q, 0, sizeof(*q));
	q->id = sqlite3_column_int64(st, 0);
	bdb_text(st, 1, q->user, sizeof(q->user));
	bdb_text(st, 2, q->account, sizeof(q->account));
	bdb_text(st, 3, q->machine_type, sizeof(q->machine_type));
	q->units = (uint32_t)sqlite3_column_int64(st, 4);
	q->start = sqlite3_column_int64(st, 5);
	q->end = sqlite3_column_int64(st, 6);
	bdb_text(st, 7, q->reason, sizeof(q->reason));
	q->state = (qr_state_t)sqlite3_column_int(st, 8);
	q->created = sqlite3_column_int64(st, 9);
	bdb_text(st, 10, q->decided_by, sizeof(q->decided_by));
	q->decided_at = sqlite3_column_int64(st, 11);
	bdb_text(st, 12, q->decision, sizeof(q->decision));
	q->grant_id = sqlite3_column_int64(st, 13);
}

int64_t bdb_qreq_add(bridge_db_t *db, const bdb_qreq_t *q)
{
	sqlite3_stmt *st;
	int64_t id = -1;

	pthread_mutex_lock(&db->lock);
	if ((st = bdb_prep(db, "INSERT INTO quota_requests(user, account, machine_type, units, start, end, reason, state, created)"
			   " VALUES(?, ?, ?, ?, ?, ?, ?, 0, ?)"))) {
		sqlite3_bind_text(st, 1, q->user, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, q->account, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, q->machine_type, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, q->units);
		sqlite3_bind_int64(st, 5, q->start);
		sqlite3_bind_int64(st, 6, q->end);
		sqlite3_bind_text(st, 7, q->reason, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 8, q->created);
		if (sqlite3_step(st) == SQLITE_DONE)
			id = sqlite3_last_insert_rowid(db->db);
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&db->lock);
	return id;
}

int bdb_qreq_get(bridge_db_t *db, int64_t id, bdb_qreq_t *out)
{
	sqlite3_stmt *st;
	int rc = -1;

	pthread_mutex_lock(&db->lock);
	if ((st = bdb_prep(db, "SELECT " QR_COLS " FROM quota_requests WHERE id = ?"))) {
		sqlite3_bind_int64(st, 1, id);
		rc = 1;
		if (sqlite3_step(st) == SQLITE_ROW) {
			qreq_row(st, out);
			rc = 0;
		}
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&db->lock);
	return rc;
}

int bdb_qreq_foreach(bridge_db_t *db, const char *user, int state, int (*cb)(const bdb_qreq_t *q, void *arg),
		     void *arg)
{
	sqlite3_stmt *st;
	bdb_qreq_t q;
	int rc = 0;

	pthread_mutex_lock(&db->lock);
	if (!(st = bdb_prep(db, "SELECT " QR_COLS " FROM quota_requests WHERE (?1 IS NULL OR user = ?1)"
			    " AND (?2 < 0 OR state = ?2) ORDER BY id DESC LIMIT 1000"))) {
		pthread_mutex_unlock(&db->lock);
		return -1;
	}
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);     /* NULL binds NULL: every user */
	sqlite3_bind_int(st, 2, state);
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		qreq_row(st, &q);
		rc = cb(&q, arg);
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&db->lock);
	return rc;
}

int bdb_qreq_decide(bridge_db_t *db, int64_t id, qr_state_t state, const char *by, const char *decision, int64_t at)
{
	sqlite3_stmt *st;
	int rc = -1;

	pthread_mutex_lock(&db->lock);
	if ((st = bdb_prep(db, "UPDATE quota_requests SET state = ?, decided_by = ?, decision = ?, decided_at = ?"
			   " WHERE id = ? AND state = 0"))) {
		sqlite3_bind_int(st, 1, (int)state);
		sqlite3_bind_text(st, 2, by, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, decision, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, at);
		sqlite3_bind_int64(st, 5, id);
		if (sqlite3_step(st) == SQLITE_DONE)
			rc = sqlite3_changes(db->db) ? 0 : 1;
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&db->lock);
	return rc;
}

int bdb_qreq_set_grant(bridge_db_t *db, int64_t id, int64_t grant_id)
{
	sqlite3_stmt *st;
	int rc = -1;

	pthread_mutex_lock(&db->lock);
	if ((st = bdb_prep(db, "UPDATE quota_requests SET grant_id = ? WHERE id = ?"))) {
		sqlite3_bind_int64(st, 1, grant_id);
		sqlite3_bind_int64(st, 2, id);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&db->lock);
	return rc;
}

int bdb_volume_add(bridge_db_t *db, const bdb_volume_t *v)
{
	sqlite3_stmt *st;
	int rc = -1, step;

	pthread_mutex_lock(&db->lock);
	if ((st = bdb_prep(db, "INSERT INTO volumes(user, name, path, created) VALUES(?, ?, ?, ?)"))) {
		sqlite3_bind_text(st, 1, v->user, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, v->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, v->path, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, v->created);
		step = sqlite3_step(st);
		rc = step == SQLITE_DONE ? 0 : step == SQLITE_CONSTRAINT ? 1 : -1;
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&db->lock);
	return rc;
}

static void volume_row(sqlite3_stmt *st, bdb_volume_t *v)
{
	memset(v, 0, sizeof(*v));
	bdb_text(st, 0, v->user, sizeof(v->user));
	bdb_text(st, 1, v->name, sizeof(v->name));
	bdb_text(st, 2, v->path, sizeof(v->path));
	v->created = sqlite3_column_int64(st, 3);
}

int bdb_volume_get(bridge_db_t *db, const char *user, const char *name, bdb_volume_t *out)
{
	sqlite3_stmt *st;
	int rc = -1;

	pthread_mutex_lock(&db->lock);
	if ((st = bdb_prep(db, "SELECT user, name, path, created FROM volumes WHERE user = ? AND name = ?"))) {
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
		rc = 1;
		if (sqlite3_step(st) == SQLITE_ROW) {
			volume_row(st, out);
			rc = 0;
		}
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&db->lock);
	return rc;
}

int bdb_volume_del(bridge_db_t *db, const char *user, const char *name)
{
	sqlite3_stmt *st;
	int rc = -1;

	pthread_mutex_lock(&db->lock);
	if ((st = bdb_prep(db, "DELETE FROM volumes WHERE user = ? AND name = ?"))) {
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&db->lock);
	return rc;
}

int bdb_volume_foreach(bridge_db_t *db, const char *user, int (*cb)(const bdb_volume_t *v, void *arg), void *arg)
{
	sqlite3_stmt *st;
	bdb_volume_t v;
	int rc = 0;

	pthread_mutex_lock(&db->lock);
	if (!(st = bdb_prep(db, "SELECT user, name, path, created FROM volumes WHERE ?1 IS NULL OR user = ?1 ORDER BY user, name"))) {
		pthread_mutex_unlock(&db->lock);
		return -1;
	}
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);     /* NULL binds NULL: every user */
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		volume_row(st, &v);
		rc = cb(&v, arg);
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&db->lock);
	return rc;
}
