/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cdi_spec - Container Device Interface specs (JSON or YAML, the files
 * nvidia-ctk, AMD's, Intel's and Habana's tools write to /etc/cdi and
 * /var/run/cdi): find the devices a step holds by their qualified names
 * ("vendor.com/class=name") and gather what they need in the container:
 * environment, device nodes, mounts and createContainer hooks, with the
 * spec-wide edits of each spec used once. A spec file that cannot be read
 * is skipped with a note (another vendor's broken file must not stop this
 * one's devices); a device asked for and found nowhere is an error.
 */
#ifndef OCTOPUS_CDI_SPEC_H
#define OCTOPUS_CDI_SPEC_H

#include <limits.h>
#include <stddef.h>

#define CDI_MAX_SPEC_BYTES (1024 * 1024)
#define CDI_MAX_SPEC_FILES 256
#define CDI_MAX_NAMES 64
#define CDI_MAX_ITEMS 128               /* of each kind of edit, all devices together */
#define CDI_PATH_MAX (PATH_MAX / 4)

typedef struct {
	char path[CDI_PATH_MAX];        /* in the container */
	char host_path[CDI_PATH_MAX];   /* on the node (the same path unless hostPath says) */
} cdi_node_t;

typedef struct {
	char host_path[CDI_PATH_MAX];
	char container_path[CDI_PATH_MAX];
	char options[256];              /* '+'-joined, as --container-mounts flags */
	char type[32];                  /* "bind" (or empty) and "tmpfs" are supported */
} cdi_mount_t;

typedef struct {
	char path[CDI_PATH_MAX];
	char **argv;                    /* NULL-terminated; argv[0] as the spec gives it */
	char **env;                     /* NULL-terminated, may be empty */
	unsigned timeout_s;             /* 0: the site's hook_timeout */
} cdi_hook_t;

typedef struct {
	char **env;                     /* "NAME=VALUE" */
	size_t nenv;
	cdi_node_t nodes[CDI_MAX_ITEMS];
	size_t nnodes;
	cdi_mount_t mounts[CDI_MAX_ITEMS];
	size_t nmounts;
	cdi_hook_t hooks[CDI_MAX_ITEMS];
	size_t nhooks;
	char notes[512];                /* specs skipped, for the log */
} cdi_edits_t;

/*
 * The edits of names[] from the specs in dirs (later dirs win over earlier
 * ones for a device both define, as the CDI spec says of /var/run/cdi over
 * /etc/cdi). 0, or -1 with the first name not found, or the bad field of
 * its spec, in err. out is zeroed first; free with cdi_edits_free.
 */
int cdi_collect(const char *const *dirs, size_t ndirs, const char *const *names, size_t nnames, cdi_edits_t *out,
		char *err, size_t errlen);

/* One spec's text (JSON when it starts with '{', else YAML): the same as
 * cdi_collect for one file, for tests and the fuzzer. */
int cdi_collect_text(const char *text, size_t len, const char *file, const char *const *names, size_t nnames,
		     int *found, cdi_edits_t *out, char *err, size_t errlen);

void cdi_edits_free(cdi_edits_t *e);

#endif
