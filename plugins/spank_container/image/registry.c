/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "registry.h"

#include <curl/curl.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "growbuf.h"
#include "oci_json.h"

#define AUTH_HDR_MAX 1024

struct registry {
	CURL *curl;
	char base[IMG_REGISTRY_MAX + 16];       /* scheme://host[:port] */
	char repo[IMG_REPO_MAX];
	char token[REG_TOKEN_MAX];              /* bearer token, once obtained */
	char plain_http[1024];                  /* hosts that may be reached over http:// */
	char credentials[512];
	int basic;                              /* the registry wants basic auth */
	long timeout_s;
};

/* What one request collects. */
typedef struct {
	growbuf_t body;         /* body to memory ... */
	size_t max;
	int fd;                 /* ... or to this fd */
	uint64_t written;
	int too_big, write_error;
	char media[REG_MEDIA_MAX];
	char auth[AUTH_HDR_MAX];        /* WWW-Authenticate */
} xfer_t;

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	xfer_t *x = arg;
	size_t n = size * nmemb;

	if (x->fd >= 0) {
		if (x->max && x->written + n > x->max) {
			x->too_big = 1;
			return 0;
		}
		for (size_t done = 0; done < n;) {
			ssize_t w = write(x->fd, data + done, n - done);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				x->write_error = errno;
				return 0;
			}
			done += (size_t)w;
		}
		x->written += n;
		return n;
	}
	if (growbuf_append(&x->body, data, n, x->max)) {
		x->too_big = x->body.len + n > x->max;
		return 0;
	}
	return n;
}

/* Keeps Content-Type and WWW-Authenticate (of the last response: redirects reset them). */
static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	xfer_t *x = arg;
	size_t n = size * nmemb, k;
	char *dst = NULL;
	size_t cap = 0;

	if (n > 5 && !strncmp(data, "HTTP/", 5)) {
		x->media[0] = x->auth[0] = '\0';
		return n;
	}
	if (n > 13 && !strncasecmp(data, "content-type:", 13)) {
		k = 13;
		dst = x->media;
		cap = sizeof(x->media);
	} else if (n > 17 && !strncasecmp(data, "www-authenticate:", 17)) {
		k = 17;
		dst = x->auth;
		cap = sizeof(x->auth);
	}
	if (dst) {
		size_t end = n;

		while (k < n && (data[k] == ' ' || data[k] == '\t'))
			k++;
		while (end > k && (data[end - 1] == '\r' || data[end - 1] == '\n' || data[end - 1] == ' '))
			end--;
		if (end - k < cap) {
			memcpy(dst, data + k, end - k);
			dst[end - k] = '\0';
			/* "application/json; charset=utf-8" -> the type alone */
			if (dst == x->media)
				dst[strcspn(dst, "; ")] = '\0';
		}
	}
	return n;
}

registry_t *registry_new(const img_ref_t *ref, const registry_opts_t *o, char *err, size_t errlen)
{
	registry_t *r = calloc(1, sizeof(*r));
	const char *host = ref->registry;

	if (!r || !(r->curl = curl_easy_init())) {
		snprintf(err, errlen, "out of memory");
		free(r);
		return NULL;
	}
	/* Docker Hub is reached at its API host */
	snprintf(r->base, sizeof(r->base), "%s://%s",
		 o && registry_host_listed(o->plain_http, host) ? "http" : "https", host);
	snprintf(r->repo, sizeof(r->repo), "%s", ref->repo);
	if (o && o->plain_http)
		snprintf(r->plain_http, sizeof(r->plain_http), "%s", o->plain_http);
	if (o && o->credentials)
		snprintf(r->credentials, sizeof(r->credentials), "%s", o->credentials);
	r->timeout_s = o && o->timeout_s > 0 ? o->timeout_s : 300;
	return r;
}

void registry_free(registry_t *r)
{
	if (!r)
		return;
	curl_easy_cleanup(r->curl);
	explicit_bzero(r->token, sizeof(r->token));
	explicit_bzero(r->credentials, sizeof(r->credentials));
	free(r);
}

