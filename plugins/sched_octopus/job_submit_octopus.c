/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * job_submit/octopus - machine types and time-bounded quota, compiled down
 * to Slurm's own limits engine.
 *
 * Each submission is normalised to exactly one machine type (mt_request.c),
 * rewritten to the type's shape, and given the license mt_<type>:<units>.
 * A user's grant is the association limit GrpTRES=license/mt_<type>=N, so
 * slurmctld's acct_policy counts units incrementally and holds over-quota
 * jobs with AssocGrpLicense. This plugin only reads that limit (through the
 * assoc_mgr hash) to refuse jobs that can never run and to keep a job from
 * outliving its grant. It never walks the job list and never changes a
 * counter: job_submit also runs for `--test-only`.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctld_shim.h"
#include "latency.h"
#include "mt_message.h"
#include "mt_request.h"
#include "mt_verdict.h"
#include "policy_state.h"
#include "visibility.h"

OCTOPUS_EXPORT const char plugin_name[] = "Octopus machine-type and quota job_submit plugin";
OCTOPUS_EXPORT const char plugin_type[] = "job_submit/octopus";
OCTOPUS_EXPORT const uint32_t plugin_version = SLURM_VERSION_NUMBER;

OCTOPUS_EXPORT int init(void);
OCTOPUS_EXPORT int fini(void);
OCTOPUS_EXPORT int job_submit(job_desc_msg_t *job_desc, uint32_t submit_uid, char **err_msg);
OCTOPUS_EXPORT int job_modify(SHIM_JOB_MODIFY_ARGS);

#define MSG_MAX 640

int init(void)
{
	char *path = shim_conf_path();
	int rc = policy_start(path);
	char why[160];

	if (rc)
		error("octopus: cannot start without a valid %s: fix the error above and restart slurmctld",
		      path);
	else if (!shim_quota_enforced(why, sizeof(why)))
		error("octopus: quota is off: %s. Machine types still shape jobs; grants are not enforced. To enforce them, run slurmdbd with AccountingStorageType=accounting_storage/slurmdbd and AccountingStorageEnforce=associations,limits,safe",
		      why);
	xfree(path);
	return rc ? SLURM_ERROR : SLURM_SUCCESS;
}

int fini(void)
{
	policy_stop();
	shim_fini();
	return SLURM_SUCCESS;
}

static bool exempt(const policy_t *pol, uint32_t uid)
{
	return policy_uid_exempt(pol, uid) || (pol->cat->exempt_operators && shim_is_operator(uid));
}

/* Outcome of the grant check, before anything is written to the job. */
typedef struct {
	int rc;                 /* SLURM_SUCCESS or the error to return */
	char msg[MSG_MAX];      /* user message, may be empty */
	int64_t deadline;       /* >0: set as the job's deadline */
	uint32_t time_cap;      /* >0: the job's time limit may not exceed this */
} grant_verdict_t;

/*
 * Compare a shaped job with the user's grant. Read-only: the association
 * limit and usage come from assoc_mgr, the grant's end from the index.
 */
static void check_grant(const policy_t *pol, const grantidx_t *gi, uint32_t uid, const char *account,
			const char *partition, const mt_decision_t *d, uint32_t time_limit,
			grant_verdict_t *v)
{
	const mt_catalog_t *cat = pol->cat;
	const mt_type_t *t = &cat->types[d->type];
	shim_grant_t g;
	mt_grant_verdict_t mv;
	char why[160];

	memset(v, 0, sizeof(*v));
	v->rc = SLURM_SUCCESS;
	if (!shim_quota_enforced(why, sizeof(why))) {
		snprintf(v->msg, sizeof(v->msg),
			 "octopus: type=%s units=%u action=accepted: quota is not enforced on this cluster (%s); the job starts when resources are free",
			 t->name, d->units, why);
		return;
	}
	shim_grant_lookup(uid, account, partition, t->name, &g);
	if (!g.found)
		return;         /* no association: slurmctld itself refuses the job */
	if (!g.tres_tracked) {
		shim_grant_free(&g);
		error("octopus: license/mt_%s is not in AccountingStorageTRES; grants for %s cannot be enforced",
		      t->name, t->name);
		snprintf(v->msg, sizeof(v->msg),
			 "octopus: rejected: machine type %s is not set up for quota on this cluster (license/mt_%s missing from AccountingStorageTRES); tell your HPC admins",
			 t->name, t->name);
		v->rc = ESLURM_ACCOUNTING_POLICY;
		return;
	}
	mt_grant_verdict(cat, t, g.account, d->units, g.limit, g.used,
			 gi_end_for_units(gi_find(gi, uid, g.account, t->name), d->units), (int64_t)time(NULL),
			 time_limit == NO_VAL || time_limit == INFINITE ? 0 : time_limit, &mv);
	snprintf(v->msg, sizeof(v->msg), "%s", mv.msg);
	if (mv.reject)
		v->rc = ESLURM_ACCOUNTING_POLICY;
	v->deadline = mv.deadline;
	v->time_cap = mv.time_cap > INFINITE - 1 ? INFINITE - 1 : mv.time_cap;
	shim_grant_free(&g);
}

/* A job may not run past its grant: Slurm's deadline cancels or trims a late
 * start (backfill shortens the limit to fit when time_min is set). */
static void bound_by_grant(job_desc_msg_t *desc, const grant_verdict_t *v)
{
	if (v->deadline <= 0)
		return;
	desc->deadline = (time_t)v->deadline;
	if (desc->time_limit == NO_VAL || desc->time_limit == INFINITE || desc->time_limit > v->time_cap)
		desc->time_limit = v->time_cap;
	if (desc->time_min == NO_VAL || desc->time_min == 0)
		desc->time_min = 1;
	if (desc->time_min > desc->time_limit)
		desc->time_min = desc->time_limit;
}

