/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: octopus.conf parsing must never crash, leak or overrun,
 * and a catalog it accepts must describe itself within bounds. */
#include <stddef.h>
#include <stdint.h>

#include "mt_catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mt_error_t err;
	mt_catalog_t *cat = mt_catalog_parse((const char *)data, size, &err);
	static char buf[8192];

	if (cat) {
		mt_catalog_describe(cat, buf, sizeof(buf));
		mt_catalog_type_list(cat, cat->types[0].partitions[0], buf, 64);
		mt_catalog_free(cat);
	}
	return 0;
}
