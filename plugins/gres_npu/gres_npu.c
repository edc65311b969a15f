/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gres_npu - gres/npu and gres/fpga (one source, built twice with
 * NPU_GRES_NAME "npu" or "fpga"): NPUs and FPGAs as first-class Slurm GRES.
 *
 * By daemon:
 *   slurmd       node_config_load: detect, merge with gres.conf, one record
 *                per device (npu_node.c); prep_set_env (epilog_ before 23.02) for Prolog/Epilog;
 *                send_stepd
 *   slurmstepd   recv_stepd; get_devices for task/cgroup (each index owns
 *                its primary and companion nodes); job/step_set_env
 *   slurmctld    prep_build_env (epilog_build_env before 23.02)
 */
#include "npu_state.h"

#include "visibility.h"
#include "env/npu_env.h"

#ifndef NPU_GRES_NAME
#error "build with -DNPU_GRES_NAME='\"npu\"' or '\"fpga\"'"
#endif

OCTOPUS_EXPORT const char plugin_name[] = "Gres " NPU_GRES_NAME " plugin (Octopus)";
OCTOPUS_EXPORT const char plugin_type[] = "gres/" NPU_GRES_NAME;
OCTOPUS_EXPORT const uint32_t plugin_version = SLURM_VERSION_NUMBER;

OCTOPUS_EXPORT int init(void);
OCTOPUS_EXPORT int fini(void);
OCTOPUS_EXPORT int gres_p_node_config_load(list_t *gres_conf_list, node_config_load_t *cfg);
OCTOPUS_EXPORT void gres_p_job_set_env(char ***env, bitstr_t *alloc, uint64_t cnt, gres_internal_flags_t flags);
OCTOPUS_EXPORT void gres_p_step_set_env(char ***env, bitstr_t *alloc, uint64_t cnt, gres_internal_flags_t flags);
OCTOPUS_EXPORT void gres_p_task_set_env(char ***env, bitstr_t *alloc, uint64_t cnt, bitstr_t *usable,
					gres_internal_flags_t flags);
OCTOPUS_EXPORT void gres_p_send_stepd(buf_t *buffer);
OCTOPUS_EXPORT void gres_p_recv_stepd(buf_t *buffer);
#if NPU_HAS_GET_INFO
OCTOPUS_EXPORT int gres_p_get_job_info(gres_job_state_t *gres_js, uint32_t node_inx,
				       enum gres_job_data_type data_type, void *data);
OCTOPUS_EXPORT int gres_p_get_step_info(gres_step_state_t *gres_ss, uint32_t node_inx,
					enum gres_step_data_type data_type, void *data);
#endif
OCTOPUS_EXPORT list_t *gres_p_get_devices(void);
OCTOPUS_EXPORT void gres_p_step_hardware_init(bitstr_t *usable_gres, char *settings);
OCTOPUS_EXPORT void gres_p_step_hardware_fini(void);
OCTOPUS_EXPORT npu_prep_t *NPU_PREP_BUILD_ENV(gres_job_state_t *gres_js);
OCTOPUS_EXPORT void NPU_PREP_SET_ENV(char ***env, npu_prep_t *gres_ei, int node_inx);

int init(void)
{
	debug("%s loaded", plugin_name);
	return SLURM_SUCCESS;
}

int fini(void)
{
	npu_state_clear();
	return SLURM_SUCCESS;
}

int gres_p_node_config_load(list_t *gres_conf_list, node_config_load_t *cfg)
{
	if (!cfg->in_slurmd)
		return SLURM_SUCCESS;   /* slurmctld: the counts come from the nodes */
	return npu_node_load(NPU_GRES_NAME, gres_conf_list, cfg);
}

