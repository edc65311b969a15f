/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /api/v1/instances: IDE sessions (JupyterLab, Notebook, ...) as Slurm
 * jobs running the wrapper of instance_wrapper.h, and instance_target(),
 * which /i/{id}/ (ide_proxy.c) uses to find where one answers.
 *
 * State, from the job and connection.yml: queued (pending) -> starting
 * (running, no connection file yet) -> ready -> stopping -> ended.
 */
#define _GNU_SOURCE
#include <pwd.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "bridge.h"
#include "broker_client.h"
#include "ide_catalog.h"
#include "instance_conn.h"
#include "instance_wrapper.h"
#include "job_list.h"
#include "job_spec.h"
#include "mt_verdict.h"
#include "instances_svc.h"
#include "route_body.h"
#include "user_policy.h"

#define LIST_MAX 200

/* The portal state; t filled when it is ready (and the connection known) */


static json_object *instance_json(req_t *r, const bdb_instance_t *in, const job_list_t *jobs)
{
	json_object *o = json_object_new_object();
	const job_rec_t *j = jobs ? find_job(jobs, in) : NULL;
	instance_target_t t;
	char url[64];
	int have;
	const char *state = instance_state(r, in, j, &t, &have);

	explicit_bzero(t.password, sizeof(t.password));
	json_object_object_add(o, "id", json_object_new_string(in->id));
	json_object_object_add(o, "name", json_object_new_string(in->name));
	json_object_object_add(o, "user", json_object_new_string(in->user));
	json_object_object_add(o, "ide", json_object_new_string(in->ide));
	json_object_object_add(o, "machine_type", json_object_new_string(in->machine_type));
	json_object_object_add(o, "units", json_object_new_int64(in->units));
	json_object_object_add(o, "state", json_object_new_string(state));
	if (j && j->f[JF_ID])
		json_object_object_add(o, "job_id", json_object_new_int64(strtoll(j->f[JF_ID], NULL, 10)));
	else if (in->job_id)
		json_object_object_add(o, "job_id", json_object_new_int64(in->job_id));
	if (j && j->f[JF_STATE])
		json_object_object_add(o, "slurm_state", json_object_new_string(j->f[JF_STATE]));
	if (j && j->f[JF_REASON] && strcmp(j->f[JF_REASON], "None"))
		json_object_object_add(o, "reason", json_object_new_string(j->f[JF_REASON]));
	if (j && j->f[JF_BATCH_HOST] && j->f[JF_BATCH_HOST][0])
		json_object_object_add(o, "node", json_object_new_string(j->f[JF_BATCH_HOST]));
	json_object_object_add(o, "created", json_object_new_int64(in->created));
	if (in->volumes[0]) {
		json_object *vols = json_object_new_array();
		char copy[sizeof(in->volumes)], *save, *name;

		snprintf(copy, sizeof(copy), "%s", in->volumes);
		for (name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save))
			json_object_array_add(vols, json_object_new_string(name));
		json_object_object_add(o, "volumes", vols);
	}
	if (in->stopped)
		json_object_object_add(o, "stopped", json_object_new_int64(in->stopped));
	snprintf(url, sizeof(url), "/i/%s/", in->id);
	if (!strcmp(state, "ready"))
		json_object_object_add(o, "url", json_object_new_string(url));
	return o;
}

/* spec gets an environment variable the bridge sets (not the user's allow-list) */
static int spec_env(job_spec_t *spec, const char *name, const char *value)
{
	if (spec->nenv == JS_MAX_ENV || !(spec->env_value[spec->nenv] = strdup(value)))
		return -1;
	snprintf(spec->env_name[spec->nenv++], sizeof(spec->env_name[0]), "%s", name);
	return 0;
}

#define MAX_VOLUMES 8

/* volumes: names of the user's own volumes. In an image they are mounted at
 * /volumes/<name> (spank_container's vol: mounts); without one they are
 * where they are. Either way OCTOPUS_VOLUMES lists where the IDE finds them. */
