/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ct_image - from an image reference to unpacked layers in the node's
 * cache, plus the image config. Every file the user names is opened by the
 * user (user_open); every blob is checked against its digest; layers are
 * unpacked once per node (layer_cache).
 */
#ifndef OCTOPUS_CT_IMAGE_H
#define OCTOPUS_CT_IMAGE_H

#include "image/image_ref.h"
#include "image/layer_cache.h"
#include "image/oci_json.h"
#include "image/registry.h"
#include "ns/user_open.h"

typedef struct {
	char manifest_digest[IMG_DIGEST_MAX];   /* what the tag resolved to */
	size_t nlayers;
	oci_config_t config;
	char *config_json;                      /* the config as served, for ct_plan_write */
	size_t config_len;
	unsigned unpacked;                      /* layers this call unpacked (misses) */
	int from_mirror;                        /* 1: the registry mirror served it */
	char mirror_error[256];                 /* why the mirror did not, if it was tried */
	double resolve_ms, fetch_ms;            /* per phase, for the slurmd log */
	int has_squashfs;                       /* a squashfs file instead of layers: */
	int squashfs_fd;                        /* opened by the user, checked to be one; -1 from a plan */
	char squashfs_path[IMG_PATH_MAX];       /* absolute, for a named container's plan */
	/* last, and valid up to nlayers only: ct_image_reset leaves their ~0.5 MB untouched */
	layer_ref_t layers[OCI_MAX_LAYERS];     /* base first; each holds a shared lock */
	oci_blob_t blobs[OCI_MAX_LAYERS];       /* the manifest's layer entries, likewise */
} ct_image_t;

/* Empty, without writing the layer arrays: clearing them all faulted in
 * ~140 fresh pages of slurmstepd, ~2 ms of every step's start. */
void ct_image_reset(ct_image_t *img);

typedef struct {
	const char *allow_registries;   /* comma-separated; NULL or "": any */
	const char *plain_http;         /* registries reached over http:// */
	const char *credentials;        /* "user:password" for the image's registry, or NULL */
	const char *mirror;             /* host[:port] tried before the image's registry, or NULL */
	const char *mirror_credentials; /* the user's login for the mirror, or NULL */
	const char *cwd;                /* the job's working directory: a relative squashfs path's base */
	const struct ct_daemon_user *daemon; /* podman:// and dockerd://: who saves it, with what; NULL: refused */
	unsigned pull_workers;          /* registry layers fetched and unpacked at once (ct_pull) */
} ct_image_opts_t;

int ct_image_prepare(const img_ref_t *ref, const ct_image_opts_t *o, user_opener_t *uo, layer_cache_t *cache,
		     ct_image_t *img, char *err, size_t errlen);
void ct_image_release(ct_image_t *img);

/*
 * A squashfs image's environment: its /etc/environment (what enroot
 * writes there from the image's Env), read through root (an fd of the
 * container's root directory) without leaving it, into img->config.env.
 * No file: a default PATH. 0, or -1 with the reason in err.
 */
int ct_image_squashfs_env(ct_image_t *img, int root, char *err, size_t errlen);

/* For ct_plan.c: a whole small file from fd (at most OCI_MAX_JSON bytes),
 * and every layer of m into the cache (misses fetched with open_blob), timed. */
char *ct_image_read_small(int fd, size_t *len, const char *what, char *err, size_t errlen);
int ct_image_get_layers(layer_cache_t *cache, const oci_manifest_t *m, layer_blob_fn open_blob, void *arg,
			ct_image_t *img, char *err, size_t errlen);

/* 1 and "user:password" in out if the user has a login for registry in
 * ~/.config/containers/auth.json or ~/.docker/config.json, read as the user
 * (uo; NULL when the caller already is the user). */
int ct_image_load_login(user_opener_t *uo, const char *home, const char *registry, char *out, size_t len);

/* The digest a registry tag points at now (of the index or the manifest),
 * so every node of a job starts the same image. */
int ct_image_resolve(const img_ref_t *ref, const ct_image_opts_t *o, long timeout_s, char *digest, size_t len,
		     char *err, size_t errlen);

/* A squashfs file (ct_image_squashfs.c), opened as the user (relative: to o->cwd),
 * its magic checked; the holder mounts it. 0, or -1 with err. */
int ct_image_prepare_squashfs(const img_ref_t *ref, const ct_image_opts_t *o, user_opener_t *uo, ct_image_t *img,
			      char *err, size_t errlen);

#endif
