/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "cdi_spec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cdi_select.h"
#include "cdi_yaml.h"

#define ERRF(...) (snprintf(err, errlen, __VA_ARGS__), -1)

/* A string field; CDI numbers and names written unquoted in YAML too. */
static const char *str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return NULL;
	if (json_object_is_type(v, json_type_string) || json_object_is_type(v, json_type_int))
		return json_object_get_string(v);
	return NULL;
}

static json_object *array(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_array) ? v : NULL;
}

static int copy_path(char *dst, size_t len, const char *v, int absolute)
{
	if (!v || (absolute && v[0] != '/') || strchr(v, '\n') || strlen(v) >= len)
		return -1;
	strcpy(dst, v);
	return 0;
}

/* a NULL-terminated copy of an array of strings (at most max) */
static char **strings(json_object *a, size_t max, int need_eq)
{
	size_t n = a ? json_object_array_length(a) : 0;
	char **out;

	if (n > max || !(out = calloc(n + 1, sizeof(*out))))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(a, i);
		const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;

		if (!s || (need_eq && (!strchr(s, '=') || s[0] == '=')) || !(out[i] = strdup(s))) {
			for (size_t k = 0; k < i; k++)
				free(out[k]);
			free(out);
			return NULL;
		}
	}
	return out;
}

static void free_strings(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int add_env(cdi_edits_t *e, json_object *edits, const char *what, char *err, size_t errlen)
{
	json_object *a = array(edits, "env");
	size_t n = a ? json_object_array_length(a) : 0;
	char **v, **grown;

	if (!n)
		return 0;
	if (!(v = strings(a, CDI_MAX_ITEMS, 1)))
		return ERRF("%s: env must be a list of NAME=VALUE (at most %d)", what, CDI_MAX_ITEMS);
	if (e->nenv + n > CDI_MAX_ITEMS || !(grown = realloc(e->env, (e->nenv + n + 1) * sizeof(*grown)))) {
		free_strings(v);
		return ERRF("%s: more than %d variables", what, CDI_MAX_ITEMS);
	}
	e->env = grown;
	for (size_t i = 0; i < n; i++)
		e->env[e->nenv++] = v[i];
	e->env[e->nenv] = NULL;
	free(v);
	return 0;
}

static int add_nodes(cdi_edits_t *e, json_object *edits, const char *what, char *err, size_t errlen)
{
	json_object *a = array(edits, "deviceNodes");

	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *d = json_object_array_get_idx(a, i);
		const char *path = str(d, "path"), *host = str(d, "hostPath");
		cdi_node_t *n = &e->nodes[e->nnodes];

		if (e->nnodes == CDI_MAX_ITEMS)
			return ERRF("%s: more than %d device nodes", what, CDI_MAX_ITEMS);
		if (copy_path(n->path, sizeof(n->path), path, 1) ||
		    copy_path(n->host_path, sizeof(n->host_path), host && host[0] ? host : path, 1))
			return ERRF("%s: deviceNodes[%zu]: path and hostPath must be absolute paths", what, i);
		e->nnodes++;
	}
	return 0;
}

static int add_mounts(cdi_edits_t *e, json_object *edits, const char *what, char *err, size_t errlen)
{
	json_object *a = array(edits, "mounts");

	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *m = json_object_array_get_idx(a, i), *opts = array(m, "options");
		const char *type = str(m, "type");
		cdi_mount_t *o = &e->mounts[e->nmounts];
		size_t used = 0;

		if (e->nmounts == CDI_MAX_ITEMS)
			return ERRF("%s: more than %d mounts", what, CDI_MAX_ITEMS);
		memset(o, 0, sizeof(*o));
		if (type && strcmp(type, "bind") && strcmp(type, "tmpfs"))
			return ERRF("%s: mounts[%zu]: type %.32s is not supported (bind, tmpfs)", what, i, type);
		snprintf(o->type, sizeof(o->type), "%s", type ? type : "bind");
		if (copy_path(o->container_path, sizeof(o->container_path), str(m, "containerPath"), 1) ||
		    (strcmp(o->type, "tmpfs") &&
		     copy_path(o->host_path, sizeof(o->host_path), str(m, "hostPath"), 1)))
			return ERRF("%s: mounts[%zu]: hostPath and containerPath must be absolute paths", what, i);
		for (size_t k = 0; opts && k < json_object_array_length(opts); k++) {
			json_object *v = json_object_array_get_idx(opts, k);
			const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
			int w;

			/* mount(8) options that say nothing to a bind: its default */
			if (!strcmp(s, "rw") && !used)
				continue;
			w = snprintf(o->options + used, sizeof(o->options) - used, "%s%s", used ? "+" : "", s);
			if (!s[0] || strchr(s, '+') || w < 0 || (size_t)w >= sizeof(o->options) - used)
				return ERRF("%s: mounts[%zu]: options must be a short list of mount options", what, i);
			used += (size_t)w;
		}
		e->nmounts++;
	}
	return 0;
}

