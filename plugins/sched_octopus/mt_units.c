/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mt_units.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mt_reject.h"

/* The count in a one-entry per-TRES option ("gres:gpu:2", "gres:gpu:a100:2"):
 * 0 and *n, 1 when absent, -1 when it names something else or several. */
static int per_gres(const char *s, const char *gres, uint64_t *n)
{
	const char *last;
	char *end;

	if (!s || !*s)
		return 1;
	if (strchr(s, ',') || strncmp(s, "gres:", 5) || strncmp(s + 5, gres, strlen(gres)) ||
	    (s[5 + strlen(gres)] != ':') || !(last = strrchr(s, ':')) || !isdigit((unsigned char)last[1]))
		return -1;
	errno = 0;
	*n = strtoull(last + 1, &end, 10);
	return errno || *end ? -1 : 0;
}

/*
 * CPUs and memory: the type's per-accelerator share, unless the job set its
 * own and it fits the units -- a job whose steps ask for what it was given
 * must get it, and one that asks for more than a unit holds is refused here
 * with the reason, not accepted to fail later.
 */
int mt_units_resources(const mt_request_t *req, const mt_type_t *t, mt_decision_t *out)
{
	uint32_t cpus_per_gres = t->cpus_per_unit / t->gres_per_unit;
	uint64_t mem_per_gres = t->mem_mb_per_unit / t->gres_per_unit, cpus = (uint64_t)out->units * t->cpus_per_unit;
	uint64_t mem = (uint64_t)out->units * t->mem_mb_per_unit, n;
	int r;

	if (req->min_cpus > cpus) {
		mt_reject(out, MT_ERR_CONFIG,
			  "the job asks for %" PRIu32 " CPUs but %" PRIu32 " unit(s) of %s give %" PRIu64 ": ask for more units",
			  req->min_cpus, out->units, t->name, cpus);
		return -1;
	}
	if ((r = per_gres(req->cpus_per_tres, t->gres_name, &n)) < 0) {
		mt_reject(out, MT_ERR_CONFIG, "--cpus-per-%s must name %s only on machine type %s", t->gres_name,
			  t->gres_name, t->name);
		return -1;
	}
	if (!r && (n == 0 || n > cpus_per_gres)) {
		mt_reject(out, MT_ERR_CONFIG,
			  "machine type %s gives %" PRIu32 " CPU(s) per %s; the job asks --cpus-per-%s=%" PRIu64 ": use %" PRIu32 " or fewer, or a type with more CPUs",
			  t->name, cpus_per_gres, t->gres_name, t->gres_name, n, cpus_per_gres);
		return -1;
	}
	snprintf(out->cpus_per_tres, MT_FIELD_MAX, "gres:%s:%" PRIu64, t->gres_name, r ? cpus_per_gres : n);

	if (req->mem_per_node_mb > mem) {
		mt_reject(out, MT_ERR_MEMORY,
			  "the job asks for %" PRIu64 " MB of memory but %" PRIu32 " unit(s) of %s give %" PRIu64 " MB: ask for more units",
			  req->mem_per_node_mb, out->units, t->name, mem);
		return -1;
	}
	if (req->mem_per_cpu_mb && req->mem_per_cpu_mb * t->cpus_per_unit > t->mem_mb_per_unit) {
		mt_reject(out, MT_ERR_MEMORY,
			  "machine type %s gives %" PRIu64 " MB per CPU; the job asks --mem-per-cpu=%" PRIu64 ": use that or less",
			  t->name, t->mem_mb_per_unit / t->cpus_per_unit, req->mem_per_cpu_mb);
		return -1;
	}
	if ((r = per_gres(req->mem_per_tres, t->gres_name, &n)) < 0 || (!r && (n == 0 || n > mem_per_gres))) {
		mt_reject(out, MT_ERR_MEMORY,
			  "machine type %s gives %" PRIu64 " MB per %s; the job's --mem-per-%s asks for more: use that or less",
			  t->name, mem_per_gres, t->gres_name, t->gres_name);
		return -1;
	}
	/* Slurm takes one of --mem, --mem-per-cpu, --mem-per-gpu: the job's own
	 * stays when it gave one (it fits, above); else the type's per-GPU share */
	out->mem_per_tres[0] = '\0';
	if (!r)
		snprintf(out->mem_per_tres, MT_FIELD_MAX, "gres:%s:%" PRIu64, t->gres_name, n);
	else if (!req->mem_per_node_mb && !req->mem_per_cpu_mb)
		snprintf(out->mem_per_tres, MT_FIELD_MAX, "gres:%s:%" PRIu64, t->gres_name, mem_per_gres);
	out->clear_mem = 0;
	return 0;
}

/*
 * A job on a policy partition that names no accelerator and no unit count
 * (plain `sbatch -N3`, `srun -n10`): units from what it asks. One per node
 * at least; enough for its CPUs (ntasks x cpus-per-task as slurmctld
 * counts them; --overcommit counts one per node); spread evenly over a
 * fixed node count (per_node: units on each node, 0 for one node).
 */
int mt_units_plain(const mt_request_t *req, const mt_type_t *t, uint32_t *units, uint32_t *per_node,
		       mt_decision_t *out)
{
	uint64_t nodes = req->min_nodes ? req->min_nodes : 1, want = nodes, by_cpu;

	*per_node = 0;
	if (req->max_nodes && req->max_nodes != nodes) {
		mt_reject(out, MT_ERR_CONFIG,
			  "a node range (-N %" PRIu64 "-%" PRIu32 ") has no fixed unit count on a machine-type partition: give a fixed node count or --machine-type=%s:UNITS",
			  nodes, req->max_nodes, t->name);
		return -1;
	}
	by_cpu = ((uint64_t)req->min_cpus + t->cpus_per_unit - 1) / t->cpus_per_unit;
	if (by_cpu > want)
		want = by_cpu;
	if (nodes > 1) {
		*per_node = (uint32_t)((want + nodes - 1) / nodes);
		want = (uint64_t)*per_node * nodes;
	}
	if (want > MT_MAX_UNITS) {
		mt_reject(out, MT_ERR_CONFIG, "the job needs more than %d units of %s", MT_MAX_UNITS, t->name);
		return -1;
	}
	*units = (uint32_t)want;
	return 0;
}

