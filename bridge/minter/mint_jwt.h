/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mint_jwt - the Slurm token itself: HS256 over {iat, exp, sun}, the claims
 * auth/jwt in slurmctld and slurmdbd check (the key is the raw bytes of
 * jwt_hs256.key).
 */
#ifndef OCTOPUS_MINT_JWT_H
#define OCTOPUS_MINT_JWT_H

#include <stddef.h>
#include <stdint.h>

#define MINT_KEY_MAX 4096

/* Read the key file: a regular file, not readable or writable by group or
 * others, 16 to MINT_KEY_MAX bytes. 0, or -1 with why. */
int mint_key_load(const char *path, unsigned char *key, size_t *keylen, char *why, size_t len);

/* A token for user valid from now for lifespan seconds, into out (NUL-
 * terminated). 0, or -1 when it does not fit or libjwt fails. */
int mint_token(const unsigned char *key, size_t keylen, const char *user, int64_t now, int lifespan, char *out,
	       size_t outlen);

#endif
