/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "oci_json.h"

#include "errf.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

oci_media_t oci_media_type(const char *s)
{
	static const struct {
		const char *name;
		oci_media_t media;
	} types[] = {
		{ "application/vnd.oci.image.index.v1+json", OCI_MT_INDEX },
		{ "application/vnd.docker.distribution.manifest.list.v2+json", OCI_MT_INDEX },
		{ "application/vnd.oci.image.manifest.v1+json", OCI_MT_MANIFEST },
		{ "application/vnd.docker.distribution.manifest.v2+json", OCI_MT_MANIFEST },
		{ "application/vnd.oci.image.config.v1+json", OCI_MT_CONFIG },
		{ "application/vnd.docker.container.image.v1+json", OCI_MT_CONFIG },
		{ "application/vnd.oci.image.layer.v1.tar", OCI_MT_LAYER_TAR },
		{ "application/vnd.oci.image.layer.v1.tar+gzip", OCI_MT_LAYER_GZIP },
		{ "application/vnd.oci.image.layer.v1.tar+zstd", OCI_MT_LAYER_ZSTD },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar", OCI_MT_LAYER_TAR },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", OCI_MT_LAYER_GZIP },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", OCI_MT_LAYER_ZSTD },
		{ "application/vnd.docker.image.rootfs.diff.tar.gzip", OCI_MT_LAYER_GZIP },
		{ "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", OCI_MT_LAYER_GZIP },
	};

	for (size_t i = 0; s && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(s, types[i].name))
			return types[i].media;
	return OCI_MT_UNKNOWN;
}

