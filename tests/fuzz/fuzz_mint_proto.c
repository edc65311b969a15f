/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the minter's socket protocol, both directions. A
 * parsed request names a valid login name; a parsed OK reply has a token
 * and a positive expiry. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mint_proto.h"
#include "user_policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char user[UP_NAME_MAX], tok[512], code[32], msg[128];
	int64_t exp = 0;
	int k;

	if (!mint_parse_request((const char *)data, size, user, sizeof(user)) && !user_name_valid(user))
		abort();
	k = mint_parse_reply((const char *)data, size, &exp, tok, sizeof(tok), code, sizeof(code), msg, sizeof(msg));
	if (k == 1 && (exp <= 0 || !tok[0] || strchr(tok, ' ')))
		abort();
	if (k == 0 && (!code[0] || strchr(code, ' ')))
		abort();
	return 0;
}
