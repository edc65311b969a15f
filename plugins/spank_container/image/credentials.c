/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "credentials.h"

#include <json-c/json.h>
#include <nettle/base64.h>
#include <string.h>
#include <strings.h>

#include "image_ref.h"

/* The keys a file may use for this registry, best first. */
static int key_matches(const char *key, const char *registry)
{
	static const char *const hub[] = { "docker.io", "index.docker.io", "registry-1.docker.io",
					   "https://index.docker.io/v1/", NULL };
	size_t n = strlen(registry);
	const char *k = key;

	if (!strcmp(registry, IMG_DOCKER_HUB))
		for (int i = 0; hub[i]; i++)
			if (!strcmp(key, hub[i]))
				return 1;
	if (!strncmp(k, "https://", 8))
		k += 8;
	else if (!strncmp(k, "http://", 7))
		k += 7;
	return !strncasecmp(k, registry, n) && (k[n] == '\0' || k[n] == '/');
}

int cred_lookup(const char *json, size_t len, const char *registry, char *out, size_t outlen)
{
	json_tokener *tok = json_tokener_new_ex(16);
	json_object *o = NULL, *auths, *auth;
	int rc = -1;

	out[0] = '\0';
	if (!tok || len > (1u << 20))
		goto done;
	o = json_tokener_parse_ex(tok, json, (int)len);
	if (!o || !json_object_is_type(o, json_type_object))
		goto done;
	rc = 0;
	if (!json_object_object_get_ex(o, "auths", &auths) || !json_object_is_type(auths, json_type_object))
		goto done;
	json_object_object_foreach(auths, key, val) {
		const char *b64;
		unsigned char buf[CRED_MAX + 4];       /* BASE64_DECODE_LENGTH(blen) <= CRED_MAX + 1 */
		struct base64_decode_ctx b64ctx;
		size_t blen, dlen;
		int n;

		if (!key_matches(key, registry) || !json_object_is_type(val, json_type_object) ||
		    !json_object_object_get_ex(val, "auth", &auth) || !json_object_is_type(auth, json_type_string))
			continue;
		b64 = json_object_get_string(auth);
		blen = strlen(b64);
		if (blen == 0 || blen % 4 || blen / 4 * 3 > CRED_MAX)
			continue;
		base64_decode_init(&b64ctx);
		dlen = sizeof(buf) - 1;
		if (!base64_decode_update(&b64ctx, &dlen, buf, blen, b64) || !base64_decode_final(&b64ctx)) {
			explicit_bzero(buf, sizeof(buf));
			continue;
		}
		n = (int)dlen;
		buf[n] = '\0';
		if ((size_t)n >= outlen || !memchr(buf, ':', (size_t)n) || buf[0] == ':' || strlen((char *)buf) != (size_t)n)
			goto next;
		for (int i = 0; i < n; i++)
			if (buf[i] < 0x20 || buf[i] == 0x7f)
				goto next;
		memcpy(out, buf, (size_t)n + 1);
		explicit_bzero(buf, sizeof(buf));
		rc = 1;
		break;
next:
		explicit_bzero(buf, sizeof(buf));
	}
done:
	json_object_put(o);
	if (tok)
		json_tokener_free(tok);
	return rc;
}
