/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * npu_env - the variables a job, step or prolog/epilog gets for its NPUs or
 * FPGAs: Slurm's own style (SLURM_JOB_NPUS: the GRES indices) and each
 * vendor's runtime variable for the devices of that vendor it holds.
 *
 * Index mode: under ConstrainDevices a job sees only its devices, and the
 * runtimes that renumber what they can open (Ascend on 910B, CUDA-like
 * stacks) want 0..k-1 -- "local". Without it, and in prolog/epilog (outside
 * the job's cgroup), the node's own numbers -- "global". Pure code: no
 * Slurm headers.
 */
#ifndef OCTOPUS_NPU_ENV_H
#define OCTOPUS_NPU_ENV_H

#include <stddef.h>

typedef struct {
	const char *vendor;     /* npu_device_t.vendor */
	const char *token;      /* npu_device_t.token */
	int gres_index;         /* its index in the node's GRES */
	int number;             /* the node's own number for it (davinciN, neuronN ..., XRT's index) */
} npu_env_dev_t;

typedef enum { NPU_ENV_JOB, NPU_ENV_STEP, NPU_ENV_PROLOG } npu_env_level_t;

#define NPU_ENV_MAX_VARS 12
#define NPU_ENV_VALUE_MAX 2048

typedef struct {
	size_t n;
	struct {
		char name[48];
		char value[NPU_ENV_VALUE_MAX];
	} v[NPU_ENV_MAX_VARS];
} npu_vars_t;

/* The variables for the allocated devices (any order; at most 128) of
 * GRES gres_name ("npu" or "fpga"). n == 0 yields no variables: the caller
 * unsets npu_env_names(). 0, or -1 if a value does not fit. */
int npu_env_build(const char *gres_name, npu_env_level_t level, int local, const npu_env_dev_t *devs, size_t n,
		  npu_vars_t *out);

/* Every variable npu_env_build may set for gres_name, NULL-terminated. */
const char *const *npu_env_names(const char *gres_name);

#endif
