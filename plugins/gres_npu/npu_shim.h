/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * npu_shim - every Slurm internal header gres_npu touches (Slurm 22.05; the
 * 23.02 prep rename and 24.11 list_t land here, nowhere else).
 */
#ifndef OCTOPUS_NPU_SHIM_H
#define OCTOPUS_NPU_SHIM_H

#include "slurm/slurm_version.h"

/*
 * Built and tested against 22.05 only. What a port must change, all of it
 * here and in gres_npu.c's entry points (../shared/docs/anchors/gres.md A7):
 *   23.02  src/common/gres.h -> src/interfaces/gres.h; gres_p_epilog_* ->
 *          gres_p_prep_* with gres_prep_t; add_gres_to_list() takes a
 *          gres_slurmd_conf_t
 *   23.11  the env helpers take common_gres_env_t (unused here)
 *   24.11  List -> list_t *; gres_p_get_{job,step}_info gone
 * Stop at build time rather than load a plugin whose ABI is guessed.
 */
#if SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(23, 2, 0)
#error "gres_npu is written for Slurm 22.05; see npu_shim.h for the port to 23.02 and later"
#endif

#include "src/common/slurm_xlator.h"

#include "src/common/bitstring.h"
#include "src/common/env.h"
#include "src/common/gres.h"
#include "src/common/hostlist.h"
#include "src/common/list.h"
#include "src/common/log.h"
#include "src/common/pack.h"
#include "src/common/read_config.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#endif
