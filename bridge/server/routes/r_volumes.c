/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /api/v1/volumes: named directories <VolumeRoot>/<user>/<name>, made and
 * removed by octopus-file-broker as the user. A volume a running job of
 * the user works in (its working directory or output lies in it) is not
 * removed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bridge.h"
#include "broker_client.h"
#include "job_cache.h"
#include "user_policy.h"

static json_object *volume_json(const bdb_volume_t *v)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(v->name));
	json_object_object_add(o, "user", json_object_new_string(v->user));
	json_object_object_add(o, "path", json_object_new_string(v->path));
	json_object_object_add(o, "created", json_object_new_int64(v->created));
	return o;
}

static int need_broker(req_t *r)
{
	if (r->b->cfg.file_broker[0] && r->b->cfg.volume_root[0])
		return 0;
	reply_error(r, 503, "no_file_broker", "this bridge has no FileBroker= and VolumeRoot=: volumes are off");
	return -1;
}

/* the broker's answer: 0 on OK, else answered */
static int broker(req_t *r, const char *op, const char *name)
{
	char line[256], head[700], why[300], code[32] = "";

	snprintf(line, sizeof(line), "%s %s %s\n", op, r->who.user, name);
	if (broker_call(r->b->cfg.file_broker, line, head, sizeof(head), NULL, NULL, 0, why, sizeof(why))) {
		reply_error(r, 503, "file_broker_unavailable", "%s", why);
		return -1;
	}
	if (!strncmp(head, "OK ", 3))
		return 0;
	sscanf(head, "ERR %31s", code);
	reply_error(r, !strcmp(code, "exists") ? 409 : !strcmp(code, "not_found") ? 404 : 403,
		    !strcmp(code, "exists") ? "exists" : !strcmp(code, "not_found") ? "not_found" : "forbidden", "%s",
		    head + (strlen(head) > 4 + strlen(code) ? 5 + strlen(code) : strlen(head)));
	return -1;
}

void r_volumes_create(req_t *r)
{
	json_tokener *tok = json_tokener_new_ex(4);
	json_object *in = tok ? json_tokener_parse_ex(tok, r->body, (int)r->body_len) : NULL, *v;
	bdb_volume_t vol;
	const char *name = NULL;
	int rc;

	r->audit_action = "volume.create";
	if (tok)
		json_tokener_free(tok);
	if (need_broker(r))
		goto out;
	if (!in || !json_object_is_type(in, json_type_object) || json_object_object_length(in) != 1 ||
	    !json_object_object_get_ex(in, "name", &v) || !json_object_is_type(v, json_type_string) ||
	    !volume_name_valid(name = json_object_get_string(v))) {
		reply_error(r, 400, "invalid_field", "the body is {\"name\": \"...\"}, a name of [a-z0-9][a-z0-9_.-]{0,62}");
		goto out;
	}
	snprintf(r->audit_target, sizeof(r->audit_target), "volume %s", name);
	memset(&vol, 0, sizeof(vol));
	snprintf(vol.user, sizeof(vol.user), "%s", r->who.user);
	snprintf(vol.name, sizeof(vol.name), "%s", name);
	snprintf(vol.path, sizeof(vol.path), "%s/%s/%s", r->b->cfg.volume_root, r->who.user, name);
	vol.created = (int64_t)time(NULL);
	if (!bdb_volume_get(r->b->db, r->who.user, name, &vol)) {
		reply_error(r, 409, "exists", "you have a volume %s", name);
		goto out;
	}
	if (broker(r, "MKVOL", name))
		goto out;
	if ((rc = bdb_volume_add(r->b->db, &vol))) {
		reply_error(r, rc > 0 ? 409 : 500, rc > 0 ? "exists" : "internal", "volume %s could not be recorded", name);
		goto out;
	}
	reply_json(r, 201, volume_json(&vol));
out:
	json_object_put(in);
}

static int add_volume(const bdb_volume_t *v, void *arg)
{
	json_object_array_add(arg, volume_json(v));
	return 0;
}

