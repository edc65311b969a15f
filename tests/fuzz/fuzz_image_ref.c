/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: --container-image parsing on hostile strings. Whatever
 * is accepted must format back to a reference that parses to the same. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), err[IMG_ERR_MAX], canon[2 * IMG_PATH_MAX], again[2 * IMG_PATH_MAX];
	img_ref_t r, r2;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (img_ref_parse(s, NULL, &r, err, sizeof(err)) == 0) {
		if (img_ref_format(&r, canon, sizeof(canon)) ||
		    img_ref_parse(canon, NULL, &r2, err, sizeof(err)) ||
		    img_ref_format(&r2, again, sizeof(again)) || strcmp(canon, again))
			abort();        /* canonical form must be a fixed point */
	} else if (!memchr(err, '\0', sizeof(err)) || !err[0]) {
		abort();                /* every refusal says why */
	}
	free(s);
	return 0;
}
