/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sqlite_open - how every SQLite database of this project is opened: the
 * grant ledger (octopus-quota, the bridge) and the bridge's own. Created
 * when missing, never through a symbolic link (a planted link must not
 * turn a service's writes onto another file), with a busy timeout so two
 * processes sharing one file wait for each other instead of failing, and
 * its schema applied (idempotent: CREATE ... IF NOT EXISTS).
 */
#ifndef OCTOPUS_SQLITE_OPEN_H
#define OCTOPUS_SQLITE_OPEN_H

#include <sqlite3.h>
#include <stddef.h>

/* The open database; NULL with "<what><path>: why" in err (what: e.g.
 * "Database=", the setting that names it). extra_flags are
 * or'ed into the open flags (e.g. SQLITE_OPEN_FULLMUTEX). */
sqlite3 *sqlite_open_schema(const char *path, const char *schema, int extra_flags, const char *what, char *err,
			    size_t errlen);

#endif
