/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "router.h"

#include <stdio.h>
#include <string.h>

/* Does path fit pattern? Parameters into m (a parameter is a non-empty
 * segment of URL-safe characters: no '%', so no encoded '/' or '..'). */
static int fits(const char *pattern, const char *path, route_match_t *m)
{
	const char *p = pattern, *s = path;

	m->nparams = 0;
	while (*p && *s) {
		if (!strncmp(p, "{}", 2)) {
			size_t n = strcspn(s, "/");

			if (!n || n >= ROUTE_PARAM_MAX || m->nparams == ROUTE_MAX_PARAMS)
				return 0;
			for (size_t i = 0; i < n; i++) {
				char c = s[i];

				if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
				      c == '_' || c == '-' || c == '.'))
					return 0;
			}
			if ((n == 1 && s[0] == '.') || (n == 2 && !strncmp(s, "..", 2)))
				return 0;
			memcpy(m->params[m->nparams], s, n);
			m->params[m->nparams++][n] = '\0';
			p += 2;
			s += n;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	/* one trailing slash is the same resource */
	if (!*p && s[0] == '/' && !s[1])
		s++;
	return !*p && !*s;
}

void route_find(const route_t *table, size_t n, const char *method, const char *path, route_match_t *m)
{
	route_match_t probe;

	memset(m, 0, sizeof(*m));
	m->status = 404;
	if (!method || !path || path[0] != '/')
		return;
	for (size_t i = 0; i < n; i++) {
		if (!fits(table[i].pattern, path, &probe))
			continue;
		if (!strcmp(table[i].method, method)) {
			*m = probe;
			m->route = &table[i];
			m->status = 0;
			return;
		}
		if (m->status == 404)
			m->status = 405;
		if (!strstr(m->allow, table[i].method)) {
			size_t used = strlen(m->allow);

			snprintf(m->allow + used, sizeof(m->allow) - used, "%s%s", used ? ", " : "", table[i].method);
		}
	}
}
