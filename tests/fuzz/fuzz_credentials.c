/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: a user's auth.json (the user writes it; slurmstepd
 * parses it). A login found is always "user:password" without control bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credentials.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[CRED_MAX];

	if (cred_lookup((const char *)data, size, "10.77.0.1:5001", out, sizeof(out)) == 1) {
		if (!strchr(out, ':') || strlen(out) >= sizeof(out))
			abort();
		for (const char *p = out; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				abort();
	}
	return 0;
}
