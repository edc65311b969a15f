/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * userns - the one-id user namespaces spank_container makes: 0 mapped to
 * the job's user and nothing else, setgroups denied. Used for idmapped
 * layer mounts (the image's root-owned files as the user's) and for
 * --container-remap-root (the user as root inside).
 */
#ifndef OCTOPUS_USERNS_H
#define OCTOPUS_USERNS_H

#include <sys/types.h>

/* Map 0 to uid/gid in the user namespace of pid (setgroups denied): 0, or -1 with errno. */
int userns_map_one(pid_t pid, uid_t uid, gid_t gid);

/* An fd of a fresh user namespace mapped that way (its process gone), or -1 with errno. */
int userns_idmap(uid_t uid, gid_t gid);

#endif
