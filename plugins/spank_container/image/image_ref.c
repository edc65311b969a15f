/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "image_ref.h"

#include "errf.h"

#include <stdarg.h>
#include <stdio.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

int img_digest_valid(const char *s)
{
	size_t want, n = 0;

	if (!strncmp(s, "sha256:", 7))
		want = 64;
	else if (!strncmp(s, "sha512:", 7))
		want = 128;
	else
		return 0;
	for (s += 7; *s; s++, n++)
		if (!is_hex(*s))
			return 0;
	return n == want;
}

/* [A-Za-z0-9_][A-Za-z0-9_.-]{0,127} */
static int tag_valid(const char *s, size_t n)
{
	if (n == 0 || n >= IMG_TAG_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';

		if (!word && (i == 0 || (c != '.' && c != '-')))
			return 0;
	}
	return 1;
}

/* path-component (/path-component)*, component = [a-z0-9]+ ((.|_|__|-+)[a-z0-9]+)* */
static int repo_valid(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || n >= IMG_REPO_MAX)
		return 0;
	while (i < n) {
		if (!is_lower_alnum(s[i]))
			return 0;
		while (i < n && is_lower_alnum(s[i]))
			i++;
		if (i == n)
			return 1;
		if (s[i] == '/') {
			i++;
			continue;
		}
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return 0;
		}
		if (i == n || !is_lower_alnum(s[i]))
			return 0;
	}
	return 0;       /* ends with '/' */
}

/* host[:port]: DNS labels of [A-Za-z0-9-], or "localhost"; port 1..65535 */
static int registry_valid(const char *s, size_t n)
{
	size_t i = 0, label = 0;

	if (n == 0 || n >= IMG_REGISTRY_MAX)
		return 0;
	for (; i < n && s[i] != ':'; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
		if (c == '-' && label == 0)
			return 0;
		if (++label > 63)
			return 0;
	}
	if (label == 0 || s[i - 1] == '-')
		return 0;
	if (i < n) {
		unsigned port = 0;
		size_t digits = 0;

		for (i++; i < n; i++, digits++) {
			if (s[i] < '0' || s[i] > '9' || digits >= 5)
				return 0;
			port = port * 10 + (unsigned)(s[i] - '0');
		}
		if (digits == 0 || port == 0 || port > 65535)
			return 0;
	}
	return 1;
}

static int copy(char *dst, size_t cap, const char *src, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return 0;
}

