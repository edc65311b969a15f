/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * octopus-npu-detect - print what gres/npu or gres/fpga detection finds on
 * this node, one device per line, before any slurmd sees it:
 *
 *   octopus-npu-detect [--conf gres_npu.conf] [--root DIR | --sys DIR --dev DIR --proc DIR]
 *                      npu|fpga [BACKEND,...|all]
 *
 * --conf reads roots and backends from a gres_npu.conf (and checks it);
 * --root DIR sets all three to DIR/sys, DIR/dev, DIR/proc (a fake tree).
 * Exit 0 when every device found is healthy, 1 if one is not, 2 on bad usage.
 */
#include <stdio.h>
#include <string.h>

#include "detect.h"
#include "npu_config.h"

static int usage(void)
{
	fprintf(stderr, "usage: octopus-npu-detect [--conf FILE] [--root DIR | --sys DIR --dev DIR --proc DIR] npu|fpga "
			"[BACKEND,...|all]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static npu_scan_t scan;
	static npu_config_t conf;
	npu_roots_t r = { "/sys", "/dev", "/proc" };
	const char *list = NULL;
	char err[256];
	npu_kind_t kind;
	int i = 1, sick = 0;

	for (; i + 1 < argc && !strncmp(argv[i], "--", 2); i += 2) {
		if (!strcmp(argv[i], "--conf")) {
			if (npu_config_load(argv[i + 1], &conf, err, sizeof(err))) {
				fprintf(stderr, "octopus-npu-detect: %s\n", err);
				return 2;
			}
			r = conf.roots;
		} else if (!strcmp(argv[i], "--root")) {
			snprintf(r.sys, sizeof(r.sys), "%s/sys", argv[i + 1]);
			snprintf(r.dev, sizeof(r.dev), "%s/dev", argv[i + 1]);
			snprintf(r.proc, sizeof(r.proc), "%s/proc", argv[i + 1]);
		} else if (!strcmp(argv[i], "--sys")) {
			snprintf(r.sys, sizeof(r.sys), "%s", argv[i + 1]);
		} else if (!strcmp(argv[i], "--dev")) {
			snprintf(r.dev, sizeof(r.dev), "%s", argv[i + 1]);
		} else if (!strcmp(argv[i], "--proc")) {
			snprintf(r.proc, sizeof(r.proc), "%s", argv[i + 1]);
		} else {
			return usage();
		}
	}
	if (i >= argc || (strcmp(argv[i], "npu") && strcmp(argv[i], "fpga")))
		return usage();
	kind = !strcmp(argv[i], "npu") ? NPU_KIND_NPU : NPU_KIND_FPGA;
	if (i + 1 < argc)
		list = argv[i + 1];
	else if (conf.npu_backends[0])
		list = kind == NPU_KIND_NPU ? conf.npu_backends : conf.fpga_backends;
	else
		list = "all";
	if (npu_detect(&r, kind, list, &scan, err, sizeof(err))) {
		fprintf(stderr, "octopus-npu-detect: %s\n", err);
		return 2;
	}
	for (size_t k = 0; k < scan.n; k++) {
		const npu_device_t *d = &scan.dev[k];

		printf("%zu vendor=%s type=%s file=%s", k, d->vendor, d->type, d->path);
		for (size_t c = 0; c < d->ncompanions; c++)
			printf("%s%s", c ? "," : " companions=", d->companions[c]);
		printf(" bdf=%s token=%s %s%s\n", d->bdf[0] ? d->bdf : "-", d->token[0] ? d->token : "-",
		       d->healthy ? "healthy" : "unhealthy: ", d->healthy ? "" : d->why);
		sick |= !d->healthy;
	}
	for (size_t k = 0; k < scan.nshared; k++)
		printf("shared %s\n", scan.shared[k]);
	if (scan.warnings[0])
		printf("warning: %s\n", scan.warnings);
	return sick;
}
