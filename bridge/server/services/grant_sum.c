/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "grant_sum.h"

#include <string.h>

static int counts(const gl_grant_t *x, const char *account, const char *type, int64_t now)
{
	return x->status == GL_ACTIVE && x->start <= now && x->end > now && !strcmp(x->account, account) &&
	       !strcmp(x->machine_type, type);
}

void grant_sum(const gl_grant_t *g, size_t n, const char *account, const char *type, int64_t now, uint32_t units,
	       uint64_t *limit, int64_t *end)
{
	uint64_t total = 0;
	int any = 0;

	*end = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t held = 0;

		if (!counts(&g[i], account, type, now))
			continue;
		any = 1;
		total += g[i].units;
		/* at g[i]'s end, the grants ending then or later still hold */
		for (size_t k = 0; k < n; k++)
			if (counts(&g[k], account, type, now) && g[k].end >= g[i].end)
				held += g[k].units;
		if (held >= units && g[i].end > *end)
			*end = g[i].end;
	}
	*limit = any ? total : UINT64_MAX;
}
