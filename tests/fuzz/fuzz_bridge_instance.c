/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Instances' parsers of what others write: the IDE's Set-Cookie (code the
 * user controls), connection.yml (a file in the user's home) and the IDE
 * catalog (the admin's). The first byte picks the parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cookie_scope.h"
#include "ide_catalog.h"
#include "instance_wrapper.h"

#define BASE "/i/0123456789abcdef/"

static void check_cookie(const char *in)
{
	char *o = cookie_scope(in, BASE);
	const char *p;

	if (!o)
		return;
	/* every Path= attribute is inside the instance; no Domain= survives */
	for (p = o; (p = strstr(p, "; Path=")); p += 7)
		if (strncmp(p + 7, BASE, strlen(BASE)))
			abort();
	for (p = o; (p = strchr(p, ';')); p++) {
		const char *a = p + 1;

		while (*a == ' ')
			a++;
		if (!strncasecmp(a, "domain=", 7) || (!strncasecmp(a, "path=", 5) && strncmp(a + 5, BASE, strlen(BASE))))
			abort();
	}
	if (!strstr(o, "; Path=" BASE))
		abort();
	free(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1 || size > 65536)
		return 0;
	if (!(s = malloc(size)))
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 3) {
	case 0:
		check_cookie(s);
		break;
	case 1: {
		char pw[IW_PASSWORD_MAX + 1];
		int port = 0;

		if (!iw_parse_connection((const char *)data + 1, size - 1, &port, pw, sizeof(pw))) {
			size_t n = strlen(pw);

			if (port < 1 || port > 65535 || n < 16 || n > IW_PASSWORD_MAX || strpbrk(pw, " \r\n:;\"'"))
				abort();
		}
		break;
	}
	default: {
		static ide_catalog_t c;
		char why[400];

		if (!ide_catalog_parse((const char *)data + 1, size - 1, &c, why, sizeof(why)))
			for (size_t i = 0; i < c.n; i++) {
				char v[512], *script;
				const char *p = strstr(c.ide[i].auth_value, "%p");

				if (!p || strstr(p + 2, "%p") || strpbrk(c.ide[i].auth_value, "\r\n") ||
				    ide_auth_value(&c.ide[i], "0123456789abcdef", v, sizeof(v)) || strstr(v, "%p"))
					abort();
				if (!(script = iw_script("0123456789abcdef", &c.ide[i])))
					abort();
				free(script);
			}
		break;
	}
	}
	free(s);
	return 0;
}
