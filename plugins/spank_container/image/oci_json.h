/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * oci_json - the OCI (and Docker v2) image JSON documents, parsed with
 * json-c: an index picks a manifest, a manifest lists the config and the
 * layers, the config gives Env, WorkingDir, Entrypoint and Cmd.
 *
 * Input is untrusted (from a registry or a user's directory): sizes,
 * counts, media types and digests are checked, nothing is taken on faith.
 */
#ifndef OCTOPUS_OCI_JSON_H
#define OCTOPUS_OCI_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "image_ref.h"

#define OCI_MAX_LAYERS   127            /* overlayfs stacks at most ~128 lowerdirs */
#define OCI_MAX_JSON     (4u << 20)     /* no index, manifest or config is larger */
#define OCI_MAX_ENV      4096

typedef enum {
	OCI_MT_UNKNOWN,
	OCI_MT_INDEX,           /* OCI index or Docker manifest list */
	OCI_MT_MANIFEST,        /* OCI or Docker v2 schema 2 manifest */
	OCI_MT_LAYER_TAR,
	OCI_MT_LAYER_GZIP,
	OCI_MT_LAYER_ZSTD,
	OCI_MT_CONFIG,
} oci_media_t;

typedef struct {
	oci_media_t media;
	char digest[IMG_DIGEST_MAX];
	uint64_t size;
} oci_blob_t;

typedef struct {
	oci_blob_t config;
	size_t nlayers;
	oci_blob_t layers[OCI_MAX_LAYERS];      /* base first */
} oci_manifest_t;

typedef struct {
	char **env;             /* "NAME=value", NULL-terminated */
	size_t nenv;
	char *workdir;          /* NULL if unset */
	char **entrypoint;      /* NULL-terminated; NULL if unset */
	char **cmd;
} oci_config_t;

oci_media_t oci_media_type(const char *s);

/* From an index (or Docker manifest list): the manifest named ref (the
 * org.opencontainers.image.ref.name annotation), else for linux/arch, else
 * the only entry. */
int oci_index_pick(const char *json, size_t len, const char *ref, const char *arch, oci_blob_t *out,
		   char *err, size_t errlen);

int oci_manifest_parse(const char *json, size_t len, oci_manifest_t *m, char *err, size_t errlen);

int oci_config_parse(const char *json, size_t len, oci_config_t *c, char *err, size_t errlen);
void oci_config_free(oci_config_t *c);

#endif
