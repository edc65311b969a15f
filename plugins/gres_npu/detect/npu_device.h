/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * npu_device - what detection finds on a node: one record per accelerator
 * (an NPU or an FPGA card), with the device nodes a job holding it must be
 * able to open, and the vendor's own id for the environment. Pure data: no
 * Slurm headers, so backends, merge and env are unit-tested on fake trees.
 */
#ifndef OCTOPUS_NPU_DEVICE_H
#define OCTOPUS_NPU_DEVICE_H

#include <stddef.h>

#define NPU_PATH_MAX 256
#define NPU_MAX_COMPANIONS 8
#define NPU_MAX_DEVICES 128             /* registered with Slurm, after sorting and health */
#define NPU_MAX_SCAN 256                /* detected, before the cap */
#define NPU_MAX_PCI_FUNCTIONS 4096      /* a large server has hundreds */
#define NPU_MAX_SHARED 16

typedef struct {
	char vendor[16];                /* the backend: "ascend", "habana", "xilinx", ... */
	char type[32];                  /* gres Type: "ascend910b", "gaudi2", "u250" */
	char path[NPU_PATH_MAX];        /* primary node, under the dev root */
	unsigned major, minor;
	size_t ncompanions;             /* nodes that belong to this device only */
	char companions[NPU_MAX_COMPANIONS][NPU_PATH_MAX];
	char bdf[16];                   /* "0000:3b:00.0", or "" (virtual devices) */
	char token[64];                 /* the vendor's id: phy id, module id, core range, BDF */
	long order;                     /* stable sort key within the vendor (minor or BDF) */
	int healthy;
	char why[128];                  /* why not healthy */
	/* the device's own numbers, where confirmed (sysfs dev, or the node on
	 * its driver's major): what a left-out device is denied by */
	int id_known;
	unsigned id_major, id_minor;
	unsigned char companion_ok[NPU_MAX_COMPANIONS];   /* confirmed like the primary */
} npu_device_t;

typedef struct {
	npu_device_t dev[NPU_MAX_SCAN];
	size_t n;
	/* control nodes every user of the vendor's devices needs (Ascend
	 * davinci_manager, Cambricon cambricon_ctl) */
	char shared[NPU_MAX_SHARED][NPU_PATH_MAX];
	size_t nshared;
	char warnings[512];             /* what a backend skipped, for the log */
} npu_scan_t;

/* Where to look: "/" roots on a node, fake trees in tests. */
typedef struct {
	char sys[NPU_PATH_MAX];
	char dev[NPU_PATH_MAX];
	char proc[NPU_PATH_MAX];
} npu_roots_t;

#endif
