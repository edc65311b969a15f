/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: CDI specs (YAML or JSON) as a vendor tool, or a broken
 * disk, may leave them. Whatever is accepted has absolute paths and
 * NAME=VALUE variables, within the limits. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cdi/cdi_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "example.com/npu=0", "example.com/npu=1" };
	static cdi_edits_t e;
	char err[512];
	int found[2] = { 0, 0 };

	memset(&e, 0, sizeof(e));
	if (cdi_collect_text((const char *)data, size, "f.yaml", names, 2, found, &e, err, sizeof(err)) == 0) {
		if (e.nenv > CDI_MAX_ITEMS || e.nnodes > CDI_MAX_ITEMS || e.nmounts > CDI_MAX_ITEMS)
			abort();
		for (size_t i = 0; i < e.nenv; i++)
			if (!strchr(e.env[i], '=') || e.env[i][0] == '=')
				abort();
		for (size_t i = 0; i < e.nnodes; i++)
			if (e.nodes[i].path[0] != '/' || e.nodes[i].host_path[0] != '/')
				abort();
		for (size_t i = 0; i < e.nmounts; i++)
			if (e.mounts[i].container_path[0] != '/')
				abort();
		for (size_t i = 0; i < e.nhooks; i++)
			if (e.hooks[i].path[0] != '/' || !e.hooks[i].argv || !e.hooks[i].argv[0])
				abort();
	}
	cdi_edits_free(&e);
	return 0;
}
