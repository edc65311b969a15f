/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hook_env - the variables site hooks hand to the tasks, enroot's
 * ENROOT_ENVIRON as Pyxis sites know it. Each hook runs with
 * OCTOPUS_ENVIRON naming a file that starts with the image's Env, one
 * NAME=VALUE a line; a hook appends lines (or reads them: the PyTorch hook
 * acts only where the image has PYTORCH_VERSION). What the hooks added or
 * changed goes to every task; "${SLURM_...}" in a value is the task's own
 * (a hook runs once per node, RANK=${SLURM_PROCID} is per task).
 */
#ifndef OCTOPUS_HOOK_ENV_H
#define OCTOPUS_HOOK_ENV_H

#include <stddef.h>

#define HOOK_ENV_FILE "environ"                /* in the step's runtime directory */
#define HOOK_ENV_MAX_BYTES (256 * 1024)
#define HOOK_ENV_MAX_VARS 512
#define HOOK_ENV_VALUE_MAX 8192                /* a value after ${SLURM_*} expansion */

typedef struct {
	char **kv;              /* "NAME=VALUE", the last line of a name wins */
	size_t n;
} hook_env_t;

/* The file's first content: env's NAME=VALUE entries, one a line (entries
 * holding a newline cannot be written as a line and are left out). */
int hook_env_write_prefill(int fd, char *const *env, size_t nenv);

/*
 * What the hooks left in the file (text, len bytes), less the prefill
 * lines it still holds unchanged. 0, or -1 with the line and the rule it
 * broke in err (a name that is not [A-Za-z_][A-Za-z0-9_]*, a NUL byte, too
 * many bytes or variables).
 */
int hook_env_parse(const char *text, size_t len, char *const *prefill, size_t nprefill, hook_env_t *out, char *err,
		   size_t errlen);

/* Read path and parse it; a missing file is no variables. */
int hook_env_read(const char *path, char *const *prefill, size_t nprefill, hook_env_t *out, char *err,
		  size_t errlen);

/*
 * value with each ${SLURM_NAME} replaced by get(SLURM_NAME) ("" when
 * unset); anything else is kept as written. 0, or -1 when it does not fit.
 */
int hook_env_expand(const char *value, const char *(*get)(const char *name, void *arg), void *arg, char *out,
		    size_t outlen);

void hook_env_free(hook_env_t *e);

#endif
