/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bridge_db's instances table: portal IDE sessions and their jobs */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "bridge_db.h"
#include "bridge_db_internal.h"

static void instance_row(sqlite3_stmt *st, bdb_instance_t *v)
{
	memset(v, 0, sizeof(*v));
	bdb_text(st, 0, v->id, sizeof(v->id));
	bdb_text(st, 1, v->user, sizeof(v->user));
	bdb_text(st, 2, v->name, sizeof(v->name));
	bdb_text(st, 3, v->ide, sizeof(v->ide));
	bdb_text(st, 4, v->machine_type, sizeof(v->machine_type));
	v->units = (uint32_t)sqlite3_column_int64(st, 5);
	v->job_id = sqlite3_column_int64(st, 6);
	v->created = sqlite3_column_int64(st, 7);
	v->stopped = sqlite3_column_int64(st, 8);
	bdb_text(st, 9, v->volumes, sizeof(v->volumes));
}

#define INSTANCE_COLS "id, user, name, ide, machine_type, units, job_id, created, stopped, volumes"

int bdb_instance_add(bridge_db_t *db, const bdb_instance_t *v)
{
	sqlite3_stmt *st;
	int rc = -1;

	pthread_mutex_lock(&db->lock);
	if ((st = bdb_prep(db, "INSERT INTO instances(" INSTANCE_COLS ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"))) {
		sqlite3_bind_text(st, 1, v->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, v->user, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, v->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, v->ide, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, v->machine_type, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, v->units);
		sqlite3_bind_int64(st, 7, v->job_id);
		sqlite3_bind_int64(st, 8, v->created);
		sqlite3_bind_int64(st, 9, v->stopped);
		sqlite3_bind_text(st, 10, v->volumes, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&db->lock);
	return rc;
}

int bdb_instance_get(bridge_db_t *db, const char *id, bdb_instance_t *out)
{
	sqlite3_stmt *st;
	int rc = -1;

	pthread_mutex_lock(&db->lock);
	if ((st = bdb_prep(db, "SELECT " INSTANCE_COLS " FROM instances WHERE id = ?"))) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		rc = 1;
		if (sqlite3_step(st) == SQLITE_ROW) {
			instance_row(st, out);
			rc = 0;
		}
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&db->lock);
	return rc;
}

static int instance_exec(bridge_db_t *db, const char *sql, const char *id, int64_t v)
{
	sqlite3_stmt *st;
	int rc = -1;

	pthread_mutex_lock(&db->lock);
	if ((st = bdb_prep(db, sql))) {
		sqlite3_bind_int64(st, 1, v);
		sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&db->lock);
	return rc;
}

int bdb_instance_set_job(bridge_db_t *db, const char *id, int64_t job_id)
{
	return instance_exec(db, "UPDATE instances SET job_id = ?1 WHERE id = ?2", id, job_id);
}

int bdb_instance_stop(bridge_db_t *db, const char *id, int64_t at)
{
	return instance_exec(db, "UPDATE instances SET stopped = ?1 WHERE id = ?2 AND stopped = 0", id, at);
}

int bdb_instance_del(bridge_db_t *db, const char *id)
{
	return instance_exec(db, "DELETE FROM instances WHERE id = ?2", id, 0);
}

int bdb_instance_foreach(bridge_db_t *db, const char *user, int limit,
			 int (*cb)(const bdb_instance_t *v, void *arg), void *arg)
{
	sqlite3_stmt *st;
	bdb_instance_t v;
	int rc = 0;

	pthread_mutex_lock(&db->lock);
	if (!(st = bdb_prep(db, "SELECT " INSTANCE_COLS " FROM instances WHERE ?1 IS NULL OR user = ?1"
			    " ORDER BY created DESC, id LIMIT ?2"))) {
		pthread_mutex_unlock(&db->lock);
		return -1;
	}
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);     /* NULL binds NULL: every user */
	sqlite3_bind_int(st, 2, limit);
	while (!rc && sqlite3_step(st) == SQLITE_ROW) {
		instance_row(st, &v);
		rc = cb(&v, arg);
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&db->lock);
	return rc;
}

int bdb_instance_count_live(bridge_db_t *db, const char *user)
{
	sqlite3_stmt *st;
	int n = -1;

	pthread_mutex_lock(&db->lock);
	if ((st = bdb_prep(db, "SELECT count(*) FROM instances WHERE user = ? AND stopped = 0"))) {
		sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&db->lock);
	return n;
}

int bdb_instance_count_live_all(bridge_db_t *db, long *n)
{
	sqlite3_stmt *st;
	int rc = -1;

	pthread_mutex_lock(&db->lock);
	if ((st = bdb_prep(db, "SELECT count(*) FROM instances WHERE stopped = 0"))) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			*n = (long)sqlite3_column_int64(st, 0);
			rc = 0;
		}
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&db->lock);
	return rc;
}
