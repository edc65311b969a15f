/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "hook_env.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int hook_env_write_prefill(int fd, char *const *env, size_t nenv)
{
	for (size_t i = 0; i < nenv; i++) {
		if (!env[i] || !strchr(env[i], '=') || strchr(env[i], '\n'))
			continue;
		if (write_all(fd, env[i], strlen(env[i])) || write_all(fd, "\n", 1))
			return -1;
	}
	return 0;
}

static int valid_name(const char *s, size_t n)
{
	if (!n || !(s[0] == '_' || (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

static int in_prefill(const char *line, size_t n, char *const *prefill, size_t nprefill)
{
	for (size_t i = 0; i < nprefill; i++)
		if (prefill[i] && strlen(prefill[i]) == n && !memcmp(prefill[i], line, n))
			return 1;
	return 0;
}

/* index of the entry named like line (name_len bytes), or e->n */
static size_t find(const hook_env_t *e, const char *line, size_t name_len)
{
	for (size_t i = 0; i < e->n; i++)
		if (!strncmp(e->kv[i], line, name_len) && e->kv[i][name_len] == '=')
			return i;
	return e->n;
}

int hook_env_parse(const char *text, size_t len, char *const *prefill, size_t nprefill, hook_env_t *out, char *err,
		   size_t errlen)
{
	size_t lineno = 0;

	out->kv = NULL;
	out->n = 0;
	if (len > HOOK_ENV_MAX_BYTES) {
		snprintf(err, errlen, "$OCTOPUS_ENVIRON holds %zu bytes, more than %d", len, HOOK_ENV_MAX_BYTES);
		return -1;
	}
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "$OCTOPUS_ENVIRON holds a NUL byte");
		return -1;
	}
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *eq = memchr(p, '=', n);

		lineno++;
		if (n && p[n - 1] == '\r')
			n--;
		if (n == 0 || p[0] == '#' || in_prefill(p, n, prefill, nprefill))
			goto next;
		if (!eq || !valid_name(p, (size_t)(eq - p))) {
			snprintf(err, errlen, "$OCTOPUS_ENVIRON line %zu: \"%.*s\" is not NAME=VALUE with NAME of "
				 "letters, digits and _", lineno, (int)(n > 60 ? 60 : n), p);
			goto fail;
		}
		size_t at = find(out, p, (size_t)(eq - p));
		char *kv = strndup(p, n);

		if (!kv) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		if (at < out->n) {
			free(out->kv[at]);
			out->kv[at] = kv;
		} else {
			char **grown;

			if (out->n >= HOOK_ENV_MAX_VARS || !(grown = realloc(out->kv, (out->n + 1) * sizeof(*grown)))) {
				free(kv);
				snprintf(err, errlen, "$OCTOPUS_ENVIRON sets more than %d variables", HOOK_ENV_MAX_VARS);
				goto fail;
			}
			out->kv = grown;
			out->kv[out->n++] = kv;
		}
next:
		p = nl ? nl + 1 : end;
	}
	return 0;
fail:
	hook_env_free(out);
	return -1;
}

int hook_env_read(const char *path, char *const *prefill, size_t nprefill, hook_env_t *out, char *err,
		  size_t errlen)
{
	struct stat sb;
	char *text;
	size_t got = 0;
	int fd, rc;

	out->kv = NULL;
	out->n = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "$OCTOPUS_ENVIRON %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size > HOOK_ENV_MAX_BYTES) {
		snprintf(err, errlen, "$OCTOPUS_ENVIRON %s: not a regular file of at most %d bytes", path,
			 HOOK_ENV_MAX_BYTES);
		close(fd);
		return -1;
	}
	if (!(text = malloc((size_t)sb.st_size + 1))) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return -1;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t r = read(fd, text + got, (size_t)sb.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	rc = hook_env_parse(text, got, prefill, nprefill, out, err, errlen);
	free(text);
	return rc;
}

int hook_env_expand(const char *value, const char *(*get)(const char *name, void *arg), void *arg, char *out,
		    size_t outlen)
{
	size_t o = 0;

	for (const char *p = value; *p;) {
		const char *close;
		const char *add = p;
		size_t n = 1;
		char name[128];

		if (!strncmp(p, "${SLURM_", 8) && (close = strchr(p + 2, '}')) &&
		    (size_t)(close - p - 2) < sizeof(name) && valid_name(p + 2, (size_t)(close - p - 2))) {
			memcpy(name, p + 2, (size_t)(close - p - 2));
			name[close - p - 2] = '\0';
			add = get(name, arg);
			if (!add)
				add = "";
			n = strlen(add);
			p = close + 1;
		} else {
			p++;
		}
		if (o + n >= outlen)
			return -1;
		memcpy(out + o, add, n);
		o += n;
	}
	if (outlen)
		out[o] = '\0';
	return outlen ? 0 : -1;
}

void hook_env_free(hook_env_t *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->kv[i]);
	free(e->kv);
	e->kv = NULL;
	e->n = 0;
}
