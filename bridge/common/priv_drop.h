/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * priv_drop - how the bridge's root helpers become someone else for good:
 * the JWT minter becomes its service user (no supplementary groups), the
 * file broker's child the user it reads or writes for (that user's groups,
 * so group-readable files stay readable and no more).
 */
#ifndef OCTOPUS_PRIV_DROP_H
#define OCTOPUS_PRIV_DROP_H

#include <pwd.h>

/* Set the groups (none, or pw's own when with_groups), then gid and uid,
 * real, effective and saved alike; then make sure root cannot be regained.
 * 0; or -1 with errno (EPERM when root could be regained; E2BIG when pw
 * is in more groups than the kernel allows). */
int priv_drop(const struct passwd *pw, int with_groups);

#endif
