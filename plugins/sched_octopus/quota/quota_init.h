/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * quota_init - the grant ledger's place on disk: the directory 2770
 * root:GROUP (setgid, so SQLite's journal files get the group too) and the
 * ledger 0660 root:GROUP, so octopus-bridge (a member of GROUP) can record
 * approvals and octopus-quota sync (root) can apply them. `octopus-quota
 * init` does it once; the first octopus-quota run that creates the ledger
 * does the same.
 */
#ifndef OCTOPUS_QUOTA_INIT_H
#define OCTOPUS_QUOTA_INIT_H

#define QUOTA_LEDGER_GROUP "octopus"

/* 0, or -1 with a message on stderr. verbose: say what was done. own_dir:
 * set an existing directory's group and mode too (`init`); otherwise only
 * a directory this call creates gets them, and nothing else of the
 * directory the ledger happens to be in is touched. */
int quota_ledger_prepare(const char *ledger_path, const char *group, int verbose, int own_dir);

#endif
