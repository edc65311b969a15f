/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "job_spec.h"


#include <fnmatch.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *field, size_t fl, const char *f, char *why, size_t wl, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static int fail(char *field, size_t fl, const char *f, char *why, size_t wl, const char *fmt, ...)
{
	va_list ap;

	snprintf(field, fl, "%s", f);
	va_start(ap, fmt);
	vsnprintf(why, wl, fmt, ap);
	va_end(ap);
	return -1;
}

static int name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= JS_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      strchr("_.-", s[i])))
			return 0;
	return 1;
}

static int env_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= 64 || !((s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* Is name in the comma-separated list of fnmatch patterns? */
static int env_allowed(const char *allow, const char *name)
{
	char pat[64];

	for (const char *p = allow; p && *p;) {
		size_t n = strcspn(p, ",");

		if (n && n < sizeof(pat)) {
			memcpy(pat, p, n);
			pat[n] = '\0';
			if (!fnmatch(pat, name, 0))
				return 1;
		}
		p += n + (p[n] == ',');
	}
	return 0;
}

static int only_space(const char *s, size_t from, size_t len)
{
	for (size_t i = from; i < len; i++)
		if (!strchr(" \t\r\n", s[i]))
			return 0;
	return 1;
}

static const char *const known[] = { "name", "machine_type", "units", "command", "script", "hours",
				     "workdir", "env", "image", NULL };

int job_spec_parse(const char *body, size_t len, const job_spec_rules_t *rules, job_spec_t *spec, char *field,
		   size_t fl, char *why, size_t wl)
{
	json_tokener *tok = json_tokener_new_ex(16);
	json_object *in = NULL, *v;
	const char *command = NULL, *script = NULL;
	int rc = -1;

	memset(spec, 0, sizeof(*spec));
	if (!tok)
		return fail(field, fl, "", why, wl, "out of memory");
	in = json_tokener_parse_ex(tok, body, (int)len);
	if (!in || json_tokener_get_error(tok) != json_tokener_success || !only_space(body, json_tokener_get_parse_end(tok), len)) {
		fail(field, fl, "", why, wl, "the body is not one JSON document (%s)",
		     json_tokener_error_desc(json_tokener_get_error(tok)));
		goto out;
	}
	if (!json_object_is_type(in, json_type_object)) {
		fail(field, fl, "", why, wl, "the body must be a JSON object");
		goto out;
	}
	json_object_object_foreach(in, key, val) {
		int ok = 0;

		(void)val;
		for (int i = 0; known[i]; i++)
			ok |= !strcmp(key, known[i]);
		if (!ok) {
			fail(field, fl, key, why, wl,
			     "unknown field '%s' (fields: name, machine_type, units, command, script, hours, workdir, env, image)",
			     key);
			goto out;
		}
	}
#define STR(k, dst, required)                                                                                  \
	do {                                                                                                   \
		if (!json_object_object_get_ex(in, k, &v)) {                                                   \
			if (required) {                                                                        \
				fail(field, fl, k, why, wl, "'%s' is required", k);                            \
				goto out;                                                                      \
			}                                                                                      \
		} else if (!json_object_is_type(v, json_type_string)) {                                       \
			fail(field, fl, k, why, wl, "'%s' must be a string", k);                               \
			goto out;                                                                              \
		} else {                                                                                       \
			dst = json_object_get_string(v);                                                       \
		}                                                                                              \
	} while (0)
	{
		const char *name = NULL, *mt = NULL, *wd = NULL, *image = NULL;

		STR("name", name, 1);
		STR("machine_type", mt, 1);
		STR("command", command, 0);
		STR("script", script, 0);
		STR("workdir", wd, 0);
		STR("image", image, 0);
		if (!name_ok(name)) {
			fail(field, fl, "name", why, wl, "name '%.64s' must be 1-63 of A-Z a-z 0-9 _ . -", name);
			goto out;
		}
		snprintf(spec->name, sizeof(spec->name), "%s", name);
		if (strlen(mt) >= sizeof(spec->machine_type) || !name_ok(mt)) {
			fail(field, fl, "machine_type", why, wl, "machine_type '%.40s' is not a machine type name", mt);
			goto out;
		}
		snprintf(spec->machine_type, sizeof(spec->machine_type), "%s", mt);
		if (wd) {
			if (wd[0] != '/' || strlen(wd) >= sizeof(spec->workdir)) {
				fail(field, fl, "workdir", why, wl, "workdir must be an absolute path");
				goto out;
			}
			snprintf(spec->workdir, sizeof(spec->workdir), "%s", wd);
		}
		if (image) {
			if (!image[0] || strlen(image) >= sizeof(spec->image) || strpbrk(image, " \t\n'\"\\$`")) {
				fail(field, fl, "image", why, wl, "image must be an image reference such as docker.io/library/ubuntu:22.04");
				goto out;
			}
			snprintf(spec->image, sizeof(spec->image), "%s", image);
		}
	}
	if (!command == !script) {
		fail(field, fl, command ? "script" : "command", why, wl, "give exactly one of 'command' and 'script'");
		goto out;
	}
	if (script) {
		if (strncmp(script, "#!", 2) || strlen(script) > JS_SCRIPT_MAX) {
			fail(field, fl, "script", why, wl, "script must start with '#!' and be at most 64 KiB");
			goto out;
		}
		spec->script = strdup(script);
	} else {
		size_t n = strlen(command);

		if (!n || n > JS_SCRIPT_MAX - 64 || strchr(command, '\n')) {
			fail(field, fl, "command", why, wl, "command must be one non-empty line");
			goto out;
		}
		/* with an image, the command runs as a step: srun picks the
		 * image up from OCTOPUS_CONTAINER_IMAGE */
		if ((spec->script = malloc(n + 48)))
			snprintf(spec->script, n + 48, "#!/bin/bash\n%s%s\n", spec->image[0] ? "exec srun " : "", command);
	}
	if (!spec->script) {
		fail(field, fl, "", why, wl, "out of memory");
		goto out;
	}
	spec->units = 1;
	if (json_object_object_get_ex(in, "units", &v)) {
		int64_t u = json_object_get_int64(v);

		if (!json_object_is_type(v, json_type_int) || u < 1 || u > 100000) {
			fail(field, fl, "units", why, wl, "units must be a whole number from 1");
			goto out;
		}
		spec->units = (uint32_t)u;
	}
	if (!json_object_object_get_ex(in, "hours", &v)) {
		fail(field, fl, "hours", why, wl, "'hours' is required (the job's time limit)");
		goto out;
	} else {
		double h = json_object_get_double(v);
		char max[32];

		snprintf(max, sizeof(max), "%u", rules->max_hours);
		if (!(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)) ||
		    !isfinite(h) || h <= 0 || h > rules->max_hours) {
			fail(field, fl, "hours", why, wl, "hours must be a number above 0 and at most %s", max);
			goto out;
		}
		spec->minutes = (uint32_t)ceil(h * 60.0);
	}
	if (json_object_object_get_ex(in, "env", &v)) {
		if (!json_object_is_type(v, json_type_object)) {
			fail(field, fl, "env", why, wl, "env must be an object of NAME: \"value\"");
			goto out;
		}
		json_object_object_foreach(v, k, ev) {
			const char *s;

			if (spec->nenv == JS_MAX_ENV) {
				fail(field, fl, "env", why, wl, "env holds at most 32 variables");
				goto out;
			}
			if (!env_name_ok(k) || !env_allowed(rules->env_allow, k)) {
				snprintf(field, fl, "env.%.50s", k);
				snprintf(why, wl, "variable %.64s is not allowed (allowed: %s)", k, rules->env_allow);
				goto out;
			}
			if (!json_object_is_type(ev, json_type_string) || strlen(s = json_object_get_string(ev)) > 4096) {
				snprintf(field, fl, "env.%.50s", k);
				snprintf(why, wl, "the value of %.64s must be a string of at most 4096 bytes", k);
				goto out;
			}
			snprintf(spec->env_name[spec->nenv], sizeof(spec->env_name[0]), "%s", k);
			if (!(spec->env_value[spec->nenv++] = strdup(s)))
				goto out;
		}
	}
#undef STR
	rc = 0;
out:
	json_object_put(in);
	json_tokener_free(tok);
	return rc;
}

void job_spec_free(job_spec_t *spec)
{
	free(spec->script);
	for (size_t i = 0; i < spec->nenv; i++)
		free(spec->env_value[i]);
	memset(spec, 0, sizeof(*spec));
}

json_object *job_spec_submit_body(const job_spec_t *spec, const char *user, const char *home, const char *workdir,
				  const char *partition, const char *comment)
{
	json_object *body = json_object_new_object(), *job = json_object_new_object(),
		    *env = json_object_new_object();
	char buf[JS_PATH_MAX + 32];

	for (size_t i = 0; i < spec->nenv; i++)
		json_object_object_add(env, spec->env_name[i], json_object_new_string(spec->env_value[i]));
	/* set last: a user's env cannot override them */
	json_object_object_add(env, "PATH", json_object_new_string("/usr/local/bin:/usr/bin:/bin"));
	json_object_object_add(env, "HOME", json_object_new_string(home));
	json_object_object_add(env, "USER", json_object_new_string(user));
	snprintf(buf, sizeof(buf), "%s:%u", spec->machine_type, spec->units);
	json_object_object_add(env, "OCTOPUS_MACHINE_TYPE", json_object_new_string(buf));
	if (spec->image[0])
		json_object_object_add(env, "OCTOPUS_CONTAINER_IMAGE", json_object_new_string(spec->image));

	json_object_object_add(job, "name", json_object_new_string(spec->name));
	json_object_object_add(job, "partition", json_object_new_string(partition));
	json_object_object_add(job, "time_limit", json_object_new_int64(spec->minutes));
	json_object_object_add(job, "current_working_directory", json_object_new_string(workdir));
	snprintf(buf, sizeof(buf), "%s/%%x-%%j.out", workdir);
	json_object_object_add(job, "standard_output", json_object_new_string(buf));
	json_object_object_add(job, "comment", json_object_new_string(comment));
	json_object_object_add(job, "environment", env);
	json_object_object_add(body, "script", json_object_new_string(spec->script));
	json_object_object_add(body, "job", job);
	return body;
}

