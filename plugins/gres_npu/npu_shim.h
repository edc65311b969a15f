/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * npu_shim - every Slurm internal header gres_npu touches, and what changed
 * in them between the releases it is built for (22.05, 24.11, 26.05):
 *   23.02  src/common/gres.h -> src/interfaces/gres.h; gres_p_epilog_* ->
 *          gres_p_prep_* with gres_prep_t; add_gres_to_list() takes a
 *          gres_slurmd_conf_t
 *   24.11  List -> list_t *, ListIterator -> list_itr_t *; hostlist_t is the
 *          struct, not a pointer; gres_p_get_{job,step}_info gone
 * The plugin's code uses the 24.11 names; this header gives them to 22.05.
 * Releases in between are not built or tested: refuse them at build time
 * rather than load a plugin whose ABI is guessed.
 */
#ifndef OCTOPUS_NPU_SHIM_H
#define OCTOPUS_NPU_SHIM_H

#include "slurm/slurm_version.h"

#if SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(22, 5, 0) && SLURM_VERSION_NUMBER < SLURM_VERSION_NUM(23, 2, 0)
#define NPU_SLURM_22_05 1
#elif SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(24, 11, 0) && SLURM_VERSION_NUMBER < SLURM_VERSION_NUM(26, 6, 0)
#define NPU_SLURM_22_05 0
#else
#error "gres_npu is built and tested for Slurm 22.05, 24.11 and 26.05; see npu_shim.h to port it to this release"
#endif

#include "src/common/slurm_xlator.h"

#include "src/common/bitstring.h"
#include "src/common/env.h"
#include "src/common/hostlist.h"
#include "src/common/list.h"
#include "src/common/log.h"
#include "src/common/pack.h"
#include "src/common/read_config.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"

#if NPU_SLURM_22_05
#include "src/common/gres.h"
typedef struct xlist list_t;
typedef struct listIterator list_itr_t;
typedef gres_epilog_info_t npu_prep_t;
/* the Prolog/Epilog entry points' names */
#define NPU_PREP_BUILD_ENV gres_p_epilog_build_env
#define NPU_PREP_SET_ENV gres_p_epilog_set_env
/* 22.05's syms[] still asks for these; nothing calls them for gres/npu */
#define NPU_HAS_GET_INFO 1
#else
#include "src/interfaces/gres.h"
typedef gres_prep_t npu_prep_t;
#define NPU_PREP_BUILD_ENV gres_p_prep_build_env
#define NPU_PREP_SET_ENV gres_p_prep_set_env
#define NPU_HAS_GET_INFO 0
#endif

/* A record for slurmd's GRES list, as gres.conf's parser makes one (Slurm
 * copies every field). */
static inline void npu_add_gres(list_t *gres_list, const char *name, uint64_t count, uint32_t cpu_cnt, const char *cpus,
				bitstr_t *cpus_bitmap, const char *file, const char *type, uint32_t flags)
{
#if NPU_SLURM_22_05
	add_gres_to_list(gres_list, (char *)name, count, cpu_cnt, (char *)cpus, cpus_bitmap, (char *)file,
			 (char *)type, NULL, NULL, flags);
#else
	gres_slurmd_conf_t rec = {
		.config_flags = flags,
		.count = count,
		.cpu_cnt = cpu_cnt,
		.cpus = (char *)cpus,
		.cpus_bitmap = cpus_bitmap,
		.file = (char *)file,
		.name = (char *)name,
		.type_name = (char *)type,
	};

	add_gres_to_list(gres_list, &rec);
#endif
}

#endif