static int parse_local(const char *s, img_source_t source, img_ref_t *out, char *err, size_t errlen)
{
	const char *kind = source == IMG_OCI_LAYOUT ? "oci:" : "oci-archive:";
	const char *colon = strrchr(s, ':');
	size_t plen = colon ? (size_t)(colon - s) : strlen(s);

	out->source = source;
	if (s[0] != '/')
		return errf(err, errlen, "--container-image=%s needs an absolute path (%s/path/to/image)", kind, kind);
	if (plen >= IMG_PATH_MAX)
		return errf(err, errlen, "--container-image: the path is longer than %d characters", IMG_PATH_MAX - 1);
	for (size_t i = 0; i < plen; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return errf(err, errlen, "--container-image: control character in the path");
	if (colon) {
		if (!tag_valid(colon + 1, strlen(colon + 1)))
			return errf(err, errlen, "--container-image: '%.64s' is not a valid image reference name (letters, digits, '_', '.', '-'; at most 128)",
				    colon + 1);
		copy(out->tag, sizeof(out->tag), colon + 1, strlen(colon + 1));
	}
	copy(out->path, sizeof(out->path), s, plen);
	return 0;
}

/* A path, as Pyxis takes it: a squashfs file, absolute or "./", "../" first. */
static int parse_squashfs(const char *s, img_ref_t *out, char *err, size_t errlen)
{
	size_t n = strlen(s);

	out->source = IMG_SQUASHFS;
	if (s[0] != '/' && strncmp(s, "./", 2) && strncmp(s, "../", 3))
		return errf(err, errlen, "--container-image=%.64s: a squashfs file is /path or ./path; an OCI layout is "
					 "oci:/path, its tar oci-archive:/path", s);
	if (n >= IMG_PATH_MAX)
		return errf(err, errlen, "--container-image: the path is longer than %d characters", IMG_PATH_MAX - 1);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return errf(err, errlen, "--container-image: control character in the path");
	if (s[n - 1] == '/')
		return errf(err, errlen, "--container-image=%.64s: a squashfs file, not a directory (an OCI layout "
					 "directory is oci:/path)", s);
	copy(out->path, sizeof(out->path), s, n);
	return 0;
}

/*
 * A local daemon's image name, handed to `podman image save` or `docker
 * save` as one argument: what their references are made of, never an
 * option (a leading '-') and never empty.
 */
static int parse_daemon(const char *s, img_source_t source, img_ref_t *out, char *err, size_t errlen)
{
	const char *scheme = source == IMG_PODMAN ? "podman://" : "dockerd://";
	size_t n = strlen(s);

	out->source = source;
	if (!n)
		return errf(err, errlen, "--container-image=%s: name the image, e.g. %subuntu:22.04", scheme, scheme);
	if (n > 255)
		return errf(err, errlen, "--container-image: the image name after %s is longer than 255 characters", scheme);
	if (!isalnum((unsigned char)s[0]))
		return errf(err, errlen, "--container-image=%s%.64s: the name must start with a letter or digit", scheme, s);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-/:@", s[i]))
			return errf(err, errlen, "--container-image=%s%.64s: '%c' is not allowed in an image name "
						 "(letters, digits, '.', '_', '-', '/', ':', '@')", scheme, s,
				    isprint((unsigned char)s[i]) ? s[i] : '?');
	copy(out->path, sizeof(out->path), s, n);
	return 0;
}

int img_registry_is_hub(const char *host, size_t len)
{
	static const char *const names[] = { "docker.io", "index.docker.io", IMG_DOCKER_HUB };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (len == strlen(names[i]) && !strncasecmp(host, names[i], len))
			return 1;
	return 0;
}

int img_ref_parse(const char *s, const char *default_registry, img_ref_t *out, char *err, size_t errlen)
{
	const char *name, *slash, *hash, *at, *end, *colon;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!s || !*s)
		return errf(err, errlen, "--container-image is empty: name an image, e.g. --container-image=ubuntu:22.04");
	if (strlen(s) > IMG_PATH_MAX + 32)
		return errf(err, errlen, "--container-image is too long");
	if (!strncmp(s, "oci:", 4))
		return parse_local(s + 4, IMG_OCI_LAYOUT, out, err, errlen);
	if (!strncmp(s, "oci-archive:", 12))
		return parse_local(s + 12, IMG_OCI_ARCHIVE, out, err, errlen);
	if (s[0] == '/' || s[0] == '.')
		return parse_squashfs(s, out, err, errlen);
	if (!strncmp(s, "podman://", 9))
		return parse_daemon(s + 9, IMG_PODMAN, out, err, errlen);
	if (!strncmp(s, "dockerd://", 10))
		return parse_daemon(s + 10, IMG_DOCKERD, out, err, errlen);

	out->source = IMG_REGISTRY;
	name = !strncmp(s, "docker://", 9) ? s + 9 : s;
	end = name + strlen(name);

	/* @digest pins the image; a tag may come before it */
	if ((at = strchr(name, '@'))) {
		if (!img_digest_valid(at + 1))
			return errf(err, errlen, "--container-image: '%.80s' is not a digest (sha256:<64 lowercase hex>)", at + 1);
		copy(out->digest, sizeof(out->digest), at + 1, strlen(at + 1));
		end = at;
	}
	/* registry: enroot's REGISTRY#REPO, or a first component that looks like a host */
	hash = memchr(name, '#', (size_t)(end - name));
	slash = memchr(name, '/', (size_t)(end - name));
	if (hash) {
		if (!registry_valid(name, (size_t)(hash - name)))
			return errf(err, errlen, "--container-image: '%.*s' is not a registry host[:port]", (int)(hash - name), name);
		copy(out->registry, sizeof(out->registry), name, (size_t)(hash - name));
		name = hash + 1;
	} else if (slash && (memchr(name, '.', (size_t)(slash - name)) || memchr(name, ':', (size_t)(slash - name)) ||
			     ((size_t)(slash - name) == 9 && !memcmp(name, "localhost", 9)))) {
		if (!registry_valid(name, (size_t)(slash - name)))
			return errf(err, errlen, "--container-image: '%.*s' is not a registry host[:port]", (int)(slash - name), name);
		copy(out->registry, sizeof(out->registry), name, (size_t)(slash - name));
		name = slash + 1;
	} else {
		const char *def = default_registry && *default_registry ? default_registry : IMG_DOCKER_HUB;

		if (copy(out->registry, sizeof(out->registry), def, strlen(def)) || !registry_valid(def, strlen(def)))
			return errf(err, errlen, "default registry '%.64s' is not a host[:port]: fix default_registry= in plugstack.conf", def);
	}
	/* "docker.io/x" names the same images as "x": one spelling for the cache, logins and mirrors */
	if (img_registry_is_hub(out->registry, strlen(out->registry)))
		copy(out->registry, sizeof(out->registry), IMG_DOCKER_HUB, strlen(IMG_DOCKER_HUB));
	/* the tag is after the last ':' that follows the last '/' */
	slash = NULL;
	for (const char *p = name; p < end; p++)
		if (*p == '/')
			slash = p;
	colon = memchr(slash ? slash : name, ':', (size_t)(end - (slash ? slash : name)));
	if (colon) {
		if (!tag_valid(colon + 1, (size_t)(end - colon - 1)))
			return errf(err, errlen, "--container-image: '%.*s' is not a valid tag (letters, digits, '_', '.', '-'; at most 128)",
				    (int)(end - colon - 1) > 128 ? 128 : (int)(end - colon - 1), colon + 1);
		copy(out->tag, sizeof(out->tag), colon + 1, (size_t)(end - colon - 1));
		end = colon;
	} else if (!out->digest[0]) {
		strcpy(out->tag, "latest");
	}
	n = (size_t)(end - name);
	if (!strcmp(out->registry, IMG_DOCKER_HUB) && n && !memchr(name, '/', n)) {
		if (n + 8 >= sizeof(out->repo))
			return errf(err, errlen, "--container-image: the repository name is too long");
		memcpy(out->repo, "library/", 8);
		copy(out->repo + 8, sizeof(out->repo) - 8, name, n);
	} else if (copy(out->repo, sizeof(out->repo), name, n)) {
		return errf(err, errlen, "--container-image: the repository name is longer than %d characters", IMG_REPO_MAX - 1);
	}
	if (!repo_valid(out->repo, strlen(out->repo)))
		return errf(err, errlen, "--container-image: '%.*s' is not a repository name (lowercase letters, digits, separators '.', '_', '-', '/')",
			    (int)(n > 128 ? 128 : n), name);
	return 0;
}

