/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ctld_shim.h"

#include <string.h>

#include "src/common/assoc_mgr.h"
#include "src/common/read_config.h"

static const char *env_get(char **env, uint32_t n, const char *name)
{
	size_t len = strlen(name);

	if (!env)
		return NULL;
	for (uint32_t i = 0; i < n && env[i]; i++)
		if (!strncmp(env[i], name, len) && env[i][len] == '=')
			return env[i] + len + 1;
	return NULL;
}

static uint32_t or_zero32(uint32_t v)
{
	return (v == NO_VAL || v == INFINITE) ? 0 : v;
}

static uint32_t or_zero16(uint16_t v)
{
	return (v == NO_VAL16 || v == INFINITE16) ? 0 : v;
}

/* --mem is per node in MB; --mem-per-cpu carries MEM_PER_CPU and is
 * compared per CPU by the normaliser's caller, so only per-node counts. */
static uint64_t mem_per_node(uint64_t pn_min_memory)
{
	if (pn_min_memory == NO_VAL64 || pn_min_memory == INFINITE64 || (pn_min_memory & MEM_PER_CPU))
		return 0;
	return pn_min_memory;
}

static uint64_t mem_per_cpu(uint64_t pn_min_memory)
{
	if (pn_min_memory == NO_VAL64 || pn_min_memory == INFINITE64 || !(pn_min_memory & MEM_PER_CPU))
		return 0;
	return pn_min_memory & ~MEM_PER_CPU;
}

/*
 * The GRES element prefix of a TRES list from one spelling to the other
 * ("gres/gpu:2,license/x:1" <-> "gres:gpu:2,license/x:1"): only at the start
 * of an element, where a prefix can be. Returns v itself when Slurm already
 * spells it as the core does, else an xmalloc'd copy kept in *keep (freed at
 * the next call with the same keep: slurmctld serialises job_submit and
 * job_modify, and each request is read before the next).
 */
static const char *gres_spelled(const char *v, const char *from, const char *to, char **keep)
{
	size_t n = strlen(from);
	char *out;

	xfree(*keep);
	if (!v || !strcmp(from, to))
		return v;
	out = xstrdup(v);
	for (char *p = out; *p; p++)
		if ((p == out || p[-1] == ',') && !strncmp(p, from, n))
			memcpy(p, to, n);       /* same length: "gres:" and "gres/" */
	*keep = out;
	return out;
}

enum { K_JOB, K_NODE, K_SOCKET, K_TASK, K_CPUS, K_MEM, K_N };
static char *in_copies[K_N];

/*
 * tres_per_task as a TRES list ("cpu=2,gres/gpu:a100=1") to the core's
 * GRES string ("gres:gpu:a100:1"), or back: to_list=false keeps only the
 * GRES elements with ':' for the count; to_list=true writes '=' and then
 * appends the elements of keep_from that are not GRES (cpu=2). xmalloc'd.
 */
