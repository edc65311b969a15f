/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mint_proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user_policy.h"

int mint_parse_request(const char *buf, size_t len, char *user, size_t userlen)
{
	size_t n;

	if (len < 6 || len > MINT_REQ_MAX || memcmp(buf, "MINT ", 5) || buf[len - 1] != '\n')
		return -1;
	n = len - 6;
	if (!n || n >= userlen || n >= UP_NAME_MAX)
		return -1;
	memcpy(user, buf + 5, n);
	user[n] = '\0';
	return user_name_valid(user) ? 0 : -1;
}

/* the next space-separated field of [*p, end) into out */
static int field(const char **p, const char *end, char *out, size_t outlen)
{
	const char *s = *p, *e = s;

	while (e < end && *e != ' ')
		e++;
	if (e == s || (size_t)(e - s) >= outlen)
		return -1;
	memcpy(out, s, (size_t)(e - s));
	out[e - s] = '\0';
	*p = e < end ? e + 1 : e;
	return 0;
}

int mint_parse_reply(const char *buf, size_t len, int64_t *exp, char *token, size_t toklen, char *code,
		     size_t codelen, char *msg, size_t msglen)
{
	const char *p = buf, *end;
	char num[24], *e;

	if (!len || len > MINT_REPLY_MAX || buf[len - 1] != '\n' || memchr(buf, '\0', len))
		return -1;
	end = buf + len - 1;
	if (len > 3 && !memcmp(buf, "OK ", 3)) {
		long long v;

		p += 3;
		if (field(&p, end, num, sizeof(num)) || field(&p, end, token, toklen) || p != end)
			return -1;
		v = strtoll(num, &e, 10);
		if (*e || v <= 0)
			return -1;
		*exp = v;
		return 1;
	}
	if (len > 4 && !memcmp(buf, "ERR ", 4)) {
		size_t n;

		p += 4;
		if (field(&p, end, code, codelen))
			return -1;
		n = (size_t)(end - p);
		if (n >= msglen)
			n = msglen - 1;
		memcpy(msg, p, n);
		msg[n] = '\0';
		return 0;
	}
	return -1;
}
