/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sqlite_open - see sqlite_open.h */
#include "sqlite_open.h"

#include <stdio.h>

/* long enough for a sync of many grants on a slow disk, short enough that
 * a wedged writer shows up as an error, not a hang */
#define BUSY_TIMEOUT_MS 5000

sqlite3 *sqlite_open_schema(const char *path, const char *schema, int extra_flags, const char *what, char *err,
			    size_t errlen)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW | extra_flags,
			    NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s%s: %s", what, path, db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	if (schema && sqlite3_exec(db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s%s: %s", what, path, msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		sqlite3_close(db);
		return NULL;
	}
	return db;
}
