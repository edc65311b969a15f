/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * credentials - a user's registry login from the files podman, skopeo and
 * docker write: ~/.config/containers/auth.json and ~/.docker/config.json,
 * {"auths": {"<registry>": {"auth": "<base64 of user:password>"}}}.
 * The caller reads the file with the user's own rights; this only parses.
 */
#ifndef OCTOPUS_CREDENTIALS_H
#define OCTOPUS_CREDENTIALS_H

#include <stddef.h>

#define CRED_MAX 512

/* 1 and "user:password" in out if the file has a login for registry (host[:port]),
 * 0 if not, -1 if the file is not a valid auth file. */
int cred_lookup(const char *json, size_t len, const char *registry, char *out, size_t outlen);

#endif
