/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mint_proto - the minter's socket protocol, one exchange per connection:
 *
 *   client:  MINT <user>\n
 *   minter:  OK <exp> <token>\n
 *        or  ERR <code> <message>\n      code: bad_request refused rate_limited internal
 *
 * Pure: parsed and formatted here, fuzzed (fuzz_mint_proto).
 */
#ifndef OCTOPUS_MINT_PROTO_H
#define OCTOPUS_MINT_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define MINT_REQ_MAX 128
#define MINT_REPLY_MAX 2048

/* The user of a request (buf need not be NUL-terminated). 0, or -1. */
int mint_parse_request(const char *buf, size_t len, char *user, size_t userlen);

/* A reply line from the minter into *exp and token, or code and message. 1
 * for OK, 0 for ERR, -1 when it is neither. */
int mint_parse_reply(const char *buf, size_t len, int64_t *exp, char *token, size_t toklen, char *code,
		     size_t codelen, char *msg, size_t msglen);

#endif
