/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: gres_npu.conf text. What is accepted has absolute roots
 * without "..", and backend lists of the allowed characters only. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "npu_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_path(const char *p, int may_be_empty)
{
	if ((!*p && may_be_empty))
		return;
	if (p[0] != '/' || strstr(p, "/../"))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static npu_config_t c;
	char err[512];

	if (npu_config_parse((const char *)data, size, &c, err, sizeof(err)) == 0) {
		check_path(c.roots.sys, 0);
		check_path(c.roots.dev, 0);
		check_path(c.roots.proc, 0);
		check_path(c.hwloc_xml, 1);
		if (strspn(c.npu_backends, "abcdefghijklmnopqrstuvwxyz_,") != strlen(c.npu_backends) ||
		    strspn(c.fpga_backends, "abcdefghijklmnopqrstuvwxyz_,") != strlen(c.fpga_backends))
			abort();
	}
	return 0;
}
