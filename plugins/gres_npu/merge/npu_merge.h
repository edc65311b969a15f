/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * npu_merge - what detection found, reconciled with what gres.conf says,
 * the way gres/gpu does it, with one difference that matters: a device that
 * is missing or unhealthy takes its whole record with it. Slurm itself
 * skips a File it cannot stat() but keeps counting, which shifts every
 * later device to another index under running jobs; here the node reports
 * fewer devices instead, and slurmctld drains it.
 *
 *   no File= lines       every healthy detected device, in detection order
 *   File= lines          each file must be a detected healthy device (its
 *                        Type, if given, a substring of the detected one)
 *                        or, for vendors detection does not know, an
 *                        existing character device; detected devices no
 *                        line names are left out (logged)
 *
 * Pure code: the Slurm shim splits gres.conf records into one file each.
 */
#ifndef OCTOPUS_NPU_MERGE_H
#define OCTOPUS_NPU_MERGE_H

#include "npu_device.h"

typedef struct {
	char type[32];                  /* "" when the line has no Type= */
	char file[NPU_PATH_MAX];        /* one file of a File= line, or "" (count only) */
	char cores[64];                 /* Cores= as written, or "" */
} npu_conf_rec_t;

typedef struct {
	npu_device_t dev;               /* type is the one to schedule by */
	char cores[64];
	int conf_only;                  /* named by gres.conf, unknown to detection */
} npu_final_t;

#define NPU_MERGE_MAX_LOG 32

typedef struct {
	npu_final_t rec[NPU_MAX_DEVICES];
	size_t n;
	size_t nlog;
	char log[NPU_MERGE_MAX_LOG][256];       /* what was left out and why */
	size_t nlog_dropped;                    /* notes beyond the log's room */
} npu_merged_t;

/* Always succeeds; out->n may be lower than what slurm.conf expects, on purpose. */
void npu_merge(const npu_conf_rec_t *conf, size_t nconf, const npu_scan_t *scan, npu_merged_t *out);

#endif
