/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mt_request - normalise a job's accelerator request to one machine type.
 *
 * Input is the part of a job description that decides its machine type, as
 * plain strings (the TRES strings exactly as slurmctld holds them, e.g.
 * "gres:gpu:a100:2,gres:mps:10"). Output is either "not a policy job",
 * a rejection with a one-line reason, or the type, the unit count and the
 * rewritten fields. No Slurm headers: the ctld shim copies fields in and
 * out, which keeps this unit-testable and fuzzable.
 */
#ifndef OCTOPUS_MT_REQUEST_H
#define OCTOPUS_MT_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "mt_catalog.h"

#define MT_FIELD_MAX 1024       /* slurmctld's own limit on these strings */

typedef struct {
	const char *partition;          /* "gpu" or "gpu,debug"; never NULL */
	int partition_implicit;         /* 1: the user named none; this is the default */
	const char *machine_type;       /* "a100x1" or "a100x1:4"; NULL if none */
	const char *tres_per_job;       /* --gpus */
	const char *tres_per_node;      /* --gres, --gpus-per-node */
	const char *tres_per_socket;    /* --gpus-per-socket */
	const char *tres_per_task;      /* --gpus-per-task */
	const char *licenses;           /* -L */
	uint32_t min_nodes, max_nodes;  /* 0: not given */
	uint32_t num_tasks;             /* 0: not given */
	uint32_t sockets_per_node;      /* 0: not given */
	uint32_t min_cpus;              /* 0: not given */
	uint64_t mem_per_node_mb;       /* --mem; 0: not given */
	uint64_t mem_per_cpu_mb;        /* --mem-per-cpu; 0: not given */
	const char *cpus_per_tres;      /* --cpus-per-gpu ("gres:gpu:2"); NULL if none */
	const char *mem_per_tres;       /* --mem-per-gpu ("gres:gpu:4096"); NULL if none */
} mt_request_t;

typedef enum {
	MT_PASS,        /* not a policy job: leave untouched */
	MT_REJECT,      /* refused: msg says why and what to do */
	MT_SHAPED,      /* rewritten to a machine type */
} mt_verdict_t;

/* What kind of refusal, for the Slurm error code the shim returns. */
typedef enum {
	MT_ERR_POLICY,          /* the accelerator request or the policy: "Invalid generic resource" */
	MT_ERR_CONFIG,          /* a shape no unit can give: "Requested node configuration is not available" */
	MT_ERR_MEMORY,          /* more memory than the units hold: "Memory required by task is not available" */
} mt_err_kind_t;

typedef struct {
	mt_verdict_t verdict;
	mt_err_kind_t err;                      /* MT_REJECT: which kind */
	int type;                               /* index in the catalog */
	uint32_t units;
	char msg[MT_ERRMSG_MAX];                /* reason for MT_REJECT */
	/* MT_SHAPED: the new values (empty string: clear the field) */
	int set_partition;                      /* partition[] replaces the job's */
	char partition[MT_MAX_PARTITIONS * MT_NAME_MAX];
	char tres_per_job[MT_FIELD_MAX];
	char tres_per_node[MT_FIELD_MAX];
	char tres_per_socket[MT_FIELD_MAX];
	char tres_per_task[MT_FIELD_MAX];
	char licenses[MT_FIELD_MAX];
	char cpus_per_tres[MT_FIELD_MAX];
	char mem_per_tres[MT_FIELD_MAX];        /* "": none (the job's own --mem or --mem-per-cpu stays) */
	int clear_mem;                          /* drop --mem: mem_per_tres rules */
} mt_decision_t;

/* Decide. Never allocates; all output lives in *out. */
void mt_request_normalize(const mt_catalog_t *cat, const mt_request_t *req, mt_decision_t *out);

/* 1 if licenses names an mt_* license (users may not ask for those). */
int mt_licenses_name_machine_type(const char *licenses);

/* Copy a -L list without its mt_* entries ("" when nothing is left). */
void mt_licenses_strip(const char *licenses, char *out, size_t len);

#endif
