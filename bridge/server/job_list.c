#include "job_list.h"

#include <stdlib.h>
#include <string.h>

#include "job_spec.h"

static const struct {
	const char *slurm;      /* v0.0.38 key */
	const char *portal;     /* the view's key; NULL: not shown */
	int number;
	size_t slurm_len;
} fields[JF_N] = {
#define F(id, slurm, portal, number) [id] = { slurm, portal, number, sizeof(slurm) - 1 }
	F(JF_ID, "job_id", "id", 1),
	F(JF_NAME, "name", "name", 0),
	F(JF_USER, "user_name", "user", 0),
	F(JF_STATE, "job_state", "slurm_state", 0),
	F(JF_REASON, "state_reason", "reason", 0),
	F(JF_ACCOUNT, "account", "account", 0),
	F(JF_PARTITION, "partition", "partition", 0),
	F(JF_NODES, "nodes", "nodes", 0),
	F(JF_SUBMIT, "submit_time", "submit_time", 1),
	F(JF_START, "start_time", "start_time", 1),
	F(JF_END, "end_time", "end_time", 1),
	F(JF_LIMIT, "time_limit", "time_limit_minutes", 1),
	F(JF_WORKDIR, "current_working_directory", "workdir", 0),
	F(JF_STDOUT, "standard_output", "stdout", 0),
	F(JF_STDERR, "standard_error", "stderr", 0),
	F(JF_TRES_REQ, "tres_req_str", "tres", 0),
	F(JF_TRES_ALLOC, "tres_alloc_str", NULL, 0),
	F(JF_COMMENT, "comment", "comment", 0),
	F(JF_BATCH_HOST, "batch_host", "batch_host", 0),
#undef F
};

void job_rec_free(job_rec_t *r)
{
	for (int i = 0; i < JF_N; i++)
		free(r->f[i]);
	free(r->view);
	memset(r, 0, sizeof(*r));
}

int job_rec_from_json(json_object *j, job_rec_t *out)
{
	json_object *v;

	memset(out, 0, sizeof(*out));
	if (!json_object_is_type(j, json_type_object))
		return 0;
	for (int i = 0; i < JF_N; i++) {
		if (!json_object_object_get_ex(j, fields[i].slurm, &v) || !v ||
		    json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array))
			continue;
		if (!(out->f[i] = strdup(json_object_get_string(v)))) {
			job_rec_free(out);
			return -1;
		}
	}
	return 0;
}

const char *job_field_key(int field)
{
	return field >= 0 && field < JF_N ? fields[field].slurm : NULL;
}

int job_field_by_key(const char *key, size_t len)
{
	for (int i = 0; i < JF_N; i++)
		if (fields[i].slurm_len == len && !memcmp(fields[i].slurm, key, len))
			return i;
	return -1;
}

job_list_t *job_list_ref(job_list_t *l)
{
	if (l)
		__atomic_add_fetch(&l->refs, 1, __ATOMIC_RELAXED);
	return l;
}

void job_list_unref(job_list_t *l)
{
	if (!l || __atomic_sub_fetch(&l->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (size_t i = 0; i < l->n; i++)
		job_rec_free(&l->rec[i]);
	free(l->rec);
	free(l);
}

json_object *job_rec_view(const job_rec_t *r)
{
	json_object *o = json_object_new_object();

	for (int i = 0; i < JF_N; i++) {
		json_object *v = NULL;

		if (!fields[i].portal)
			continue;
		if (r->f[i])
			v = fields[i].number ? json_object_new_int64(strtoll(r->f[i], NULL, 10))
					     : json_object_new_string(r->f[i]);
		json_object_object_add(o, fields[i].portal, v);
		if (i == JF_USER)       /* the portal's state word next to Slurm's */
			json_object_object_add(o, "state", json_object_new_string(job_portal_state(r->f[JF_STATE])));
	}
	return o;
}

uint64_t job_rec_units(const job_rec_t *r, const char *type)
{
	const char *tres = r->f[JF_TRES_ALLOC] && r->f[JF_TRES_ALLOC][0] ? r->f[JF_TRES_ALLOC] : r->f[JF_TRES_REQ];
	size_t n = strlen(type);

	for (const char *p = tres; p && (p = strstr(p, "license/mt_")); p++) {
		p += 11;
		if (!strncmp(p, type, n) && p[n] == '=')
			return strtoull(p + n + 1, NULL, 10);
	}
	return 0;
}

int job_list_render(job_list_t *l)
{
	int rc = 0;

	for (size_t i = 0; i < l->n; i++) {
		json_object *v = job_rec_view(&l->rec[i]);
		size_t len;
		const char *s = v ? json_object_to_json_string_length(v, JSON_C_TO_STRING_PLAIN |
									 JSON_C_TO_STRING_NOSLASHESCAPE, &len)
				  : NULL;

		if (!s || !(l->rec[i].view = malloc(len + 1))) {
			rc = -1;
		} else {
			memcpy(l->rec[i].view, s, len + 1);
			l->rec[i].view_len = len;
		}
		json_object_put(v);
	}
	return rc;
}