static int instance_volumes(req_t *r, json_object *list, job_spec_t *spec, bdb_instance_t *in)
{
	char mounts[1024] = "", seen[1200] = "";
	size_t n;

	if (!json_object_is_type(list, json_type_array) || (n = json_object_array_length(list)) > MAX_VOLUMES) {
		reply_error(r, 400, "invalid_field", "volumes: a list of at most %d names of your volumes", MAX_VOLUMES);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(list, i);
		const char *name = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
		bdb_volume_t vol;

		if (!volume_name_valid(name) || bdb_volume_get(r->b->db, r->who.user, name, &vol)) {
			reply_error(r, 400, "invalid_field", "volumes: no volume '%.64s' of yours (POST /api/v1/volumes makes one)",
				    name);
			return -1;
		}
		snprintf(in->volumes + strlen(in->volumes), sizeof(in->volumes) - strlen(in->volumes), "%s%s",
			 i ? "," : "", name);
		snprintf(mounts + strlen(mounts), sizeof(mounts) - strlen(mounts), "%svol:%s:/volumes/%s", i ? "," : "",
			 name, name);
		if (spec->image[0])
			snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s/volumes/%s", i ? ":" : "", name);
		else
			snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s%s", i ? ":" : "", vol.path);
	}
	if (n && ((spec->image[0] && spec_env(spec, "OCTOPUS_CONTAINER_MOUNTS", mounts)) ||
		  spec_env(spec, "OCTOPUS_VOLUMES", seen))) {
		reply_error(r, 500, "internal", "out of memory");
		return -1;
	}
	return 0;
}

/* The body: {name, machine_type, units?, ide, image?, volumes?, hours}.
 * Checked by job_spec_parse after the IDE is swapped for its wrapper
 * script, so an instance obeys every rule a job does. */
static int instance_spec(req_t *r, bdb_instance_t *inst, job_spec_t *spec, const ide_t **ide)
{
	static const char *const known[] = { "name", "machine_type", "units", "ide", "image", "volumes", "hours", NULL };
	job_spec_rules_t rules = { .env_allow = "", .max_hours = (uint32_t)r->b->cfg.max_hours };
	json_object *in, *v, *vols = NULL;
	char field[64], why[512], *script = NULL;
	int rc = -1;

	memset(spec, 0, sizeof(*spec));
	if (!(in = body_object(r, known)))
		return -1;
	if (!json_object_object_get_ex(in, "ide", &v) || !json_object_is_type(v, json_type_string) ||
	    !(*ide = ide_catalog_find(r->b->ides, json_object_get_string(v)))) {
		char list[512] = "";

		for (size_t i = 0; i < r->b->ides->n; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
				 r->b->ides->ide[i].name);
		reply_error(r, 400, "invalid_field", "ide: give one of: %s", list);
		goto out;
	}
	if (!(script = iw_script(inst->id, *ide))) {
		reply_error(r, 500, "internal", "out of memory");
		goto out;
	}
	if (json_object_object_get_ex(in, "volumes", &vols))
		json_object_get(vols);
	json_object_object_del(in, "volumes");
	json_object_object_del(in, "ide");
	json_object_object_add(in, "script", json_object_new_string(script));
	{
		const char *text = json_object_to_json_string_ext(in, JSON_C_TO_STRING_PLAIN);

		if (job_spec_parse(text, strlen(text), &rules, spec, field, sizeof(field), why, sizeof(why))) {
			reply_error(r, 400, "invalid_field", "%s%s%s", field, field[0] ? ": " : "", why);
			goto out;
		}
	}
	if (vols && instance_volumes(r, vols, spec, inst))
		goto out;
	rc = 0;
out:
	json_object_put(vols);
	free(script);
	json_object_put(in);
	return rc;
}

void r_instances_create(req_t *r)
{
	bdb_instance_t in = { .created = (int64_t)time(NULL) };
	unsigned char rnd[IW_ID_LEN / 2];
	char job_id[32], msg[MT_VERDICT_MSG_MAX], comment[64];
	const ide_t *ide = NULL;
	job_spec_t spec;
	json_object *o;
	int live;

	r->audit_action = "instance.create";
	if (!r->b->ides) {
		reply_error(r, 503, "no_instances", "this bridge runs no instances (Instances= is unset)");
		return;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		reply_error(r, 500, "internal", "no random bytes");
		return;
	}
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(in.id + 2 * i, 3, "%02x", rnd[i]);
	if (instance_spec(r, &in, &spec, &ide))
		goto out;
	if (snprintf(r->audit_target, sizeof(r->audit_target), "instance %s (%s, %s:%u %s)", in.id, ide->name,
		     spec.machine_type, spec.units, spec.name) < 0)
		r->audit_target[0] = '\0';
	if ((live = bdb_instance_count_live(r->b->db, r->who.user)) < 0 || live >= r->b->cfg.max_instances) {
		/* ended ones count until deleted: DELETE is cheap and keeps the list short */
		reply_error(r, 409, "too_many_instances",
			    "you have %d instances (MaxInstances=%d); delete one with DELETE /api/v1/instances/{id}",
			    live, r->b->cfg.max_instances);
		goto out;
	}
	snprintf(in.user, sizeof(in.user), "%s", r->who.user);
	snprintf(in.name, sizeof(in.name), "%s", spec.name);
	snprintf(in.ide, sizeof(in.ide), "%s", ide->name);
	snprintf(in.machine_type, sizeof(in.machine_type), "%s", spec.machine_type);
	in.units = spec.units;
	/* on record before the job exists: a restart finds the job by its comment */
	if (bdb_instance_add(r->b->db, &in)) {
		reply_error(r, 500, "internal", "the instance could not be recorded");
		goto out;
	}
	snprintf(comment, sizeof(comment), "portal:instance:%s", in.id);
	if (job_submit_spec(r, &spec, comment, job_id, sizeof(job_id), msg, sizeof(msg))) {
		bdb_instance_del(r->b->db, in.id);
		goto out;
	}
	in.job_id = strtoll(job_id, NULL, 10);
	bdb_instance_set_job(r->b->db, in.id, in.job_id);
	o = instance_json(r, &in, NULL);
	json_object_object_add(o, "job_id", json_object_new_int64(in.job_id));
	if (msg[0])
		json_object_object_add(o, "message", json_object_new_string(msg));
	reply_json(r, 201, o);
out:
	job_spec_free(&spec);
}

