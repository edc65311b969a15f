/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ide_catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kvconf.h"

static int name_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-");

	return n && n < 32 && !s[n];
}

/* "Name: value with %p" — a header token, one %p, no line breaks */
static int split_auth(const char *s, ide_t *ide)
{
	const char *colon = strchr(s, ':'), *p;
	size_t n;

	if (!colon)
		return -1;
	n = (size_t)(colon - s);
	if (!n || n >= sizeof(ide->auth_name) ||
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != n)
		return -1;
	for (colon++; *colon == ' '; colon++)
		;
	if (strlen(colon) >= sizeof(ide->auth_value) || strpbrk(colon, "\r\n") || !(p = strstr(colon, "%p")) ||
	    strstr(p + 2, "%p") || strchr(colon, '%') != p)
		return -1;
	snprintf(ide->auth_name, sizeof(ide->auth_name), "%.*s", (int)n, s);
	snprintf(ide->auth_value, sizeof(ide->auth_value), "%s", colon);
	return 0;
}

static int record(const kv_record_t *rec, ide_t *ide, char *why, size_t wl)
{
	memset(ide, 0, sizeof(*ide));
	ide->start_timeout = 300;
	if (!rec->npairs || strcasecmp(rec->pairs[0].key, "Ide")) {
		snprintf(why, wl, "a line must start with Ide=NAME");
		return -1;
	}
	for (size_t i = 0; i < rec->npairs; i++) {
		const char *k = rec->pairs[i].key, *v = rec->pairs[i].value;

		if (!strcasecmp(k, "Ide")) {
			if (!name_ok(v)) {
				snprintf(why, wl, "Ide=%.40s: a name of lower-case letters, digits, '-' or '_' (at most 31)", v);
				return -1;
			}
			snprintf(ide->name, sizeof(ide->name), "%s", v);
		} else if (!strcasecmp(k, "Description")) {
			if (strlen(v) >= sizeof(ide->description)) {
				snprintf(why, wl, "Description= is longer than %zu bytes", sizeof(ide->description) - 1);
				return -1;
			}
			snprintf(ide->description, sizeof(ide->description), "%s", v);
		} else if (!strcasecmp(k, "Command")) {
			if (!v[0] || strlen(v) >= sizeof(ide->command) || strchr(v, '\n')) {
				snprintf(why, wl, "Command= must be one line of bash, 1 to %zu bytes", sizeof(ide->command) - 1);
				return -1;
			}
			snprintf(ide->command, sizeof(ide->command), "%s", v);
		} else if (!strcasecmp(k, "AuthHeader")) {
			if (split_auth(v, ide)) {
				snprintf(why, wl, "AuthHeader=%.60s: give \"Header-Name: value\" holding %%p (the instance's "
					 "password) once, e.g. \"Authorization: token %%p\"", v);
				return -1;
			}
		} else if (!strcasecmp(k, "StartTimeout")) {
			char *e;
			long t = strtol(v, &e, 10);

			if (*e || !v[0] || t < 5 || t > 3600) {
				snprintf(why, wl, "StartTimeout=%.20s: seconds, 5 to 3600", v);
				return -1;
			}
			ide->start_timeout = (int)t;
		} else {
			snprintf(why, wl, "unknown key %.40s (Ide, Description, Command, AuthHeader, StartTimeout)", k);
			return -1;
		}
	}
	if (!ide->command[0] || !ide->auth_name[0]) {
		snprintf(why, wl, "Ide=%s needs Command= and AuthHeader=", ide->name);
		return -1;
	}
	return 0;
}

int ide_catalog_parse(const char *text, size_t len, ide_catalog_t *out, char *why, size_t wl)
{
	kv_doc_t *doc = NULL;
	kv_error_t kerr;
	char w[300];

	memset(out, 0, sizeof(*out));
	if (kv_parse(text, len, &doc, &kerr)) {
		snprintf(why, wl, "line %u: %s", kerr.line, kerr.msg);
		return -1;
	}
	for (size_t r = 0; r < doc->nrecords; r++) {
		if (out->n == IDE_MAX) {
			snprintf(why, wl, "line %u: at most %d IDEs", doc->records[r].lineno, IDE_MAX);
			goto fail;
		}
		if (record(&doc->records[r], &out->ide[out->n], w, sizeof(w))) {
			snprintf(why, wl, "line %u: %s", doc->records[r].lineno, w);
			goto fail;
		}
		if (ide_catalog_find(out, out->ide[out->n].name)) {
			snprintf(why, wl, "line %u: Ide=%s is defined twice", doc->records[r].lineno,
				 out->ide[out->n].name);
			goto fail;
		}
		out->n++;
	}
	kv_doc_free(doc);
	return 0;
fail:
	kv_doc_free(doc);
	memset(out, 0, sizeof(*out));
	return -1;
}

int ide_catalog_load(const char *path, ide_catalog_t *out, char *why, size_t wl)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;
	int rc;

	if (!f) {
		snprintf(why, wl, "Instances=%s: cannot be read", path);
		return -1;
	}
	if (!(buf = malloc(KV_MAX_INPUT + 1))) {
		fclose(f);
		snprintf(why, wl, "out of memory");
		return -1;
	}
	n = fread(buf, 1, KV_MAX_INPUT + 1, f);
	fclose(f);
	if (n > KV_MAX_INPUT) {
		free(buf);
		snprintf(why, wl, "Instances=%s: over %d bytes", path, KV_MAX_INPUT);
		return -1;
	}
	{
		char w[400];

		rc = ide_catalog_parse(buf, n, out, w, sizeof(w));
		if (rc)
			snprintf(why, wl, "Instances=%s: %s", path, w);
	}
	free(buf);
	return rc;
}

const ide_t *ide_catalog_find(const ide_catalog_t *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->ide[i].name, name))
			return &c->ide[i];
	return NULL;
}

int ide_auth_value(const ide_t *ide, const char *password, char *out, size_t len)
{
	const char *p = strstr(ide->auth_value, "%p");
	int n;

	if (!p)
		return -1;
	n = snprintf(out, len, "%.*s%s%s", (int)(p - ide->auth_value), ide->auth_value, password, p + 2);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}