static void set_env(char ***env, bitstr_t *alloc, npu_env_level_t level, gres_internal_flags_t flags)
{
	npu_env_dev_t devs[128];
	npu_vars_t *vars = xmalloc(sizeof(*vars));
	const char *const *names = npu_env_names(NPU_GRES_NAME);
	size_t n = 0;

	for (int i = 0; alloc && i < npu_ninfo && i < (int)bit_size(alloc) && n < 128; i++)
		if (bit_test(alloc, i)) {
			devs[n].vendor = npu_info[i].vendor;
			devs[n].token = npu_info[i].token;
			devs[n].gres_index = i;
			devs[n].number = npu_info[i].number;
			n++;
		}
	if (!n) {
		/* --gres=none, or nothing of ours: none of our variables */
		if (!(flags & GRES_INTERNAL_FLAG_PROTECT_ENV))
			for (; *names; names++)
				unsetenvp(*env, *names);
	} else if (npu_env_build(NPU_GRES_NAME, level, gres_use_local_device_index(), devs, n, vars)) {
		error("the device list does not fit the environment");
	} else {
		for (size_t i = 0; i < vars->n; i++)
			env_array_overwrite(env, vars->v[i].name, vars->v[i].value);
	}
	xfree(vars);
}

void gres_p_job_set_env(char ***env, bitstr_t *alloc, uint64_t cnt, gres_internal_flags_t flags)
{
	(void)cnt;
	set_env(env, alloc, NPU_ENV_JOB, flags);
}

void gres_p_step_set_env(char ***env, bitstr_t *alloc, uint64_t cnt, gres_internal_flags_t flags)
{
	(void)cnt;
	set_env(env, alloc, NPU_ENV_STEP, flags);
}

/* Slurm computes per-task usable GRES only for gpu and nic: the step's values stand */
void gres_p_task_set_env(char ***env, bitstr_t *alloc, uint64_t cnt, bitstr_t *usable, gres_internal_flags_t flags)
{
	(void)env;
	(void)alloc;
	(void)cnt;
	(void)usable;
	(void)flags;
}

void gres_p_send_stepd(buf_t *buffer)
{
	npu_state_pack(buffer);
}

void gres_p_recv_stepd(buf_t *buffer)
{
	npu_state_unpack(buffer);
}

#if NPU_HAS_GET_INFO
int gres_p_get_job_info(gres_job_state_t *gres_js, uint32_t node_inx, enum gres_job_data_type data_type, void *data)
{
	(void)gres_js;
	(void)node_inx;
	(void)data_type;
	(void)data;
	return EINVAL;
}

int gres_p_get_step_info(gres_step_state_t *gres_ss, uint32_t node_inx, enum gres_step_data_type data_type,
			 void *data)
{
	(void)gres_ss;
	(void)node_inx;
	(void)data_type;
	(void)data;
	return EINVAL;
}
#endif

list_t *gres_p_get_devices(void)
{
	return npu_devices;
}

void gres_p_step_hardware_init(bitstr_t *usable_gres, char *settings)
{
	(void)usable_gres;
	(void)settings;
}

void gres_p_step_hardware_fini(void)
{
}

/* slurmctld: what each node of the job got, for its Prolog and Epilog */
npu_prep_t *NPU_PREP_BUILD_ENV(gres_job_state_t *gres_js)
{
	npu_prep_t *ei = xmalloc(sizeof(*ei));

	ei->node_cnt = gres_js->node_cnt;
	ei->gres_bit_alloc = xcalloc(ei->node_cnt ? ei->node_cnt : 1, sizeof(bitstr_t *));
	for (uint32_t i = 0; i < ei->node_cnt; i++)
		if (gres_js->gres_bit_alloc && gres_js->gres_bit_alloc[i])
			ei->gres_bit_alloc[i] = bit_copy(gres_js->gres_bit_alloc[i]);
	return ei;
}

/* slurmd, before Prolog/Epilog: outside the job's cgroup, the node's numbers */
void NPU_PREP_SET_ENV(char ***env, npu_prep_t *gres_ei, int node_inx)
{
	if (!gres_ei || node_inx < 0 || (uint32_t)node_inx >= gres_ei->node_cnt || !gres_ei->gres_bit_alloc)
		return;
	set_env(env, gres_ei->gres_bit_alloc[node_inx], NPU_ENV_PROLOG, GRES_INTERNAL_FLAG_NONE);
}
