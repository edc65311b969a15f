/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * npu_config - gres_npu.conf, the plugins' own settings (gres.conf cannot
 * carry new keys), next to slurm.conf:
 *
 *   SysfsRoot=/sys  DevRoot=/dev  ProcRoot=/proc     where detection looks
 *   HwlocXml=PATH                                    topology for Cores=
 *   NpuBackends=all|ascend,habana,...                which vendors gres/npu scans
 *   FpgaBackends=all|xilinx,dfl
 *   ControlDevices=allow|restrict                    shared control nodes: open to
 *                                                    all, or only to jobs holding a device
 *
 * The file is optional; without it every default holds. Environment
 * variables OCTOPUS_NPU_SYSFS_ROOT, _DEV_ROOT, _PROC_ROOT override the
 * roots (tests). Pure code: no Slurm headers.
 */
#ifndef OCTOPUS_NPU_CONFIG_H
#define OCTOPUS_NPU_CONFIG_H

#include <stddef.h>

#include "npu_device.h"

typedef struct {
	npu_roots_t roots;
	char hwloc_xml[NPU_PATH_MAX];
	char npu_backends[256];
	char fpga_backends[256];
	int restrict_control;
} npu_config_t;

void npu_config_defaults(npu_config_t *c);

/* Defaults, then len bytes of text; 0, or -1 with "line N: what and the fix" in err. */
int npu_config_parse(const char *text, size_t len, npu_config_t *c, char *err, size_t errlen);

/* npu_config_parse of a file; a missing file is the defaults (0). */
int npu_config_load(const char *path, npu_config_t *c, char *err, size_t errlen);

/* The OCTOPUS_NPU_*_ROOT variables, through getenv_fn (getenv, or a test's). */
void npu_config_env(npu_config_t *c, const char *(*getenv_fn)(const char *));

#endif
