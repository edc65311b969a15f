/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: index, manifest and config documents from a hostile
 * registry. The first byte picks the document kind. */
#include <stddef.h>
#include <stdint.h>

#include "oci_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static oci_manifest_t m;
	oci_blob_t b;
	oci_config_t c;
	char err[256];
	const char *json = (const char *)data + 1;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		oci_index_pick(json, size - 1, data[0] & 4 ? "latest" : NULL, data[0] & 8 ? "amd64" : NULL, &b, err,
			       sizeof(err));
		break;
	case 1:
		oci_manifest_parse(json, size - 1, &m, err, sizeof(err));
		break;
	default:
		if (oci_config_parse(json, size - 1, &c, err, sizeof(err)) == 0)
			oci_config_free(&c);
	}
	return 0;
}
