/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "gres_count.h"

#include <stdlib.h>
#include <string.h>

/* "gpu:a100:4(S:0-1)" -> name "gpu:a100", count 4; "npu" -> "npu", 1 */
static int item(const char *s, size_t n, char *name, size_t len, uint64_t *count)
{
	const char *paren = memchr(s, '(', n), *colon = NULL, *end;
	char num[24];

	if (paren)
		n = (size_t)(paren - s);
	end = s + n;
	for (const char *p = s; p < end; p++)
		if (*p == ':')
			colon = p;
	*count = 1;
	if (colon && colon + 1 < end && strspn(colon + 1, "0123456789") >= (size_t)(end - colon - 1) &&
	    (size_t)(end - colon - 1) < sizeof(num)) {
		memcpy(num, colon + 1, (size_t)(end - colon - 1));
		num[end - colon - 1] = '\0';
		*count = strtoull(num, NULL, 10);
		n = (size_t)(colon - s);
	}
	if (!n || n >= len)
		return -1;
	memcpy(name, s, n);
	name[n] = '\0';
	return 0;
}

static void each(gres_count_t *c, const char *str, int used)
{
	const char *p = str;

	while (p && *p) {
		/* commas inside parentheses (IDX:0,2) do not split */
		size_t n = 0;
		int depth = 0;
		char name[64];
		uint64_t k;

		while (p[n] && (depth || p[n] != ',')) {
			depth += p[n] == '(' ? 1 : p[n] == ')' ? -1 : 0;
			n++;
		}
		if (!item(p, n, name, sizeof(name), &k)) {
			size_t i;

			for (i = 0; i < c->n && strcmp(c->e[i].name, name); i++)
				;
			if (i == c->n && c->n < GC_MAX) {
				strcpy(c->e[c->n].name, name);
				c->e[c->n].total = c->e[c->n].used = 0;
				c->n++;
			}
			if (i < c->n) {
				if (used)
					c->e[i].used += k;
				else
					c->e[i].total += k;
			}
		}
		p += n + (p[n] == ',');
	}
}

void gres_count_add(gres_count_t *c, const char *gres, const char *gres_used)
{
	each(c, gres, 0);
	each(c, gres_used, 1);
}