static char *task_tres(const char *v, bool to_list, const char *keep_from)
{
	char *out = NULL, *copy, *save = NULL;

	if (!v)
		return NULL;
	copy = xstrdup(v);
	for (char *e = strtok_r(copy, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
		char *cut;

		if (strncmp(e, to_list ? "gres:" : "gres/", 5))
			continue;       /* cpu=N and the like are not the core's */
		/* the count's separator: the last '=' in Slurm's, ':' in the core's */
		if ((cut = strrchr(e + 5, to_list ? ':' : '=')))
			*cut = to_list ? '=' : ':';
		xstrfmtcat(out, "%s%s%s", out ? "," : "", to_list ? "gres/" : "gres:", e + 5);
	}
	xfree(copy);
	if (to_list && keep_from) {
		copy = xstrdup(keep_from);
		for (char *e = strtok_r(copy, ",", &save); e; e = strtok_r(NULL, ",", &save))
			if (strncmp(e, "gres/", 5))
				xstrfmtcat(out, "%s%s", out ? "," : "", e);
		xfree(copy);
	}
	return out;
}

/* a job's TRES field as the core reads it */
static const char *tres_in(const char *v, int k)
{
	if (SHIM_TASK_TRES_IS_LIST && k == K_TASK) {
		xfree(in_copies[k]);
		return in_copies[k] = task_tres(v, false, NULL);
	}
	return gres_spelled(v, SHIM_SLURM_GRES_PREFIX, "gres:", &in_copies[k]);
}

void shim_fini(void)
{
	for (int k = 0; k < K_N; k++)
		xfree(in_copies[k]);
}

static const char *machine_type_of(char **spank_env, uint32_t spank_n, char **env, uint32_t env_n)
{
	const char *v = env_get(spank_env, spank_n, SHIM_MT_ENV);

	/* the SPANK option is explicit; the environment may be inherited or
	 * come from slurmrestd, so it only counts when the option is absent */
	return v ? v : env_get(env, env_n, SHIM_MT_ENV);
}

void shim_request_from_desc(const job_desc_msg_t *desc, mt_request_t *req)
{
	memset(req, 0, sizeof(*req));
	if (desc->partition && desc->partition[0]) {
		req->partition = desc->partition;
	} else {
		req->partition = default_part_name ? default_part_name : "";
		req->partition_implicit = 1;
	}
	req->machine_type = machine_type_of(desc->spank_job_env, desc->spank_job_env_size,
					    desc->environment, desc->env_size);
	req->tres_per_job = tres_in(desc->tres_per_job, K_JOB);
	req->tres_per_node = tres_in(desc->tres_per_node, K_NODE);
	req->tres_per_socket = tres_in(desc->tres_per_socket, K_SOCKET);
	req->tres_per_task = tres_in(desc->tres_per_task, K_TASK);
	req->licenses = desc->licenses;
	req->min_nodes = or_zero32(desc->min_nodes);
	req->max_nodes = or_zero32(desc->max_nodes);
	req->num_tasks = or_zero32(desc->num_tasks);
	req->sockets_per_node = or_zero16(desc->sockets_per_node);
	req->min_cpus = or_zero32(desc->min_cpus);
	req->mem_per_node_mb = mem_per_node(desc->pn_min_memory);
	req->mem_per_cpu_mb = mem_per_cpu(desc->pn_min_memory);
	req->cpus_per_tres = tres_in(desc->cpus_per_tres, K_CPUS);
	req->mem_per_tres = tres_in(desc->mem_per_tres, K_MEM);
}

void shim_request_from_update(const job_desc_msg_t *desc, const job_record_t *job, mt_request_t *req)
{
	const shim_job_details_t *dt = job->details;

	memset(req, 0, sizeof(*req));
	req->partition = desc->partition ? desc->partition : (job->partition ? job->partition : "");
	req->machine_type = machine_type_of(job->spank_job_env, job->spank_job_env_size, NULL, 0);
#define PICK(f, k) tres_in(desc->f ? desc->f : job->f, k)
	req->tres_per_job = PICK(tres_per_job, K_JOB);
	req->tres_per_node = PICK(tres_per_node, K_NODE);
	req->tres_per_socket = PICK(tres_per_socket, K_SOCKET);
	req->tres_per_task = PICK(tres_per_task, K_TASK);
#undef PICK
	/* the job's own mt_ license is ours; only a new -L list is the user's */
	req->licenses = desc->licenses;
	if (dt) {
		req->min_nodes = or_zero32(desc->min_nodes != NO_VAL ? desc->min_nodes : dt->min_nodes);
		req->max_nodes = or_zero32(desc->max_nodes != NO_VAL ? desc->max_nodes : dt->max_nodes);
		req->num_tasks = or_zero32(desc->num_tasks != NO_VAL ? desc->num_tasks : dt->num_tasks);
		if (dt->mc_ptr)
			req->sockets_per_node = or_zero16(dt->mc_ptr->sockets_per_node);
		req->min_cpus = or_zero32(desc->min_cpus != NO_VAL ? desc->min_cpus : dt->min_cpus);
		req->mem_per_node_mb = mem_per_node(desc->pn_min_memory != NO_VAL64 ? desc->pn_min_memory
										     : dt->pn_min_memory);
		req->mem_per_cpu_mb = mem_per_cpu(desc->pn_min_memory != NO_VAL64 ? desc->pn_min_memory
										   : dt->pn_min_memory);
	}
	/* the job's own values are ours once shaped: only an update's are the user's */
	req->cpus_per_tres = tres_in(desc->cpus_per_tres, K_CPUS);
	req->mem_per_tres = tres_in(desc->mem_per_tres, K_MEM);
}

int shim_reject_code(mt_err_kind_t kind)
{
	switch (kind) {
	case MT_ERR_CONFIG:
		return ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE;
	case MT_ERR_MEMORY:
		return ESLURM_INVALID_TASK_MEMORY;
	default:
		return ESLURM_INVALID_GRES;
	}
}

static void set_str(char **field, const char *v)
{
	xfree(*field);
	if (v && v[0])
		*field = xstrdup(v);
}

/* a TRES field the core wrote, as this Slurm spells it */
static void set_tres(char **field, const char *v)
{
	char *copy = NULL;

	set_str(field, gres_spelled(v, "gres:", SHIM_SLURM_GRES_PREFIX, &copy));
	xfree(copy);
}

void shim_apply(job_desc_msg_t *desc, const mt_decision_t *d)
{
	if (d->set_partition)
		set_str(&desc->partition, d->partition);
	set_tres(&desc->tres_per_job, d->tres_per_job);
	set_tres(&desc->tres_per_node, d->tres_per_node);
	set_tres(&desc->tres_per_socket, d->tres_per_socket);
	if (SHIM_TASK_TRES_IS_LIST) {
		char *t = task_tres(d->tres_per_task[0] ? d->tres_per_task : NULL, true, desc->tres_per_task);

		xfree(desc->tres_per_task);
		desc->tres_per_task = t;
	} else {
		set_tres(&desc->tres_per_task, d->tres_per_task);
	}
	set_str(&desc->licenses, d->licenses);
	set_tres(&desc->cpus_per_tres, d->cpus_per_tres);
	set_tres(&desc->mem_per_tres, d->mem_per_tres);
	if (d->clear_mem)
		desc->pn_min_memory = NO_VAL64;
}

static bool with_slurmdbd(void)
{
	const char *type = slurm_conf.accounting_storage_type;

	return type && !strcmp(type, "accounting_storage/slurmdbd");
}

bool shim_quota_enforced(char *why, size_t len)
{
	const char *type = slurm_conf.accounting_storage_type;

	if (!with_slurmdbd()) {
		/* unset is none; 23.11 and later keep none as unset */
		snprintf(why, len, "AccountingStorageType=%s, not accounting_storage/slurmdbd",
			 type ? type : "accounting_storage/none");
		return false;
	}
	if (!(slurm_conf.accounting_storage_enforce & ACCOUNTING_ENFORCE_LIMITS)) {
		snprintf(why, len, "AccountingStorageEnforce does not include 'limits'");
		return false;
	}
	why[0] = '\0';
	return true;
}

void shim_grant_free(shim_grant_t *g)
{
	xfree(g->account);
}

void shim_grant_lookup(uint32_t uid, const char *account, const char *partition,
		       const char *type_name, shim_grant_t *out)
{
	assoc_mgr_lock_t locks = { .assoc = READ_LOCK, .tres = READ_LOCK, .user = READ_LOCK };
	slurmdb_assoc_rec_t assoc, *ap = NULL;
	slurmdb_tres_rec_t tres;
	char name[MT_NAME_MAX + 4];
	char part[MT_NAME_MAX];
	const char *comma = partition ? strchr(partition, ',') : NULL;
	int pos;

	memset(out, 0, sizeof(*out));
	out->limit = UINT64_MAX;
	snprintf(name, sizeof(name), "mt_%s", type_name);
	/* a partition list charges the first partition's association */
	snprintf(part, sizeof(part), "%.*s", comma ? (int)(comma - partition) : (int)sizeof(part) - 1,
		 partition ? partition : "");

	memset(&assoc, 0, sizeof(assoc));
	assoc.uid = uid;
	assoc.acct = (char *)account;
	assoc.partition = part[0] ? part : NULL;
	memset(&tres, 0, sizeof(tres));
	tres.type = "license";
	tres.name = name;

	assoc_mgr_lock(&locks);
	/* locked=true makes assoc_mgr walk these lists without loading them:
	 * before slurmdbd first answers they may still be NULL */
	if (assoc_mgr_assoc_list && assoc_mgr_user_list && assoc_mgr_tres_list &&
	    assoc_mgr_fill_in_assoc(acct_db_conn, &assoc, ACCOUNTING_ENFORCE_ASSOCS, &ap, true) ==
	    SLURM_SUCCESS && ap) {
		out->found = true;
		out->account = xstrdup(ap->acct ? ap->acct : "");
		pos = assoc_mgr_find_tres_pos(&tres, true);
		if (pos >= 0) {
			out->tres_tracked = true;
			if (ap->grp_tres_ctld && ap->grp_tres_ctld[pos] != INFINITE64 &&
			    ap->grp_tres_ctld[pos] != NO_VAL64)
				out->limit = ap->grp_tres_ctld[pos];
			if (ap->usage && ap->usage->grp_used_tres)
				out->used = ap->usage->grp_used_tres[pos];
		}
	}
	assoc_mgr_unlock(&locks);
}

uint32_t shim_het_offset(const job_desc_msg_t *desc)
{
	return desc->het_job_offset == NO_VAL ? 0 : desc->het_job_offset;
}

bool shim_het_component_without_licenses(const job_desc_msg_t *desc)
{
#if SLURM_VERSION_NUMBER < SLURM_VERSION_NUM(23, 2, 0)
	(void)desc;
	return false;
#else
	return shim_het_offset(desc) > 0;
#endif
}

bool shim_is_operator(uint32_t uid)
{
	/* without slurmdbd no user has an admin level: only root and SlurmUser */
	if (!with_slurmdbd())
		return uid == 0 || uid == slurm_conf.slurm_user_id;
	return validate_operator(uid);
}

uint32_t shim_desc_uid(const job_desc_msg_t *desc, uint32_t submit_uid)
{
	return desc->user_id != NO_VAL ? desc->user_id : submit_uid;
}

/*
 * No lock_slurmctld() here: the watcher thread calls this, and slurmctld may
 * call our fini() (which joins that thread) while holding the config write
 * lock during a reconfigure. A single aligned load cannot tear.
 */
time_t shim_conf_last_update(void)
{
	return __atomic_load_n(&slurm_conf.last_update, __ATOMIC_RELAXED);
}

char *shim_conf_path(void)
{
	return get_extra_conf_path("octopus.conf");
}

char *shim_state_path(const char *name)
{
	const char *dir = slurm_conf.state_save_location;

	return dir && dir[0] ? xstrdup_printf("%s/%s", dir, name) : NULL;
}
