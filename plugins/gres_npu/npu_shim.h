/*
 * npu_shim - every Slurm internal header gres_npu touches (Slurm 22.05; the
 * 23.02 prep rename and 24.11 list_t land here, nowhere else).
 */
#ifndef OCTOPUS_NPU_SHIM_H
#define OCTOPUS_NPU_SHIM_H

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