static json_object *parse(const char *json, size_t len, const char *what, char *err, size_t errlen)
{
	json_tokener *tok;
	json_object *o;

	if (len > OCI_MAX_JSON) {
		errf(err, errlen, "the image %s is larger than %u bytes", what, OCI_MAX_JSON);
		return NULL;
	}
	if (!(tok = json_tokener_new_ex(64))) {
		errf(err, errlen, "out of memory");
		return NULL;
	}
	o = json_tokener_parse_ex(tok, json, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success || json_tokener_get_parse_end(tok) != len) {
		errf(err, errlen, "the image %s is not valid JSON (%s)", what,
		     json_tokener_error_desc(json_tokener_get_error(tok)));
		json_object_put(o);
		o = NULL;
	} else if (!json_object_is_type(o, json_type_object)) {
		errf(err, errlen, "the image %s is not a JSON object", what);
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* A descriptor: mediaType, digest, size. The media type may be missing
 * in Docker lists; the caller's default applies. */
static int descriptor(json_object *o, oci_media_t dflt, oci_blob_t *b, const char *what, char *err, size_t errlen)
{
	const char *digest = get_str(o, "digest"), *mt = get_str(o, "mediaType");
	json_object *size;
	int64_t sz;

	memset(b, 0, sizeof(*b));
	if (!json_object_is_type(o, json_type_object))
		return errf(err, errlen, "%s: not a descriptor object", what);
	if (!digest || !img_digest_valid(digest))
		return errf(err, errlen, "%s: missing or invalid digest", what);
	if (!json_object_object_get_ex(o, "size", &size) || !json_object_is_type(size, json_type_int) ||
	    (sz = json_object_get_int64(size)) < 0)
		return errf(err, errlen, "%s: missing or invalid size", what);
	b->media = mt ? oci_media_type(mt) : dflt;
	if (b->media == OCI_MT_UNKNOWN)
		return errf(err, errlen, "%s: unsupported media type '%.100s'", what, mt);
	strcpy(b->digest, digest);
	b->size = (uint64_t)sz;
	return 0;
}

static const char *platform_field(json_object *entry, const char *key)
{
	json_object *p;

	if (!json_object_object_get_ex(entry, "platform", &p) || !json_object_is_type(p, json_type_object))
		return NULL;
	return get_str(p, key);
}

int oci_index_pick(const char *json, size_t len, const char *ref, const char *arch, oci_blob_t *out,
		   char *err, size_t errlen)
{
	json_object *o = parse(json, len, "index", err, errlen), *list, *pick = NULL;
	size_t n;
	int rc = -1;

	if (!o)
		return -1;
	if (!json_object_object_get_ex(o, "manifests", &list) || !json_object_is_type(list, json_type_array) ||
	    !(n = json_object_array_length(list))) {
		errf(err, errlen, "the image index lists no manifests");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(list, i), *ann;
		const char *name = NULL;

		if (json_object_object_get_ex(e, "annotations", &ann) && json_object_is_type(ann, json_type_object))
			name = get_str(ann, "org.opencontainers.image.ref.name");
		if (ref && *ref) {
			if (name && !strcmp(name, ref)) {
				pick = e;
				break;
			}
			continue;
		}
		if (arch && platform_field(e, "architecture")) {
			const char *os = platform_field(e, "os");

			if (!strcmp(platform_field(e, "architecture"), arch) && (!os || !strcmp(os, "linux"))) {
				pick = e;
				break;
			}
			continue;
		}
		if (n == 1)
			pick = e;
	}
	if (!pick) {
		if (ref && *ref)
			errf(err, errlen, "the image has no manifest named '%.128s'", ref);
		else if (arch)
			errf(err, errlen, "the image has no manifest for linux/%s (name one with :REF)", arch);
		else
			errf(err, errlen, "the image index lists %zu manifests: name one with :REF", n);
		goto out;
	}
	if (descriptor(pick, OCI_MT_MANIFEST, out, "index entry", err, errlen))
		goto out;
	if (out->media != OCI_MT_MANIFEST && out->media != OCI_MT_INDEX) {
		errf(err, errlen, "index entry: not a manifest");
		goto out;
	}
	rc = 0;
out:
	json_object_put(o);
	return rc;
}

int oci_manifest_parse(const char *json, size_t len, oci_manifest_t *m, char *err, size_t errlen)
{
	json_object *o = parse(json, len, "manifest", err, errlen), *cfg, *layers, *ver;
	size_t n;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	if (!o)
		return -1;
	if (!json_object_object_get_ex(o, "schemaVersion", &ver) || json_object_get_int(ver) != 2) {
		errf(err, errlen, "the image manifest is not schema version 2");
		goto out;
	}
	if (!json_object_object_get_ex(o, "config", &cfg) ||
	    descriptor(cfg, OCI_MT_CONFIG, &m->config, "manifest config", err, errlen))
		goto out;
	if (m->config.media != OCI_MT_CONFIG) {
		errf(err, errlen, "manifest config: not an image config");
		goto out;
	}
	if (!json_object_object_get_ex(o, "layers", &layers) || !json_object_is_type(layers, json_type_array) ||
	    !(n = json_object_array_length(layers))) {
		errf(err, errlen, "the image manifest lists no layers");
		goto out;
	}
	if (n > OCI_MAX_LAYERS) {
		errf(err, errlen, "the image has %zu layers; at most %d can be stacked", n, OCI_MAX_LAYERS);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		oci_blob_t *b = &m->layers[i];
		char what[32];

		snprintf(what, sizeof(what), "layer %zu", i);
		if (descriptor(json_object_array_get_idx(layers, i), OCI_MT_LAYER_GZIP, b, what, err, errlen))
			goto out;
		if (b->media != OCI_MT_LAYER_TAR && b->media != OCI_MT_LAYER_GZIP && b->media != OCI_MT_LAYER_ZSTD) {
			errf(err, errlen, "%s: not a layer", what);
			goto out;
		}
	}
	m->nlayers = n;
	rc = 0;
out:
	json_object_put(o);
	return rc;
}

/* A JSON array of strings -> NULL-terminated malloc'd vector. */
static int str_array(json_object *a, size_t max, char ***out, size_t *count)
{
	size_t n = json_object_array_length(a);
	char **v;

	if (n > max)
		return -1;
	if (!(v = calloc(n + 1, sizeof(*v))))
		return -1;
	for (size_t i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(a, i);

		if (!json_object_is_type(s, json_type_string) || !(v[i] = strdup(json_object_get_string(s)))) {
			for (size_t j = 0; j < i; j++)
				free(v[j]);
			free(v);
			return -1;
		}
	}
	*out = v;
	if (count)
		*count = n;
	return 0;
}

int oci_config_parse(const char *json, size_t len, oci_config_t *c, char *err, size_t errlen)
{
	json_object *o = parse(json, len, "config", err, errlen), *cfg, *a;
	const char *wd;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	if (!o)
		return -1;
	/* a config without "config" (scratch images) has no Env etc. */
	if (!json_object_object_get_ex(o, "config", &cfg) || json_object_is_type(cfg, json_type_null)) {
		rc = 0;
		goto out;
	}
	if (!json_object_is_type(cfg, json_type_object)) {
		errf(err, errlen, "image config: \"config\" is not an object");
		goto out;
	}
	if (json_object_object_get_ex(cfg, "Env", &a) && !json_object_is_type(a, json_type_null)) {
		if (!json_object_is_type(a, json_type_array) || str_array(a, OCI_MAX_ENV, &c->env, &c->nenv)) {
			errf(err, errlen, "image config: Env is not a list of strings (at most %d)", OCI_MAX_ENV);
			goto out;
		}
		for (size_t i = 0; i < c->nenv; i++)
			if (!strchr(c->env[i], '=') || c->env[i][0] == '=') {
				errf(err, errlen, "image config: Env entry '%.64s' is not NAME=VALUE", c->env[i]);
				goto out;
			}
	}
	if ((wd = get_str(cfg, "WorkingDir")) && *wd) {
		if (wd[0] != '/') {
			errf(err, errlen, "image config: WorkingDir '%.64s' is not absolute", wd);
			goto out;
		}
		if (!(c->workdir = strdup(wd)))
			goto oom;
	}
	if (json_object_object_get_ex(cfg, "Entrypoint", &a) && json_object_is_type(a, json_type_array) &&
	    str_array(a, 1024, &c->entrypoint, NULL))
		goto oom;
	if (json_object_object_get_ex(cfg, "Cmd", &a) && json_object_is_type(a, json_type_array) &&
	    str_array(a, 1024, &c->cmd, NULL))
		goto oom;
	rc = 0;
	goto out;
oom:
	errf(err, errlen, "image config: out of memory or a list too long");
out:
	json_object_put(o);
	if (rc)
		oci_config_free(c);
	return rc;
}

static void free_vec(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void oci_config_free(oci_config_t *c)
{
	free_vec(c->env);
	free(c->workdir);
	free_vec(c->entrypoint);
	free_vec(c->cmd);
	memset(c, 0, sizeof(*c));
}
