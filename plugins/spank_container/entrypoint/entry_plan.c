/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "entry_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *entry_plan_encode(char *const *words, size_t n)
{
	size_t total = 1, off = 0;
	char *out;

	if (n > ENTRY_PLAN_MAX_WORDS)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		total += strlen(words[i]) + 22;         /* digits, ':', ',' */
		if (total > ENTRY_PLAN_MAX_BYTES)
			return NULL;
	}
	if (!(out = malloc(total)))
		return NULL;
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(out + off, total - off, "%zu:%s,", strlen(words[i]), words[i]);
	out[off] = '\0';
	return out;
}

int entry_plan_decode(char *plan, char **words, size_t max)
{
	size_t n = 0;
	char *p = plan;

	if (strlen(plan) > ENTRY_PLAN_MAX_BYTES)
		return -1;
	while (*p) {
		size_t len = 0, digits = 0;

		for (; *p >= '0' && *p <= '9'; p++, digits++) {
			if (digits == 6)
				return -1;
			len = len * 10 + (size_t)(*p - '0');
		}
		/* "007:" would make two spellings of one plan */
		if (!digits || *p != ':' || (digits > 1 && p[-(long)digits] == '0'))
			return -1;
		p++;
		if (strnlen(p, len + 1) < len + 1 || p[len] != ',' || memchr(p, '\0', len) || n == max)
			return -1;
		p[len] = '\0';
		words[n++] = p;
		p += len + 1;
	}
	return (int)n;
}
