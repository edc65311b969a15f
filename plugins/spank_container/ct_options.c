/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ct_options.h"

#include "errf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ct_options_init(ct_options_t *o)
{
	memset(o, 0, sizeof(*o));
	o->mount_home = o->writable = o->entrypoint = -1;
}

int ct_opt_image(ct_options_t *o, const char *arg, const char *default_registry, char *err, size_t errlen)
{
	if (!arg || strlen(arg) >= sizeof(o->image))
		return errf(err, errlen, "--container-image: missing or too long");
	if (img_ref_parse(arg, default_registry, &o->ref, err, errlen))
		return -1;
	strcpy(o->image, arg);
	return 0;
}

/* An absolute path with no "..", no control characters and no ':' or ','. */
static int clean_path(const char *s, size_t n)
{
	if (n == 0 || s[0] != '/')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
		if (s[i] == '.' && i + 1 < n && s[i + 1] == '.' && s[i - 1] == '/' && (i + 2 == n || s[i + 2] == '/'))
			return 0;
	}
	return 1;
}

static int valid_name(const char *s, size_t n)
{
	if (n == 0 || n >= CT_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      (i > 0 && (c == '-' || c == '.'))))
			return 0;
	}
	return 1;
}

/* SRC:DST[:ro|rw], SRC:ro (same path), vol:NAME:DST[:ro|rw]; comma-separated. */
int ct_opt_mounts(ct_options_t *o, const char *arg, char *err, size_t errlen)
{
	const char *p = arg;

	if (!arg || !*arg)
		return errf(err, errlen, "--container-mounts is empty: use SRC:DST[:ro],...");
	while (*p) {
		const char *end = p + strcspn(p, ","), *f[4];
		size_t n = 0, len[4];
		ct_mount_t *m;

		if (o->nmounts == CT_MAX_MOUNTS)
			return errf(err, errlen, "--container-mounts: more than %d mounts", CT_MAX_MOUNTS);
		m = &o->mounts[o->nmounts];
		memset(m, 0, sizeof(*m));
		for (const char *q = p; n < 4;) {
			const char *c = memchr(q, ':', (size_t)(end - q));

			f[n] = q;
			len[n++] = c ? (size_t)(c - q) : (size_t)(end - q);
			if (!c)
				break;
			q = c + 1;
		}
		if (n >= 2 && len[0] == 3 && !memcmp(f[0], "vol", 3)) {
			m->volume = 1;
			if (!valid_name(f[1], len[1]))
				return errf(err, errlen, "--container-mounts: '%.*s' is not a volume name (letters, digits, '_', '-', '.')",
					    (int)(len[1] > 64 ? 64 : len[1]), f[1]);
			memcpy(m->src, f[1], len[1]);
			f[1] = f[2];
			len[1] = n > 2 ? len[2] : 0;
			f[2] = f[3];
			len[2] = n > 3 ? len[3] : 0;
			n = n > 2 ? n - 1 : 1;
			if (n < 2)
				return errf(err, errlen, "--container-mounts: vol:%s needs a destination (vol:NAME:/path)", m->src);
		} else if (n > 3) {
			return errf(err, errlen, "--container-mounts: '%.*s' has too many ':' (SRC:DST[:ro|rw])",
				    (int)(end - p > 128 ? 128 : end - p), p);
		}
		/* SRC:ro / SRC:rw keep the path */
		if (!m->volume && n == 2 && ((len[1] == 2 && !memcmp(f[1], "ro", 2)) || (len[1] == 2 && !memcmp(f[1], "rw", 2)))) {
			f[2] = f[1];
			len[2] = len[1];
			f[1] = f[0];
			len[1] = len[0];
			n = 3;
		}
		if (!m->volume) {
			if (!clean_path(f[0], len[0]) || len[0] >= sizeof(m->src))
				return errf(err, errlen, "--container-mounts: source '%.*s' must be an absolute path without '..'",
					    (int)(len[0] > 128 ? 128 : len[0]), f[0]);
			memcpy(m->src, f[0], len[0]);
		}
		if (n == 1) {
			memcpy(m->dst, m->src, strlen(m->src));
		} else {
			if (!clean_path(f[1], len[1]) || len[1] >= sizeof(m->dst))
				return errf(err, errlen, "--container-mounts: destination '%.*s' must be an absolute path without '..'",
					    (int)(len[1] > 128 ? 128 : len[1]), f[1]);
			memcpy(m->dst, f[1], len[1]);
		}
		if (n == 3) {
			if (len[2] == 2 && !memcmp(f[2], "ro", 2))
				m->readonly = 1;
			else if (!(len[2] == 2 && !memcmp(f[2], "rw", 2)))
				return errf(err, errlen, "--container-mounts: flag '%.*s' is not ro or rw",
					    (int)(len[2] > 32 ? 32 : len[2]), f[2]);
		}
		if (!strcmp(m->dst, "/"))
			return errf(err, errlen, "--container-mounts: cannot mount over the container's /");
		o->nmounts++;
		p = *end ? end + 1 : end;
	}
	return 0;
}

int ct_opt_workdir(ct_options_t *o, const char *arg, char *err, size_t errlen)
{
	if (!arg || !clean_path(arg, strlen(arg)) || strlen(arg) >= sizeof(o->workdir))
		return errf(err, errlen, "--container-workdir: '%.128s' must be an absolute path", arg ? arg : "");
	strcpy(o->workdir, arg);
	return 0;
}

int ct_opt_env(ct_options_t *o, const char *arg, char *err, size_t errlen)
{
	for (const char *p = arg; p && *p;) {
		size_t n = strcspn(p, ",");

		if (o->nenv == CT_MAX_ENVNAMES)
			return errf(err, errlen, "--container-env: more than %d names", CT_MAX_ENVNAMES);
		if (!valid_name(p, n) || memchr(p, '.', n) || memchr(p, '-', n) || (p[0] >= '0' && p[0] <= '9'))
			return errf(err, errlen, "--container-env: '%.*s' is not a variable name", (int)(n > 64 ? 64 : n), p);
		memcpy(o->env[o->nenv], p, n);
		o->env[o->nenv++][n] = '\0';
		p += n + (p[n] == ',');
	}
	if (!arg || !*arg)
		return errf(err, errlen, "--container-env: name the variables, e.g. --container-env=PATH,LD_LIBRARY_PATH");
	return 0;
}

int ct_opt_name(ct_options_t *o, const char *arg, char *err, size_t errlen)
{
	if (!arg || !valid_name(arg, strlen(arg)))
		return errf(err, errlen, "--container-name: '%.64s' is not a name (letters, digits, '_', '-', '.')",
			    arg ? arg : "");
	strcpy(o->name, arg);
	return 0;
}

int ct_env_listed(const ct_options_t *o, const char *name, size_t len)
{
	for (size_t i = 0; i < o->nenv; i++)
		if (strlen(o->env[i]) == len && !memcmp(o->env[i], name, len))
			return 1;
	return 0;
}