static int add_hooks(cdi_edits_t *e, json_object *edits, const char *what, char *err, size_t errlen)
{
	json_object *a = array(edits, "hooks");

	for (size_t i = 0; a && i < json_object_array_length(a); i++) {
		json_object *h = json_object_array_get_idx(a, i), *t;
		const char *name = str(h, "hookName");
		cdi_hook_t *o = &e->hooks[e->nhooks];

		/* the container's namespace exists before pivot_root: createContainer; createRuntime and
		 * startContainer are where Pyxis-era specs put the same work (ldconfig, symlinks) */
		if (!name || (strcmp(name, "createContainer") && strcmp(name, "createRuntime") &&
			      strcmp(name, "startContainer")))
			continue;
		if (e->nhooks == CDI_MAX_ITEMS)
			return ERRF("%s: more than %d hooks", what, CDI_MAX_ITEMS);
		memset(o, 0, sizeof(*o));
		if (copy_path(o->path, sizeof(o->path), str(h, "path"), 1))
			return ERRF("%s: hooks[%zu]: path must be an absolute path", what, i);
		if (!(o->argv = strings(array(h, "args"), 256, 0)) || !(o->env = strings(array(h, "env"), 256, 1))) {
			free_strings(o->argv);
			o->argv = NULL;
			return ERRF("%s: hooks[%zu]: args and env must be lists of strings", what, i);
		}
		if (!o->argv[0]) {      /* no args: argv[0] is the path, as runc does */
			free(o->argv);
			if (!(o->argv = calloc(2, sizeof(char *))) || !(o->argv[0] = strdup(o->path)))
				return ERRF("out of memory");
		}
		if (json_object_object_get_ex(h, "timeout", &t) && json_object_is_type(t, json_type_int) &&
		    json_object_get_int(t) > 0)
			o->timeout_s = (unsigned)json_object_get_int(t);
		e->nhooks++;
	}
	return 0;
}

static int add_edits(cdi_edits_t *e, json_object *edits, const char *what, char *err, size_t errlen)
{
	if (!edits)
		return 0;
	if (!json_object_is_type(edits, json_type_object))
		return ERRF("%s: containerEdits must be a mapping", what);
	return add_env(e, edits, what, err, errlen) || add_nodes(e, edits, what, err, errlen) ||
			       add_mounts(e, edits, what, err, errlen) || add_hooks(e, edits, what, err, errlen)
		       ? -1
		       : 0;
}

int cdi_collect_text(const char *text, size_t len, const char *file, const char *const *names, size_t nnames,
		     int *found, cdi_edits_t *out, char *err, size_t errlen)
{
	json_object *spec, *devices, *edits;
	const char *kind, *version;
	char what[CDI_PATH_MAX + 300], why[256] = "";
	size_t kind_len;
	int used = 0, rc = 0;

	if (len && text[0] == '{') {
		json_tokener *tok = json_tokener_new();
		const char *bad = "out of memory";

		spec = tok ? json_tokener_parse_ex(tok, text, (int)len) : NULL;
		if (tok && !spec)
			bad = json_tokener_get_error(tok) == json_tokener_continue
				      ? "it ends early"
				      : json_tokener_error_desc(json_tokener_get_error(tok));
		else if (tok && json_tokener_get_parse_end(tok) != len) {
			bad = "text after the object";
			json_object_put(spec);
			spec = NULL;
		}
		if (tok)
			json_tokener_free(tok);
		if (!spec)
			return ERRF("CDI spec %s: not JSON: %s", file, bad);
	} else if (!(spec = cdi_yaml_parse(text, len, why, sizeof(why)))) {
		return ERRF("CDI spec %s: not YAML: %s", file, why);
	}
	kind = str(spec, "kind");
	version = str(spec, "cdiVersion");
	devices = array(spec, "devices");
	if (!json_object_is_type(spec, json_type_object) || !kind || !version || !devices || !strchr(kind, '/')) {
		json_object_put(spec);
		return ERRF("CDI spec %s: cdiVersion, kind (vendor/class) and devices are required", file);
	}
	kind_len = strlen(kind);
	for (size_t i = 0; !rc && i < json_object_array_length(devices); i++) {
		json_object *d = json_object_array_get_idx(devices, i);
		const char *dname = str(d, "name");

		if (!dname)
			continue;
		for (size_t k = 0; !rc && k < nnames; k++) {
			const char *n = names[k];

			if (found[k] || strncmp(n, kind, kind_len) || n[kind_len] != '=' || strcmp(n + kind_len + 1, dname))
				continue;
			snprintf(what, sizeof(what), "CDI spec %s, device %s", file, n);
			if (!json_object_object_get_ex(d, "containerEdits", &edits))
				edits = NULL;
			rc = add_edits(out, edits, what, err, errlen);
			found[k] = 1;
			used = 1;
		}
	}
	if (!rc && used && json_object_object_get_ex(spec, "containerEdits", &edits)) {
		snprintf(what, sizeof(what), "CDI spec %s", file);
		rc = add_edits(out, edits, what, err, errlen);
	}
	json_object_put(spec);
	return rc;
}

