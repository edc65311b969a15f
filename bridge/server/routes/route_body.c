/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small helpers the quota and grant routes share: a request body that is
 * one JSON object with known keys only, typed fields, the ledger check.
 */
#include <string.h>

#include "bridge.h"
#include "route_body.h"

/* The body as an object whose keys are all in allowed (NULL-terminated). */
json_object *body_object(req_t *r, const char *const *allowed)
{
	json_tokener *tok = json_tokener_new_ex(8);
	json_object *in = tok ? json_tokener_parse_ex(tok, r->body, (int)r->body_len) : NULL;

	if (tok)
		json_tokener_free(tok);
	if (!in || !json_object_is_type(in, json_type_object)) {
		json_object_put(in);
		reply_error(r, 400, "invalid_json", "the body must be one JSON object");
		return NULL;
	}
	json_object_object_foreach(in, key, val) {
		int ok = 0;

		(void)val;
		for (int i = 0; allowed[i]; i++)
			ok |= !strcmp(key, allowed[i]);
		if (!ok) {
			reply_error(r, 400, "invalid_field", "%.40s: unknown field", key);
			json_object_put(in);
			return NULL;
		}
	}
	return in;
}

const char *str_field(json_object *in, const char *k, size_t max)
{
	json_object *v;
	const char *s;

	if (!json_object_object_get_ex(in, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	return s[0] && strlen(s) <= max ? s : NULL;
}

int int_field(json_object *in, const char *k, int64_t *out)
{
	json_object *v;

	if (!json_object_object_get_ex(in, k, &v))
		return 1;
	if (!json_object_is_type(v, json_type_int))
		return -1;
	*out = json_object_get_int64(v);
	return 0;
}

int need_ledger(req_t *r)
{
	if (r->b->ledger && r->b->catalog)
		return 0;
	reply_error(r, 503, "quota_off", "this bridge has no Ledger= or MachineTypes=: quota requests are off");
	return -1;
}

