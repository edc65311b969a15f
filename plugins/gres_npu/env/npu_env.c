/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "npu_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const npu_names[] = {
	"SLURM_JOB_NPUS", "SLURM_STEP_NPUS", "SLURM_NPUS_ON_NODE", "ASCEND_RT_VISIBLE_DEVICES", "ASCEND_VISIBLE_DEVICES",
	"HABANA_VISIBLE_MODULES", "NEURON_RT_VISIBLE_CORES", "MLU_VISIBLE_DEVICES", "TT_VISIBLE_DEVICES", NULL,
};
static const char *const fpga_names[] = {
	"SLURM_JOB_FPGAS", "SLURM_STEP_FPGAS", "SLURM_FPGAS_ON_NODE", "OCTOPUS_FPGA_BDFS", "XILINX_VISIBLE_DEVICES", NULL,
};

const char *const *npu_env_names(const char *gres_name)
{
	return strcmp(gres_name, "fpga") ? npu_names : fpga_names;
}

static int by_gres_index(const void *a, const void *b)
{
	const npu_env_dev_t *x = a, *y = b;

	return x->gres_index - y->gres_index;
}

static int by_number(const void *a, const void *b)
{
	const npu_env_dev_t *x = a, *y = b;

	return x->number - y->number;
}

/* value += piece, comma-separated */
static int append(char *value, const char *piece)
{
	size_t n = strlen(value);
	int w = snprintf(value + n, NPU_ENV_VALUE_MAX - n, "%s%s", n ? "," : "", piece);

	return w < 0 || (size_t)w >= NPU_ENV_VALUE_MAX - n ? -1 : 0;
}

static char *add_var(npu_vars_t *out, const char *name)
{
	if (out->n == NPU_ENV_MAX_VARS)
		return NULL;
	snprintf(out->v[out->n].name, sizeof(out->v[out->n].name), "%s", name);
	out->v[out->n].value[0] = '\0';
	return out->v[out->n++].value;
}

/* The devices of one vendor, in the node's numbering. */
static size_t of_vendor(const npu_env_dev_t *devs, size_t n, const char *vendor, npu_env_dev_t *sel)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(devs[i].vendor, vendor))
			sel[k++] = devs[i];
	qsort(sel, k, sizeof(*sel), by_number);
	return k;
}

/*
 * NEURON_RT_VISIBLE_CORES: device i with c cores owns cores i*c .. i*c+c-1.
 * One range when they join up; otherwise a comma list of ranges, which the
 * Neuron runtime reads from 2.16.18 on.
 */
static int neuron_cores(const npu_env_dev_t *sel, size_t k, int local, char *value)
{
	long lo = -1, hi = -1;
	char piece[48];

	for (size_t i = 0; i < k; i++) {
		long c = atol(sel[i].token), pos = local ? (long)i : sel[i].number;

		if (c <= 0)
			return -1;
		if (lo >= 0 && pos * c == hi + 1) {
			hi = pos * c + c - 1;
			continue;
		}
		if (lo >= 0) {
			snprintf(piece, sizeof(piece), lo == hi ? "%ld" : "%ld-%ld", lo, hi);
			if (append(value, piece))
				return -1;
		}
		lo = pos * c;
		hi = lo + c - 1;
	}
	if (lo >= 0) {
		snprintf(piece, sizeof(piece), lo == hi ? "%ld" : "%ld-%ld", lo, hi);
		return append(value, piece);
	}
	return 0;
}

int npu_env_build(const char *gres_name, npu_env_level_t level, int local, const npu_env_dev_t *in, size_t n,
		  npu_vars_t *out)
{
	npu_env_dev_t devs[128], sel[128];
	int fpga = !strcmp(gres_name, "fpga");
	char piece[64], *v;
	size_t k;

	out->n = 0;
	if (!n)
		return 0;
	if (n > 128)
		return -1;
	memcpy(devs, in, n * sizeof(*devs));
	qsort(devs, n, sizeof(*devs), by_gres_index);
	/* Slurm's own: the GRES indices, like SLURM_JOB_GPUS */
	if (!(v = add_var(out, level == NPU_ENV_STEP ? (fpga ? "SLURM_STEP_FPGAS" : "SLURM_STEP_NPUS")
						    : (fpga ? "SLURM_JOB_FPGAS" : "SLURM_JOB_NPUS"))))
		return -1;
	for (size_t i = 0; i < n; i++) {
		snprintf(piece, sizeof(piece), "%d", devs[i].gres_index);
		if (append(v, piece))
			return -1;
	}
	if (!(v = add_var(out, fpga ? "SLURM_FPGAS_ON_NODE" : "SLURM_NPUS_ON_NODE")))
		return -1;
	snprintf(v, NPU_ENV_VALUE_MAX, "%zu", n);
	/* prolog/epilog run outside the job's cgroup: the node's numbers */
	if (level == NPU_ENV_PROLOG)
		local = 0;

	if (fpga) {
		char *xil = NULL;

		if (!(v = add_var(out, "OCTOPUS_FPGA_BDFS")))
			return -1;
		for (size_t i = 0; i < n; i++)
			if (devs[i].token[0] && append(v, devs[i].token))
				return -1;
		/* read on the host by the Xilinx container runtime, before any
		 * cgroup: XRT's own numbering of the node's cards, always */
		k = of_vendor(devs, n, "xilinx", sel);
		for (size_t i = 0; i < k; i++) {
			if (!xil && !(xil = add_var(out, "XILINX_VISIBLE_DEVICES")))
				return -1;
			snprintf(piece, sizeof(piece), "%d", sel[i].number);
			if (append(xil, piece))
				return -1;
		}
		return 0;
	}
	if ((k = of_vendor(devs, n, "ascend", sel))) {
		char *rt = add_var(out, "ASCEND_RT_VISIBLE_DEVICES"), *phy = add_var(out, "ASCEND_VISIBLE_DEVICES");

		if (!rt || !phy)
			return -1;
		for (size_t i = 0; i < k; i++) {
			snprintf(piece, sizeof(piece), "%d", local ? (int)i : sel[i].number);
			if (append(rt, piece) || append(phy, sel[i].token))
				return -1;
		}
	}
	if ((k = of_vendor(devs, n, "habana", sel))) {
		if (!(v = add_var(out, "HABANA_VISIBLE_MODULES")))
			return -1;
		for (size_t i = 0; i < k; i++)
			if (append(v, sel[i].token))
				return -1;
	}
	if ((k = of_vendor(devs, n, "neuron", sel))) {
		if (!(v = add_var(out, "NEURON_RT_VISIBLE_CORES")) || neuron_cores(sel, k, local, v))
			return -1;
	}
	if ((k = of_vendor(devs, n, "cambricon", sel))) {
		if (!(v = add_var(out, "MLU_VISIBLE_DEVICES")))
			return -1;
		for (size_t i = 0; i < k; i++) {
			snprintf(piece, sizeof(piece), "%d", local ? (int)i : sel[i].number);
			if (append(v, piece))
				return -1;
		}
	}
	if ((k = of_vendor(devs, n, "tenstorrent", sel))) {
		/* PCI addresses: immune to renumbering, local or not */
		if (!(v = add_var(out, "TT_VISIBLE_DEVICES")))
			return -1;
		for (size_t i = 0; i < k; i++)
			if (append(v, sel[i].token))
				return -1;
	}
	return 0;
}
