/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ct_config - spank_container's site settings: the plugstack.conf
 * arguments after the plugin's path (cache_dir=, runtime_dir=, ...).
 */
#ifndef OCTOPUS_CT_CONFIG_H
#define OCTOPUS_CT_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "image/image_ref.h"

typedef struct {
	char cache_dir[PATH_MAX / 2];
	char runtime_dir[PATH_MAX / 4];
	char volume_root[PATH_MAX / 4];
	char hooks_dir[PATH_MAX / 4];
	char default_registry[IMG_REGISTRY_MAX];
	char allow_registries[1024];
	char plain_http_registries[1024];
	char registry_mirrors[1024];    /* REGISTRY=MIRROR,...: tried first, the registry if it fails */
	char site_mounts[2048];         /* SRC:DST[:ro|rw],...: bound into every container */
	char entrypoint_helper[PATH_MAX / 4];
	char mksquashfs[PATH_MAX / 4];  /* --container-save's writer */
	char podman[PATH_MAX / 4];      /* podman:// images: `podman image save` as the user; "": refused */
	char docker[PATH_MAX / 4];      /* dockerd:// images: `docker save` as the user; "": refused */
	char cdi_devices[1024];         /* GRES=vendor.com/class,...: CDI devices for the GRES a step holds */
	char cdi_spec_dirs[512];        /* DIR:DIR, later wins (default /etc/cdi:/var/run/cdi) */
	char pmix_dirs[1024];           /* PMIx server directories bound in when they exist (%j %s %u %n) */
	int mount_home;
	int writable;
	int remap_root;                 /* the user is root inside (a user namespace) by default */
	int workdir_submit;             /* 1: start in the submit directory, bound in; 0: the image's WorkingDir (Pyxis) */
	int entrypoint;                 /* run the image's Entrypoint by default */
	int seccomp;                    /* seccomp=default: the default syscall filter on every task */
	int squashfs_images;            /* users' squashfs files may be mounted (the kernel reads them) */
	uint64_t max_layer_bytes;       /* unpacked file data per layer */
	unsigned hook_timeout_s;        /* each site hook's bound, 1..SITE_HOOK_TIMEOUT_MAX */
	unsigned daemon_timeout_s;      /* a podman/docker save's bound */
	unsigned pull_workers;          /* layers pulled at once, 1..8 (default 4) */
	uint64_t cache_max_bytes;       /* collect the cache down to this after a step unpacked; 0: never */
} ct_config_t;

/* Defaults, then each KEY=VALUE; -1 with the bad argument and the valid keys in err. */
int ct_config_parse(ct_config_t *cfg, int ac, char **av, char *err, size_t errlen);

/* The mirror configured for registry into out (1), or 0 if none. */
int ct_config_mirror(const ct_config_t *cfg, const char *registry, char *out, size_t len);

/* "64G", "500M", bytes; 0 and junk refused. */
int ct_parse_size(const char *v, uint64_t *out);

#endif
