/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: kv_parse must never crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>

#include "kvconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kv_doc_t *doc;
	kv_error_t err;

	if (kv_parse((const char *)data, size, &doc, &err) == 0) {
		for (size_t i = 0; i < doc->nrecords; i++)
			(void)kv_record_get(&doc->records[i], "MachineType");
		kv_doc_free(doc);
	}
	return 0;
}
