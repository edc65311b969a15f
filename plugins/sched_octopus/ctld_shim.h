/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctld_shim - everything job_submit/octopus reads or writes inside
 * slurmctld: job descriptions, job records, the association manager, the
 * default partition, operator checks. Slurm's internal headers are included
 * here and in ctld_shim.c only, so a new Slurm release changes these two
 * files and not the policy code. Built against 22.05, 24.11 and 26.05.
 */
#ifndef OCTOPUS_CTLD_SHIM_H
#define OCTOPUS_CTLD_SHIM_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "slurm/slurm.h"
#include "slurm/slurm_errno.h"
#include "src/common/slurm_xlator.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"

#include "mt_request.h"

/* 22.05 names the job record's details `struct job_details`; 23.02 moved
 * job records to src/common/job_record.h with a typedef'd anonymous struct. */
#if SLURM_VERSION_NUMBER < SLURM_VERSION_NUM(23, 2, 0)
typedef struct job_details shim_job_details_t;
#else
typedef job_details_t shim_job_details_t;
#endif

/*
 * A job's GRES in its TRES strings (tres_per_*, cpus_per_tres, mem_per_tres):
 * "gres:gpu:a100:2" up to 22.05, "gres/gpu:a100:2" from 23.02, where
 * tres_per_task is moreover a TRES list ("cpu=2,gres/gpu:a100=1"). The
 * policy core speaks 22.05's; ctld_shim.c translates in and out.
 */
#if SLURM_VERSION_NUMBER < SLURM_VERSION_NUM(23, 2, 0)
#define SHIM_SLURM_GRES_PREFIX "gres:"
#define SHIM_TASK_TRES_IS_LIST 0
#else
#define SHIM_SLURM_GRES_PREFIX "gres/"
/* tres_per_task is a TRES list there: "cpu=2,gres/gpu:a100=1" */
#define SHIM_TASK_TRES_IS_LIST 1
#endif

/*
 * job_modify() gained `char **err_msg` in 23.02 (SchedMD bug 14539): the
 * user then sees why an update was refused. slurmctld finds the symbol with
 * dlsym, so a wrong prototype compiles and loads; it has to be right here.
 * SHIM_MODIFY_ERR_MSG is the err_msg argument, or NULL where there is none.
 */
#if SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(23, 2, 0)
#define SHIM_JOB_MODIFY_ARGS job_desc_msg_t *job_desc, job_record_t *job_ptr, uint32_t submit_uid, \
	char **err_msg
#define SHIM_MODIFY_ERR_MSG err_msg
#else
#define SHIM_JOB_MODIFY_ARGS job_desc_msg_t *job_desc, job_record_t *job_ptr, uint32_t submit_uid
#define SHIM_MODIFY_ERR_MSG ((char **)NULL)
#endif

#define SHIM_MT_ENV "OCTOPUS_MACHINE_TYPE"

/* What the association manager says about one user's grant of one type. */
typedef struct {
	bool found;             /* the user has an association to charge */
	char *account;          /* the account the job will charge (xfree) */
	uint64_t limit;         /* GrpTRES license/mt_<type>; UINT64_MAX: unset */
	uint64_t used;          /* units of that license running now */
	bool tres_tracked;      /* license/mt_<type> is in AccountingStorageTRES */
} shim_grant_t;

/* Copies the policy-relevant fields of a job description into req. Strings
 * point into job_desc or into slurmctld's default_part_name. */
void shim_request_from_desc(const job_desc_msg_t *desc, mt_request_t *req);

/* The same for an update: fields the update sets win over the job's. */
void shim_request_from_update(const job_desc_msg_t *desc, const job_record_t *job, mt_request_t *req);

/* Frees what the shim keeps between calls (at the plugin's fini). */
void shim_fini(void);

/* The Slurm error for a refusal of this kind. */
int shim_reject_code(mt_err_kind_t kind);

/* Write a decision back into the job description (xmalloc'd strings). */
void shim_apply(job_desc_msg_t *desc, const mt_decision_t *d);

/* Read-only association lookup under assoc_mgr read locks. Only where
 * shim_quota_enforced(); shim_grant_free() after. */
void shim_grant_lookup(uint32_t uid, const char *account, const char *partition,
		       const char *type_name, shim_grant_t *out);
void shim_grant_free(shim_grant_t *g);

/*
 * Grants are association limits: slurmctld enforces them only with slurmdbd
 * and AccountingStorageEnforce=limits. Otherwise there is no association
 * manager to ask (its lists are NULL; 24.11 crashes in it) and quota is off.
 * why: the reason, for the log and the user. Call with slurmctld's config
 * read lock held (job_submit, job_modify, init).
 */
bool shim_quota_enforced(char *why, size_t len);

/*
 * Slurm after 22.05 refuses licenses on a heterogeneous job's components
 * other than the leader (proc_req.c, "license request allowed only on
 * leader job"), and each component passes job_submit after the one before
 * was created: such a component cannot be charged a machine type's units.
 */
bool shim_het_component_without_licenses(const job_desc_msg_t *desc);
uint32_t shim_het_offset(const job_desc_msg_t *desc);

bool shim_is_operator(uint32_t uid);
uint32_t shim_desc_uid(const job_desc_msg_t *desc, uint32_t submit_uid);

/* Slurm's clock of the last reconfigure. */
time_t shim_conf_last_update(void);

/* Path of octopus.conf beside slurm.conf. xfree() the result. */
char *shim_conf_path(void);

/* Path of a file of ours in StateSaveLocation, or NULL when it is unset.
 * xfree() the result. */
char *shim_state_path(const char *name);

#endif