static int spec_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && ((n > 5 && !strcmp(d->d_name + n - 5, ".json")) ||
				       (n > 5 && !strcmp(d->d_name + n - 5, ".yaml")) ||
				       (n > 4 && !strcmp(d->d_name + n - 4, ".yml")));
}

static char *read_spec(int dfd, const char *name, size_t *len, char *why, size_t whylen)
{
	struct stat sb;
	char *text = NULL;
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	size_t got = 0;

	/* a spec says what root binds and runs: only root may have written it */
	if (fd >= 0 && !fstat(fd, &sb) && (sb.st_uid != 0 || (sb.st_mode & (S_IWGRP | S_IWOTH)))) {
		snprintf(why, whylen, "not root's, or writable by others than root");
		close(fd);
		return NULL;
	}
	if (fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size > CDI_MAX_SPEC_BYTES ||
	    !(text = malloc((size_t)sb.st_size + 1))) {
		snprintf(why, whylen, "%s", fd < 0 ? strerror(errno) : "not a regular file of at most 1 MiB");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t r = read(fd, text + got, (size_t)sb.st_size - got);

		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	text[got] = '\0';
	*len = got;
	return text;
}

/* "PATH skipped: WHY; " for the log */
static void note(cdi_edits_t *e, const char *path, const char *why)
{
	size_t used = strlen(e->notes);

	/* cut to fit: it is a note for the log */
	if (used < sizeof(e->notes) - 1 &&
	    snprintf(e->notes + used, sizeof(e->notes) - used, "%.200s skipped: %.200s; ", path, why) < 0)
		e->notes[used] = '\0';
}

int cdi_collect(const char *const *dirs, size_t ndirs, const char *const *names, size_t nnames, cdi_edits_t *out,
		char *err, size_t errlen)
{
	int found[CDI_MAX_NAMES] = { 0 };

	memset(out, 0, sizeof(*out));
	if (nnames > CDI_MAX_NAMES)
		return ERRF("more than %d CDI devices", CDI_MAX_NAMES);
	for (size_t k = 0; k < nnames; k++)
		if (!cdi_name_valid(names[k]))
			return ERRF("CDI device name %.200s is not vendor.com/class=name", names[k]);
	/* the later directory wins: search it first, and a device found is not looked for again */
	for (size_t di = ndirs; di-- > 0;) {
		struct dirent **ents = NULL;
		struct stat dsb;
		int dfd = open(dirs[di], O_RDONLY | O_DIRECTORY | O_CLOEXEC), n;

		if (dfd < 0)
			continue;
		if (fstat(dfd, &dsb) || dsb.st_uid != 0 || (dsb.st_mode & (S_IWGRP | S_IWOTH))) {
			note(out, dirs[di], "the directory is not root's, or is writable by others than root");
			close(dfd);
			continue;
		}
		n = scandirat(dfd, ".", &ents, spec_file, alphasort);
		for (int i = 0; i < n; i++) {
			char path[CDI_PATH_MAX], why[256], e2[512];
			size_t len = 0;
			char *text = NULL;

			size_t before = 0, after = 0;

			for (size_t k = 0; k < nnames; k++)
				before += (size_t)found[k];
			snprintf(path, sizeof(path), "%s/%s", dirs[di], ents[i]->d_name);
			if (i < CDI_MAX_SPEC_FILES && !(text = read_spec(dfd, ents[i]->d_name, &len, why, sizeof(why))))
				note(out, path, why);
			else if (text && cdi_collect_text(text, len, path, names, nnames, found, out, e2, sizeof(e2))) {
				for (size_t k = 0; k < nnames; k++)
					after += (size_t)found[k];
				/* a device asked for is in this file: its spec is broken, and the step cannot have it */
				if (after > before) {
					snprintf(err, errlen, "%s", e2);
					free(text);
					while (i < n)
						free(ents[i++]);
					free(ents);
					close(dfd);
					return -1;
				}
				note(out, path, e2);
			}
			free(text);
			free(ents[i]);
		}
		free(ents);
		close(dfd);
	}
	for (size_t k = 0; k < nnames; k++)
		if (!found[k]) {
			char list[512] = "";

			for (size_t di = 0; di < ndirs; di++)
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", di ? ", " : "", dirs[di]);
			return ERRF("CDI device %s is in no spec in %s (generate one with the vendor's tool, e.g. "
				    "nvidia-ctk cdi generate)%s%s", names[k], list, out->notes[0] ? "; " : "", out->notes);
		}
	return 0;
}

void cdi_edits_free(cdi_edits_t *e)
{
	free_strings(e->env);
	e->env = NULL;
	e->nenv = 0;
	for (size_t i = 0; i < e->nhooks; i++) {
		free_strings(e->hooks[i].argv);
		free_strings(e->hooks[i].env);
	}
	e->nhooks = 0;
}
