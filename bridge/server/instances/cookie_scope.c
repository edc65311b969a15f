/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "cookie_scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *cookie_scope(const char *v, const char *base)
{
	size_t n = strlen(v), bl = strlen(base), attrs = 1;
	char *out, *o;
	const char *p = v;
	int first = 1;

	for (const char *q = v; *q; q++)
		attrs += *q == ';';
	/* each attribute may become "; Path=<base>", and one more may follow */
	if (!(o = out = malloc(n + (attrs + 1) * (bl + 16) + 1)))
		return NULL;
	while (*p) {
		const char *semi = strchr(p, ';'), *e = semi ? semi : p + strlen(p);
		const char *a = p;

		while (a < e && *a == ' ')
			a++;
		if (!first && !strncasecmp(a, "path=", 5)) {
			if ((size_t)(e - a - 5) >= bl && !strncmp(a + 5, base, bl))
				o += sprintf(o, "; Path=%.*s", (int)(e - a - 5), a + 5);
			else
				o += sprintf(o, "; Path=%s", base);
		} else if (!first && !strncasecmp(a, "domain=", 7)) {
			/* dropped: host-only */
		} else {
			o += sprintf(o, "%s%.*s", first ? "" : "; ", (int)(e - a), a);
		}
		first = 0;
		p = semi ? semi + 1 : e;
	}
	*o = '\0';
	if (!strstr(out, "; Path="))
		sprintf(o, "; Path=%s", base);
	return out;
}