typedef struct {
	req_t *r;
	job_list_t *jobs;
	json_object *arr;
} list_arg_t;

static int list_one(const bdb_instance_t *in, void *arg)
{
	list_arg_t *a = arg;

	json_object_array_add(a->arr, instance_json(a->r, in, a->jobs));
	return 0;
}

void r_instances_list(req_t *r)
{
	const char *all = req_query(r, "all");
	list_arg_t a = { .r = r };
	json_object *o;
	int hit;

	if (all && strcmp(all, "0") && !r->who.admin) {
		reply_error(r, 403, "forbidden", "only admins list every user's instances");
		return;
	}
	if (!(a.jobs = req_job_list(r, &hit)))
		return;
	a.arr = json_object_new_array();
	if (bdb_instance_foreach(r->b->db, all && strcmp(all, "0") ? NULL : r->who.user, LIST_MAX, list_one, &a) < 0) {
		json_object_put(a.arr);
		job_list_unref(a.jobs);
		reply_error(r, 500, "internal", "the database could not be read");
		return;
	}
	job_list_unref(a.jobs);
	o = json_object_new_object();
	json_object_object_add(o, "instances", a.arr);
	reply_json(r, 200, o);
}

void r_instance_get(req_t *r)
{
	bdb_instance_t in;
	job_list_t *jobs;
	int hit;

	if (own_instance(r, r->params[0], 1, &in) || !(jobs = req_job_list(r, &hit)))
		return;
	reply_json(r, 200, instance_json(r, &in, jobs));
	job_list_unref(jobs);
}

void r_instance_delete(req_t *r)
{
	bdb_instance_t in;
	job_list_t *jobs;
	const job_rec_t *j;
	json_object *o;
	char path[96];
	int hit, cancelled = 0;

	r->audit_action = "instance.delete";
	snprintf(r->audit_target, sizeof(r->audit_target), "instance %.40s", r->params[0]);
	if (own_instance(r, r->params[0], 1, &in) || !(jobs = req_job_list(r, &hit)))
		return;
	j = find_job(jobs, &in);
	if (j && j->f[JF_ID] && job_live(j->f[JF_STATE])) {
		restd_resp_t resp;

		snprintf(r->audit_target, sizeof(r->audit_target), "instance %s (job %s)", in.id, j->f[JF_ID]);
		if (req_slurm_path(r, SR_JOB, j->f[JF_ID], path, sizeof(path), NULL) ||
		    req_restd(r, "DELETE", path, NULL, &resp)) {
			job_list_unref(jobs);
			return;
		}
		/* Slurm's refusal (an admin who is no Slurm operator) is the
		 * answer: the instance is not marked as stopping when it is not */
		o = restd_json(r, &resp, "the cancel of the instance's job");
		restd_resp_free(&resp);
		if (!o || cancel_refused(r, o, "the cancel of the instance's job")) {
			job_list_unref(jobs);
			return;
		}
		json_object_put(o);
		job_cache_invalidate(r->b->jobs);
		cancelled = 1;
	}
	job_list_unref(jobs);
	ic_drop(r->b->conns, in.id);
	if (!in.stopped) {
		in.stopped = (int64_t)time(NULL);
		bdb_instance_stop(r->b->db, in.id, in.stopped);
	}
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(in.id));
	json_object_object_add(o, "state", json_object_new_string(cancelled ? "stopping" : "ended"));
	reply_json(r, 200, o);
}