void r_volumes_list(req_t *r)
{
	const char *user = req_query(r, "user");
	json_object *o = json_object_new_object(), *arr = json_object_new_array();

	if (user && !r->who.admin && strcmp(user, r->who.user)) {
		json_object_put(o);
		json_object_put(arr);
		reply_error(r, 403, "forbidden", "only admins list other users' volumes");
		return;
	}
	bdb_volume_foreach(r->b->db, r->who.admin ? user : r->who.user, add_volume, arr);
	json_object_object_add(o, "volumes", arr);
	reply_json(r, 200, o);
}

typedef struct {
	const char *name;
	const job_list_t *jobs;
	int64_t job_id;                 /* the live instance job that mounts it */
} mount_arg_t;

static int state_live(const char *st)
{
	return st && (!strcmp(st, "RUNNING") || !strcmp(st, "PENDING") || !strcmp(st, "SUSPENDED") ||
		      !strcmp(st, "COMPLETING") || !strcmp(st, "CONFIGURING"));
}

static int job_live(const job_list_t *jobs, int64_t id)
{
	for (size_t i = 0; i < jobs->n; i++) {
		const job_rec_t *j = &jobs->rec[i];

		if (j->f[JF_ID] && strtoll(j->f[JF_ID], NULL, 10) == id)
			return state_live(j->f[JF_STATE]);
	}
	return 0;
}

/* an instance of the user whose job lives and mounts the volume */
static int mounts_it(const bdb_instance_t *in, void *arg)
{
	mount_arg_t *a = arg;
	char list[sizeof(in->volumes) + 2], want[80];

	snprintf(list, sizeof(list), ",%s,", in->volumes);
	snprintf(want, sizeof(want), ",%s,", a->name);
	if (in->job_id && strstr(list, want) && job_live(a->jobs, in->job_id)) {
		a->job_id = in->job_id;
		return 1;
	}
	return 0;
}

/* Does a live job of the user work in the volume, or an instance of
 * theirs mount it? The job list is fetched afresh: a job started a moment
 * ago counts. (answered on error) */
static int in_use(req_t *r, const bdb_volume_t *vol)
{
	static const int where[] = { JF_WORKDIR, JF_STDOUT, JF_STDERR };
	const char *path = vol->path;
	size_t n = strlen(path);
	job_list_t *jobs;
	int busy = 0, hit;

	job_cache_invalidate(r->b->jobs);
	if (!(jobs = req_job_list(r, &hit)))
		return -1;
	for (size_t i = 0; i < jobs->n && !busy; i++) {
		const job_rec_t *j = &jobs->rec[i];

		if (!j->f[JF_USER] || strcmp(j->f[JF_USER], r->who.user) || !state_live(j->f[JF_STATE]))
			continue;
		for (size_t k = 0; k < sizeof(where) / sizeof(where[0]) && !busy; k++) {
			const char *p = j->f[where[k]];

			busy = p && !strncmp(p, path, n) && (p[n] == '/' || !p[n]);
		}
		if (busy)
			reply_error(r, 409, "in_use", "job %s works in %s; remove the volume when it ends",
				    j->f[JF_ID] ? j->f[JF_ID] : "?", path);
	}
	if (!busy) {
		mount_arg_t a = { .name = vol->name, .jobs = jobs };

		if (bdb_instance_foreach(r->b->db, r->who.user, 1000, mounts_it, &a) > 0) {
			busy = 1;
			reply_error(r, 409, "in_use", "instance job %lld mounts %s; remove the volume when it ends",
				    (long long)a.job_id, vol->name);
		}
	}
	job_list_unref(jobs);
	return busy ? -1 : 0;
}

void r_volume_delete(req_t *r)
{
	bdb_volume_t vol;

	r->audit_action = "volume.delete";
	snprintf(r->audit_target, sizeof(r->audit_target), "volume %.60s", r->params[0]);
	if (need_broker(r))
		return;
	if (!volume_name_valid(r->params[0]) || bdb_volume_get(r->b->db, r->who.user, r->params[0], &vol)) {
		reply_error(r, 404, "not_found", "no volume %.60s of yours", r->params[0]);
		return;
	}
	if (in_use(r, &vol) || broker(r, "RMVOL", vol.name))
		return;
	bdb_volume_del(r->b->db, r->who.user, vol.name);
	{
		json_object *o = volume_json(&vol);

		json_object_object_add(o, "deleted", json_object_new_boolean(1));
		reply_json(r, 200, o);
	}
}
