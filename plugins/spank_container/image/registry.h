/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * registry - the OCI distribution API (v2) over libcurl: manifests and blobs
 * from Docker Hub, Harbor, a site mirror or any v2 registry.
 *
 * Authentication follows the registry's 401: "Bearer realm=...,service=...,
 * scope=..." gets a token from the realm (with the user's credentials, if
 * any, as HTTP basic auth), "Basic" sends the credentials directly. HTTPS
 * unless the registry is listed as plain HTTP (test and lab registries on
 * loopback). Every response is bounded in size; the caller checks digests.
 */
#ifndef OCTOPUS_REGISTRY_H
#define OCTOPUS_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "image_ref.h"

#define REG_MEDIA_MAX 128
#define REG_TOKEN_MAX 8192
/* A layer download has no total time limit; it ends when it moves less
 * than this many bytes a second for this many seconds. */
#define REG_BLOB_LOW_SPEED_BPS 10240L
#define REG_BLOB_LOW_SPEED_S 60L

typedef struct registry registry_t;

typedef struct {
	const char *plain_http;         /* comma-separated host[:port] reached over http:// */
	const char *credentials;        /* "user:password" or NULL */
	long timeout_s;                 /* per request but layers; 0: 300 */
} registry_opts_t;

registry_t *registry_new(const img_ref_t *ref, const registry_opts_t *o, char *err, size_t errlen);
void registry_free(registry_t *r);

/* A manifest or index by tag or digest, as sent (at most OCI_MAX_JSON bytes).
 * *body is malloc'd; media gets the Content-Type. */
int registry_manifest(registry_t *r, const char *reference, char **body, size_t *len, char *media, size_t medialen,
		      char *err, size_t errlen);

/* A blob, written to fd (at most max bytes; 0: no limit). */
int registry_blob(registry_t *r, const char *digest, int fd, uint64_t max, char *err, size_t errlen);

#endif
