/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * npu_state - what gres/npu (or gres/fpga) knows about this node between
 * its entry points: the device nodes each GRES index owns (Slurm's
 * gres_devices, for the device cgroup) and, per index, what the
 * environment needs (vendor, vendor id, the node's own number). Built by
 * node_config_load in slurmd; carried to slurmstepd by send/recv_stepd.
 */
#ifndef OCTOPUS_NPU_STATE_H
#define OCTOPUS_NPU_STATE_H

#include "npu_shim.h"

#define NPU_STATE_VERSION 1     /* of the slurmd -> slurmstepd format */

/*
 * The index of a left-out device in the device list: no job's allocation
 * has it, so task/cgroup always denies the device. Slurm tests it with
 * bit_test(alloc, -1), which reads the bitmap's header word (its bit
 * count, whose top bit is never set) on every release 22.05-26.05; only a
 * Slurm built with --enable-developer asserts on it.
 */
#define NPU_NO_INDEX (-1)

typedef struct {
	char vendor[16];
	char token[64];
	int number;
} npu_index_info_t;

extern list_t *npu_devices;                /* gres_device_t *, several per index possible */
extern npu_index_info_t *npu_info;      /* xmalloc'd, npu_ninfo entries */
extern int npu_ninfo;

/* Drop both (fini, reload, a failed unpack). */
void npu_state_clear(void);

/* node_config_load: detect, merge with gres.conf, rebuild gres_conf_list's
 * records of this GRES and the state. */
int npu_node_load(const char *gres_name, list_t *gres_conf_list, node_config_load_t *cfg);

void npu_state_pack(buf_t *buffer);
int npu_state_unpack(buf_t *buffer);

#endif
