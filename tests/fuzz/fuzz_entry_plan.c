/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the OCTOPUS_ENTRYPOINT plan octopus-entrypoint decodes
 * (any user can set it). What decodes must encode back to the same bytes:
 * one plan, one spelling. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "entry_plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, *copy, *words[ENTRY_PLAN_MAX_WORDS], *again;
	int n;

	if (!(s = malloc(size + 1)))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (!(copy = strdup(s))) {
		free(s);
		return 0;
	}
	n = entry_plan_decode(s, words, ENTRY_PLAN_MAX_WORDS);
	if (n > ENTRY_PLAN_MAX_WORDS)
		abort();
	if (n >= 0) {
		again = entry_plan_encode(words, (size_t)n);
		if (!again || strcmp(again, copy))
			abort();
		free(again);
	}
	free(copy);
	free(s);
	return 0;
}
