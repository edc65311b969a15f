/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * minter_client - the bridge's side of octopus-jwt-minter: a Slurm token
 * for the requesting user, cached until a minute before it expires (so a
 * busy user costs one mint per ~4 minutes, not one per request).
 */
#ifndef OCTOPUS_MINTER_CLIENT_H
#define OCTOPUS_MINTER_CLIENT_H

#include <stddef.h>
#include <stdint.h>

typedef struct minter_client minter_client_t;

minter_client_t *mc_new(const char *socket_path);
void mc_free(minter_client_t *mc);

/* 0 and the token; -1 with code ("refused", "rate_limited", "unavailable",
 * ...) and why. */
int mc_token(minter_client_t *mc, const char *user, char *token, size_t toklen, char *code, size_t codelen,
	     char *why, size_t whylen);

/* counters for /metrics */
void mc_stats(minter_client_t *mc, uint64_t *mints, uint64_t *hits, uint64_t *errors);

#endif
