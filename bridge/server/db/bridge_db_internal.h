/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bridge_db_internal - what the files of bridge_db share: the handle and
 * two statement helpers. Not for callers of bridge_db.h. */
#ifndef OCTOPUS_BRIDGE_DB_INTERNAL_H
#define OCTOPUS_BRIDGE_DB_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>

#include "bridge_db.h"

struct bridge_db {
	sqlite3 *db;
	pthread_mutex_t lock;           /* one connection, serialized */
};

/* A prepared statement, or NULL (logged) */
sqlite3_stmt *bdb_prep(bridge_db_t *db, const char *sql);
/* Column col as text into out ("" for NULL) */
void bdb_text(sqlite3_stmt *st, int col, char *out, size_t len);

#endif