int img_ref_format(const img_ref_t *r, char *buf, size_t len)
{
	int n;

	switch (r->source) {
	case IMG_SQUASHFS:
		n = snprintf(buf, len, "%s", r->path);
		break;
	case IMG_PODMAN:
	case IMG_DOCKERD:
		n = snprintf(buf, len, "%s%s", r->source == IMG_PODMAN ? "podman://" : "dockerd://", r->path);
		break;
	case IMG_OCI_LAYOUT:
	case IMG_OCI_ARCHIVE:
		n = snprintf(buf, len, "%s%s%s%s", r->source == IMG_OCI_LAYOUT ? "oci:" : "oci-archive:", r->path,
			     r->tag[0] ? ":" : "", r->tag);
		break;
	default:
		/* a registry that does not look like one ("myreg") keeps enroot's '#' */
		n = snprintf(buf, len, "docker://%s%s%s%s%s%s%s", r->registry,
			     strchr(r->registry, '.') || strchr(r->registry, ':') || !strcmp(r->registry, "localhost") ? "/" : "#",
			     r->repo, r->tag[0] ? ":" : "", r->tag, r->digest[0] ? "@" : "", r->digest);
	}
	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

int registry_host_listed(const char *list, const char *host)
{
	size_t n = strlen(host);

	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, ",");

		if ((len == n && !strncasecmp(p, host, n)) || (img_registry_is_hub(p, len) && img_registry_is_hub(host, n)))
			return 1;
		p += len + (p[len] == ',');
	}
	return 0;
}