static void set_msg(char **err_msg, const char *msg)
{
	if (!err_msg || !msg[0])
		return;
	xfree(*err_msg);
	*err_msg = xstrdup(msg);
}

/*
 * slurmctld serialises job_submit and job_modify under its g_context_lock,
 * so one decision buffer serves both; keeping its 10 KB off the stack of
 * each fresh RPC thread saves page faults on every submission.
 */
static mt_decision_t d;

int job_submit(job_desc_msg_t *job_desc, uint32_t submit_uid, char **err_msg)
{
	const policy_t *pol;
	const grantidx_t *gi;
	mt_request_t req;
	grant_verdict_t v;
	char msg[MSG_MAX];
	uint32_t uid = shim_desc_uid(job_desc, submit_uid);
	int rc = SLURM_SUCCESS;
	struct timespec t0;

	latency_start(&t0);
	policy_acquire(&pol, &gi);
	if (!pol || policy_uid_exempt(pol, uid))
		goto out;

	shim_request_from_desc(job_desc, &req);
	mt_request_normalize(pol->cat, &req, &d);
	/* the operator check searches the user list: only for jobs we would change */
	if (d.verdict == MT_PASS || (pol->cat->exempt_operators && shim_is_operator(uid)))
		goto out;
	if (d.verdict == MT_REJECT) {
		mt_message_rejected(msg, sizeof(msg), d.msg);
		set_msg(err_msg, msg);
		rc = shim_reject_code(d.err);
		goto out;
	}
	if (shim_het_component_without_licenses(job_desc)) {
		snprintf(msg, sizeof(msg),
			 "octopus: rejected: component %u of this heterogeneous job asks for machine type %s, but this Slurm takes licenses (a machine type's units) only on a heterogeneous job's first component: make the machine-type component the first, or submit the components as separate jobs",
			 shim_het_offset(job_desc), pol->cat->types[d.type].name);
		set_msg(err_msg, msg);
		rc = ESLURM_INVALID_LICENSES;
		goto out;
	}
	check_grant(pol, gi, uid, job_desc->account, d.set_partition ? d.partition : req.partition, &d,
		    job_desc->time_limit, &v);
	set_msg(err_msg, v.msg);
	if ((rc = v.rc) != SLURM_SUCCESS)
		goto out;
	shim_apply(job_desc, &d);
	bound_by_grant(job_desc, &v);
	debug("octopus: uid %u: machine type %s x%u", uid, pol->cat->types[d.type].name, d.units);
out:
	policy_release();
	latency_record(&t0);
	return rc;
}

/* Refusals are logged for the admin; from 23.02 the user reads the same
 * line (before, 22.05 shows only the error code's text). */
int job_modify(SHIM_JOB_MODIFY_ARGS)
{
	char **user_msg = SHIM_MODIFY_ERR_MSG;
	const policy_t *pol;
	const grantidx_t *gi;
	mt_request_t req;
	grant_verdict_t v;
	char own_licenses[MT_FIELD_MAX];
	uint32_t uid = job_ptr->user_id;
	int rc = SLURM_SUCCESS;

	if (!job_desc->partition && !job_desc->tres_per_job && !job_desc->tres_per_node &&
	    !job_desc->tres_per_socket && !job_desc->tres_per_task && !job_desc->licenses &&
	    !job_desc->account && job_desc->time_limit == NO_VAL && job_desc->min_nodes == NO_VAL &&
	    job_desc->num_tasks == NO_VAL)
		return SLURM_SUCCESS;
	if (!IS_JOB_PENDING(job_ptr))
		return SLURM_SUCCESS;   /* Slurm's own rules govern running jobs */

	policy_acquire(&pol, &gi);
	if (!pol || exempt(pol, submit_uid) || exempt(pol, uid))
		goto out;

	shim_request_from_update(job_desc, job_ptr, &req);
	if (!req.licenses) {
		mt_licenses_strip(job_ptr->licenses, own_licenses, sizeof(own_licenses));
		req.licenses = own_licenses[0] ? own_licenses : NULL;
	}
	mt_request_normalize(pol->cat, &req, &d);
	if (d.verdict == MT_PASS) {
		/* leaving the policy: the job no longer charges a machine type */
		if (mt_licenses_name_machine_type(job_ptr->licenses)) {
			mt_licenses_strip(job_ptr->licenses, own_licenses, sizeof(own_licenses));
			xfree(job_desc->licenses);
			job_desc->licenses = xstrdup(own_licenses);
		}
		goto out;
	}
	if (d.verdict == MT_REJECT) {
		info("octopus: update of %pJ by uid %u refused: %s", job_ptr, submit_uid, d.msg);
		set_msg(user_msg, d.msg);
		rc = shim_reject_code(d.err);
		goto out;
	}
	check_grant(pol, gi, uid, job_desc->account ? job_desc->account : job_ptr->account,
		    req.partition, &d,
		    job_desc->time_limit != NO_VAL ? job_desc->time_limit : job_ptr->time_limit, &v);
	if ((rc = v.rc) != SLURM_SUCCESS) {
		info("octopus: update of %pJ by uid %u refused: %s", job_ptr, submit_uid, v.msg);
		set_msg(user_msg, v.msg);
		goto out;
	}
	shim_apply(job_desc, &d);
	if (v.deadline > 0) {
		if (job_desc->time_limit == NO_VAL)
			job_desc->time_limit = job_ptr->time_limit;
		if (job_desc->time_min == NO_VAL)
			job_desc->time_min = job_ptr->time_min;
		bound_by_grant(job_desc, &v);
	}
out:
	policy_release();
	return rc;
}
