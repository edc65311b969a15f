/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cdi_select.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERRF(...) (snprintf(err, errlen, __VA_ARGS__), -1)

int cdi_name_valid(const char *name)
{
	const char *slash = strchr(name, '/'), *eq = strchr(name, '=');

	if (!slash || !eq || eq < slash || slash == name || eq == slash + 1 || !eq[1] || strlen(name) > 255)
		return 0;
	for (const char *p = name; *p; p++) {
		int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			 *p == '-' || *p == '_' || *p == '.' || *p == ':';

		if (!ok && p != slash && p != eq)
			return 0;
	}
	return strchr(slash + 1, '/') == NULL && strchr(eq + 1, '=') == NULL;
}


/* One "gres=vendor/class" entry of map at *p: its parts, *p moved past it. */
static int next_entry(const char **p, char *gres, size_t glen, char *kind, size_t klen)
{
	const char *s = *p, *comma = strchr(s, ','), *end = comma ? comma : s + strlen(s), *eq = memchr(s, '=', (size_t)(end - s));
	char probe[CDI_NAME_MAX + 4];

	*p = comma ? comma + 1 : end;
	if (!eq || eq == s || (size_t)(eq - s) >= glen || (size_t)(end - eq - 1) >= klen)
		return -1;
	memcpy(gres, s, (size_t)(eq - s));
	gres[eq - s] = '\0';
	memcpy(kind, eq + 1, (size_t)(end - eq - 1));
	kind[end - eq - 1] = '\0';
	for (const char *g = gres; *g; g++)
		if (!islower((unsigned char)*g) && !isdigit((unsigned char)*g) && *g != '_')
			return -1;
	snprintf(probe, sizeof(probe), "%s=0", kind);
	return cdi_name_valid(probe) ? 0 : -1;
}

int cdi_map_check(const char *map, char *err, size_t errlen)
{
	const char *p = map;
	char gres[32], kind[CDI_NAME_MAX];
	int n = 0;

	while (*p) {
		const char *at = p;

		if (++n > CDI_MAP_MAX || next_entry(&p, gres, sizeof(gres), kind, sizeof(kind)))
			return ERRF("cdi_devices=: '%.*s' is not GRES=vendor.com/class (e.g. gpu=nvidia.com/gpu; "
				    "at most %d, comma-separated)", (int)strcspn(at, ","), at, CDI_MAP_MAX);
	}
	return 0;
}

int cdi_select(const char *map, int batch_step, const char *(*get)(const char *name, void *arg), void *arg,
	       char (*names)[CDI_NAME_MAX], size_t max, size_t *n, char *err, size_t errlen)
{
	const char *p = map;
	char gres[32], kind[CDI_NAME_MAX];

	*n = 0;
	while (p && *p) {
		char var[64];
		const char *list;

		if (next_entry(&p, gres, sizeof(gres), kind, sizeof(kind)))
			return ERRF("cdi_devices=: not GRES=vendor.com/class");
		/* gres is at most 31 characters: SLURM_STEP_<GRES>S fits */
		int w = snprintf(var, sizeof(var), "SLURM_%s_", batch_step ? "JOB" : "STEP");

		for (size_t i = 0; gres[i]; i++)
			var[w++] = (char)toupper((unsigned char)gres[i]);
		var[w++] = 'S';
		var[w] = '\0';
		if (!(list = get(var, arg)) || !list[0])
			continue;
		/* "0,2" or "0-3": Slurm writes device numbers; nothing else is trusted */
		for (const char *q = list; *q;) {
			char *end;
			unsigned long lo, hi;

			errno = 0;
			lo = strtoul(q, &end, 10);
			if (end == q || errno || !isdigit((unsigned char)*q))
				return ERRF("%s=%.64s: not a list of device numbers", var, list);
			hi = lo;
			if (*end == '-') {
				q = end + 1;
				hi = strtoul(q, &end, 10);
				if (end == q || hi < lo || hi - lo > 1024 || !isdigit((unsigned char)*q))
					return ERRF("%s=%.64s: not a list of device numbers", var, list);
			}
			for (unsigned long i = lo; i <= hi; i++) {
				if (*n == max)
					return ERRF("%s: more than %zu CDI devices", var, max);
				if (snprintf(names[*n], CDI_NAME_MAX, "%s=%lu", kind, i) >= CDI_NAME_MAX)
					return ERRF("cdi_devices=: %.64s=%lu is longer than %d", kind, i, CDI_NAME_MAX - 1);
				(*n)++;
			}
			if (*end == ',')
				end++;
			else if (*end)
				return ERRF("%s=%.64s: not a list of device numbers", var, list);
			q = end;
		}
	}
	return 0;
}