/* One GET; returns the HTTP status, or -1 with err set on a transport error. */
static long get(registry_t *r, const char *url, const char *accept, xfer_t *x, int auth, char *err, size_t errlen)
{
	struct curl_slist *h = NULL;
	char hdr[REG_TOKEN_MAX + 32];
	CURLcode rc;
	long status = 0;

	curl_easy_reset(r->curl);
	curl_easy_setopt(r->curl, CURLOPT_URL, url);
	curl_easy_setopt(r->curl, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(r->curl, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(r->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(r->curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(r->curl, CURLOPT_CONNECTTIMEOUT, 20L);
	if (x->fd >= 0) {
		/* a layer: up to max_layer_size (64G) may take hours on a slow
		 * link, so no cap on the whole transfer; a stall ends it */
		curl_easy_setopt(r->curl, CURLOPT_LOW_SPEED_LIMIT, REG_BLOB_LOW_SPEED_BPS);
		curl_easy_setopt(r->curl, CURLOPT_LOW_SPEED_TIME, REG_BLOB_LOW_SPEED_S);
	} else {
		curl_easy_setopt(r->curl, CURLOPT_TIMEOUT, r->timeout_s);
	}
	curl_easy_setopt(r->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->curl, CURLOPT_USERAGENT, "octopus-slurm/spank_container");
	curl_easy_setopt(r->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(r->curl, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(r->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(r->curl, CURLOPT_HEADERDATA, x);
	if (accept) {
		snprintf(hdr, sizeof(hdr), "Accept: %s", accept);
		h = curl_slist_append(h, hdr);
	}
	if (auth && r->token[0]) {
		snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", r->token);
		h = curl_slist_append(h, hdr);
	} else if (auth && r->basic && r->credentials[0]) {
		curl_easy_setopt(r->curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(r->curl, CURLOPT_USERPWD, r->credentials);
	}
	/* credentials never follow a redirect to another host (blob storage) */
	curl_easy_setopt(r->curl, CURLOPT_UNRESTRICTED_AUTH, 0L);
	curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER, h);
	rc = curl_easy_perform(r->curl);
	curl_slist_free_all(h);
	if (rc != CURLE_OK) {
		if (x->too_big)
			snprintf(err, errlen, "%.200s: the response is larger than allowed", url);
		else if (x->write_error)
			snprintf(err, errlen, "writing %.200s: %s", url, strerror(x->write_error));
		else
			snprintf(err, errlen, "%.200s: %s", url, curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

/* key="value" from a WWW-Authenticate challenge */
static int challenge_param(const char *hdr, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);

	for (const char *p = hdr; (p = strstr(p, key)); p += klen) {
		const char *v, *end;

		if ((p != hdr && p[-1] != ' ' && p[-1] != ',') || p[klen] != '=' || p[klen + 1] != '"')
			continue;
		v = p + klen + 2;
		if (!(end = strchr(v, '"')) || (size_t)(end - v) >= len)
			return -1;
		memcpy(out, v, (size_t)(end - v));
		out[end - v] = '\0';
		return 0;
	}
	out[0] = '\0';
	return -1;
}

/* Answer a 401: a bearer token from the realm, or basic credentials. */
static int authenticate(registry_t *r, const char *challenge, char *err, size_t errlen)
{
	char realm[512], service[256], scope[512], url[1536];
	xfer_t x = { .fd = -1, .max = 1 << 20 };
	json_object *o = NULL, *t;
	char *es, *esc;
	long status;
	int rc = -1;

	if (!strncasecmp(challenge, "Basic", 5)) {
		if (!r->credentials[0]) {
			snprintf(err, errlen, "%s needs a login: `podman login` or `skopeo login` it (they write ~/.config/containers/auth.json)",
				 r->base + strcspn(r->base, "/") + 2);
			return -1;
		}
		r->basic = 1;
		return 0;
	}
	if (strncasecmp(challenge, "Bearer ", 7) || challenge_param(challenge, "realm", realm, sizeof(realm)) ||
	    strncmp(realm, "http", 4)) {
		snprintf(err, errlen, "the registry sent an authentication challenge this client cannot answer: %.120s",
			 challenge);
		return -1;
	}
	/* the realm gets the user's password: over http:// only to a host the site listed as plain HTTP */
	if (!strncmp(realm, "http://", 7)) {
		size_t hlen = strcspn(realm + 7, "/?#");
		char host[256];

		snprintf(host, sizeof(host), "%.*s", (int)(hlen < sizeof(host) ? hlen : sizeof(host) - 1), realm + 7);
		if (!registry_host_listed(r->plain_http, host)) {
			snprintf(err, errlen, "the registry's token service %.200s is plain HTTP and %.100s is not in "
					      "plain_http_registries=: refusing to use it (it would see the login)", realm, host);
			return -1;
		}
	}
	r->token[0] = '\0';    /* an expired token is not sent to the realm */
	challenge_param(challenge, "service", service, sizeof(service));
	if (challenge_param(challenge, "scope", scope, sizeof(scope)))
		snprintf(scope, sizeof(scope), "repository:%s:pull", r->repo);
	es = curl_easy_escape(r->curl, service, 0);
	esc = curl_easy_escape(r->curl, scope, 0);
	snprintf(url, sizeof(url), "%s%sservice=%s&scope=%s", realm, strchr(realm, '?') ? "&" : "?", es ? es : "",
		 esc ? esc : "");
	curl_free(es);
	curl_free(esc);
	r->basic = 1;   /* the token endpoint takes the user's credentials as basic auth */
	status = get(r, url, "application/json", &x, r->credentials[0] != 0, err, errlen);
	r->basic = 0;
	if (status < 0)
		goto out;
	if (status != 200) {
		snprintf(err, errlen, "the registry's token service refused access to %s (HTTP %ld)%s", r->repo, status,
			 r->credentials[0] ? "" : ": the image may need a login (`podman login` writes ~/.config/containers/auth.json)");
		goto out;
	}
	if (!x.body.data || !(o = json_tokener_parse(x.body.data)) ||
	    !((json_object_object_get_ex(o, "token", &t) && json_object_is_type(t, json_type_string)) ||
	      (json_object_object_get_ex(o, "access_token", &t) && json_object_is_type(t, json_type_string))) ||
	    strlen(json_object_get_string(t)) >= sizeof(r->token)) {
		snprintf(err, errlen, "the registry's token service sent no usable token");
		goto out;
	}
	snprintf(r->token, sizeof(r->token), "%s", json_object_get_string(t));
	rc = 0;
out:
	json_object_put(o);
	free(x.body.data);
	return rc;
}

/* GET with one authentication round if the registry asks for it. */
static long get_authed(registry_t *r, const char *url, const char *accept, xfer_t *x, char *err, size_t errlen)
{
	long status = get(r, url, accept, x, 1, err, errlen);
	char challenge[AUTH_HDR_MAX];

	if (status != 401)
		return status;
	snprintf(challenge, sizeof(challenge), "%s", x->auth);
	if (authenticate(r, challenge, err, errlen))
		return -1;
	/* start over: nothing of the 401's body is kept */
	growbuf_free(&x->body);
	x->written = 0;
	if (x->fd >= 0 && (ftruncate(x->fd, 0) || lseek(x->fd, 0, SEEK_SET))) {
		snprintf(err, errlen, "truncate: %s", strerror(errno));
		return -1;
	}
	return get(r, url, accept, x, 1, err, errlen);
}

static const char *status_hint(long status)
{
	switch (status) {
	case 401:
	case 403:
		return "access denied (a private image needs a login: `podman login` writes ~/.config/containers/auth.json)";
	case 404:
		return "not found (check the name and tag)";
	case 429:
		return "too many requests (the registry rate-limits pulls; use a mirror)";
	default:
		return "the registry failed";
	}
}

int registry_manifest(registry_t *r, const char *reference, char **body, size_t *len, char *media, size_t medialen,
		      char *err, size_t errlen)
{
	static const char accept[] =
		"application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
		"application/vnd.docker.distribution.manifest.list.v2+json, "
		"application/vnd.docker.distribution.manifest.v2+json";
	char url[1024];
	xfer_t x = { .fd = -1, .max = OCI_MAX_JSON };
	long status;

	snprintf(url, sizeof(url), "%s/v2/%s/manifests/%s", r->base, r->repo, reference);
	status = get_authed(r, url, accept, &x, err, errlen);
	if (status != 200) {
		if (status > 0)
			snprintf(err, errlen, "%s/%s:%s: %s (HTTP %ld)", r->base + strcspn(r->base, "/") + 2, r->repo,
				 reference, status_hint(status), status);
		free(x.body.data);
		return -1;
	}
	if (!x.body.data) {
		snprintf(err, errlen, "%s: empty manifest", url);
		return -1;
	}
	*body = x.body.data;
	*len = x.body.len;
	snprintf(media, medialen, "%s", x.media);
	return 0;
}

int registry_blob(registry_t *r, const char *digest, int fd, uint64_t max, char *err, size_t errlen)
{
	char url[1024];
	xfer_t x = { .fd = fd, .max = max };
	long status;

	if (!img_digest_valid(digest)) {
		snprintf(err, errlen, "'%.80s' is not a digest", digest);
		return -1;
	}
	snprintf(url, sizeof(url), "%s/v2/%s/blobs/%s", r->base, r->repo, digest);
	status = get_authed(r, url, NULL, &x, err, errlen);
	if (status != 200) {
		if (status > 0)
			snprintf(err, errlen, "blob %.80s of %s: %s (HTTP %ld)", digest, r->repo, status_hint(status), status);
		return -1;
	}
	return 0;
}
