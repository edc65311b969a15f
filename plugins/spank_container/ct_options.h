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
#include "ns/rootfs.h"

#define CT_MAX_MOUNTS   32
#define CT_MAX_ENVNAMES 64
#define CT_NAME_MAX     64

typedef enum {
	CT_MOUNT_BIND = 0,              /* a host path (absolute, or relative to the working directory) */
	CT_MOUNT_VOLUME,                /* vol:NAME: a named volume of the user's */
	CT_MOUNT_TMPFS,                 /* tmpfs:DST: an empty tmpfs */
	CT_MOUNT_UMOUNT,                /* umount:DST: take away a mount the container would have */
} ct_mount_kind_t;

typedef struct {
	ct_mount_kind_t kind;
	char src[PATH_MAX / 4];         /* host path ("./" or "../" first: the working directory's), or volume name */
	char dst[PATH_MAX / 4];         /* absolute path in the container */
	int readonly;
	int relative;                   /* src is relative to the job's working directory */
	unsigned long flags;            /* MS_NOEXEC, MS_NOSUID, MS_NODEV asked for (nosuid is always on) */
	unsigned long propagation;      /* MS_PRIVATE|MS_SLAVE|MS_SHARED|MS_UNBINDABLE, | MS_REC for the r- forms */
	int nonrecursive;               /* "bind": the source without the mounts below it */
} ct_mount_t;

/* --container-name=NAME[:FLAG], Pyxis' flags */
typedef enum {
	CT_NAME_AUTO = 0,       /* join the running container, else reuse the kept one, else create */
	CT_NAME_CREATE,         /* start fresh from --container-image, discarding what was kept */
	CT_NAME_EXEC,           /* join the running container; an error if none runs */
	CT_NAME_NO_EXEC,        /* a new instance of the kept container, never the running one */
} ct_name_flag_t;

/* The yes/no options, each with its --no-/other form. */
typedef enum { CT_F_MOUNT_HOME, CT_F_WRITABLE, CT_F_ENTRYPOINT, CT_F_ENTRYPOINT_LOG, CT_F_REMAP_ROOT, CT_F_COUNT } ct_flag_t;

typedef struct {
	char image[IMG_PATH_MAX + 64];  /* as given; "" = no container */
	img_ref_t ref;
	size_t nmounts;
	ct_mount_t mounts[CT_MAX_MOUNTS];
	char workdir[PATH_MAX / 4];
	size_t nenv;
	char env[CT_MAX_ENVNAMES][CT_NAME_MAX];   /* names whose job value wins */
	int flags[CT_F_COUNT];          /* each -1 (the site default), 0 or 1 */
	char name[CT_NAME_MAX];         /* --container-name */
	ct_name_flag_t name_flag;
	int unshare;                    /* --container-unshare: ROOTFS_NET|IPC|UTS */
	char save[PATH_MAX / 4];        /* --container-save: a squashfs file (relative: the job's directory) */
	int set_workdir;                /* what the environment may still fill in */
} ct_options_t;

/* The value of flag f: the user's, else the site's. */
#define CT_FLAG(o, f, site) ((o)->flags[f] >= 0 ? (o)->flags[f] : (site))

void ct_options_init(ct_options_t *o);

/* Each returns 0, or -1 with "--container-x: reason and fix" in err. */
int ct_opt_image(ct_options_t *o, const char *arg, const char *default_registry, char *err, size_t errlen);
int ct_opt_mounts(ct_options_t *o, const char *arg, char *err, size_t errlen);
int ct_opt_workdir(ct_options_t *o, const char *arg, char *err, size_t errlen);
int ct_opt_save(ct_options_t *o, const char *arg, char *err, size_t errlen);
int ct_opt_env(ct_options_t *o, const char *arg, char *err, size_t errlen);
int ct_opt_name(ct_options_t *o, const char *arg, char *err, size_t errlen);
/* net,ipc,uts (any of them); NULL or "": all three */
int ct_opt_unshare(ct_options_t *o, const char *arg, char *err, size_t errlen);

/* --container-writable and --container-readonly (and each pair): the same
 * one twice is fine (Slurm may call twice), both is an error naming them. */
int ct_opt_flag(ct_options_t *o, ct_flag_t f, int value, char *err, size_t errlen);

/*
 * The options the command line left unset, from OCTOPUS_CONTAINER_<NAME>
 * and, for scripts written for Pyxis, PYXIS_CONTAINER_<NAME> (IMAGE,
 * MOUNTS, WORKDIR, ENV, NAME, MOUNT_HOME, WRITABLE, READONLY, ENTRYPOINT,
 * ENTRYPOINT_LOG, REMAP_ROOT, UNSHARE). get returns a variable's value or NULL.
 * The command line always wins, whatever the variable says.
 */
int ct_opt_from_env(ct_options_t *o, const char *(*get)(const char *name, void *arg), void *arg,
		    const char *default_registry, char *err, size_t errlen);

/* yes/no/1/0/true/false: 1 or 0, -1 for anything else */
int ct_parse_bool(const char *v);

/* Pyxis's mount flags after SRC:DST:, '+'-separated: 0, or -1 with err. */
int ct_mount_flags(ct_mount_t *m, const char *flags, size_t len, char *err, size_t errlen);

/* 1 if name is listed in --container-env. */
int ct_env_listed(const ct_options_t *o, const char *name, size_t len);

#endif
