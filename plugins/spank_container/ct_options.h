/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ct_options - the container options of srun, sbatch and salloc, as typed
 * (Pyxis-compatible names), parsed and checked on the client, so a mistake
 * is reported before anything is queued, and again in slurmstepd, which
 * trusts nothing the client sent.
 */
#ifndef OCTOPUS_CT_OPTIONS_H
#define OCTOPUS_CT_OPTIONS_H

#include <limits.h>
#include <stddef.h>

#include "image/image_ref.h"

#define CT_MAX_MOUNTS   32
#define CT_MAX_ENVNAMES 64
#define CT_NAME_MAX     64

typedef struct {
	int volume;                     /* 1: src is a named volume */
	char src[PATH_MAX / 4];         /* absolute host path, or the volume name */
	char dst[PATH_MAX / 4];         /* absolute path in the container */
	int readonly;
} ct_mount_t;

typedef struct {
	char image[IMG_PATH_MAX + 64];  /* as given; "" = no container */
	img_ref_t ref;
	size_t nmounts;
	ct_mount_t mounts[CT_MAX_MOUNTS];
	char workdir[PATH_MAX / 4];
	size_t nenv;
	char env[CT_MAX_ENVNAMES][CT_NAME_MAX];   /* names whose job value wins */
	int mount_home;                 /* -1: the site default */
	int writable;                   /* -1: the site default */
	int entrypoint;                 /* -1: the site default (off) */
	char name[CT_NAME_MAX];         /* --container-name */
} ct_options_t;

void ct_options_init(ct_options_t *o);

/* Each returns 0, or -1 with "--container-x: reason and fix" in err. */
int ct_opt_image(ct_options_t *o, const char *arg, const char *default_registry, char *err, size_t errlen);
int ct_opt_mounts(ct_options_t *o, const char *arg, char *err, size_t errlen);
int ct_opt_workdir(ct_options_t *o, const char *arg, char *err, size_t errlen);
int ct_opt_env(ct_options_t *o, const char *arg, char *err, size_t errlen);
int ct_opt_name(ct_options_t *o, const char *arg, char *err, size_t errlen);

/* 1 if name is listed in --container-env. */
int ct_env_listed(const ct_options_t *o, const char *name, size_t len);

#endif
