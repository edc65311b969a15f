/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * image_ref - what --container-image names, parsed and checked.
 *
 *   docker://[REGISTRY/]REPO[:TAG][@DIGEST]   a registry (docker:// optional)
 *   REGISTRY#REPO[:TAG]                       enroot/Pyxis spelling of the same
 *   oci:/ABS/PATH[:REF]                       a local OCI image layout
 *   oci-archive:/ABS/PATH[:REF]               a tar of an OCI image layout
 *   /ABS/PATH, ./PATH, ../PATH                a squashfs file (enroot's image format),
 *                                             relative to the job's working directory
 *   podman://NAME, dockerd://NAME             an image of the user's podman storage or
 *                                             of the node's Docker daemon (enroot's syntax)
 *
 * A first component with a '.' or ':', or "localhost", is a registry;
 * otherwise the site's default registry, and "library/" for one-component
 * names on Docker Hub, as docker does. Names follow the OCI distribution
 * grammar; digests are sha256/sha512 in lowercase hex. User input: every
 * byte is checked, nothing is allocated.
 */
#ifndef OCTOPUS_IMAGE_REF_H
#define OCTOPUS_IMAGE_REF_H

#include <stddef.h>

#define IMG_REGISTRY_MAX 256
#define IMG_REPO_MAX     256
#define IMG_TAG_MAX      129            /* 128 characters, the spec's limit */
#define IMG_DIGEST_MAX   (7 + 128 + 1)  /* "sha512:" + 128 hex */
#define IMG_PATH_MAX     1024
#define IMG_ERR_MAX      256

#define IMG_DOCKER_HUB   "registry-1.docker.io"

typedef enum {
	IMG_REGISTRY,           /* docker:// */
	IMG_OCI_LAYOUT,         /* oci: */
	IMG_OCI_ARCHIVE,        /* oci-archive: */
	IMG_SQUASHFS,           /* a path: an enroot/Pyxis squashfs file */
	IMG_PODMAN,             /* podman://: the user's podman storage */
	IMG_DOCKERD,            /* dockerd://: the node's Docker daemon */
} img_source_t;

typedef struct {
	img_source_t source;
	char registry[IMG_REGISTRY_MAX];        /* host[:port]; IMG_REGISTRY only */
	char repo[IMG_REPO_MAX];                /* IMG_REGISTRY only */
	char tag[IMG_TAG_MAX];                  /* tag, or the layout's ref name; may be "" */
	char digest[IMG_DIGEST_MAX];            /* pinned digest; may be "" */
	char path[IMG_PATH_MAX];                /* oci:, oci-archive:, squashfs (may be relative);
						 * the daemon's image name for podman://, dockerd:// */
} img_ref_t;

/* 0 on success; -1 with a one-line reason naming the fix in err. A
 * registry reference without tag or digest gets the tag "latest". */
int img_ref_parse(const char *s, const char *default_registry, img_ref_t *out, char *err, size_t errlen);

/* 1 if host (len bytes) is one of Docker Hub's names: docker.io,
 * index.docker.io, registry-1.docker.io (its API endpoint). */
int img_registry_is_hub(const char *host, size_t len);

/* Canonical text, e.g. "docker://registry-1.docker.io/library/busybox:1.36@sha256:...". */
int img_ref_format(const img_ref_t *r, char *buf, size_t len);

/* 1 if s is "sha256:<64 hex>" or "sha512:<128 hex>", lowercase. */
int img_digest_valid(const char *s);

/* 1 if host is in the comma-separated list (Docker Hub under any of its names). */
int registry_host_listed(const char *list, const char *host);

#endif
