/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * identity - who is asking, from the request's headers:
 *   Authorization: Bearer pat_...     a personal API token (bridge_db)
 *   X-Octopus-User/-Time/-Signature   a trusted proxy (ProxySecretFile=)
 *   Authorization: Bearer <JWT>       an OIDC access token (OidcJwks=, oidc.c)
 * then the POSIX user behind it passes user_policy (never root, SlurmUser,
 * system uids, the deny list) and gets the admin role from Admins= or
 * AdminGroup=.
 */
#ifndef OCTOPUS_IDENTITY_H
#define OCTOPUS_IDENTITY_H

#include <stddef.h>

#include "bridge.h"

/* 0 and r->who filled, or the HTTP status (401/403/500) with code and why. */
int identity_resolve(req_t *r, char *code, size_t codelen, char *why, size_t whylen);

/* Is user an admin by Admins= or AdminGroup=? */
bool identity_is_admin(const bridge_config_t *cfg, const char *user);

#endif
