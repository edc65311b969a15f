/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The task's environment and command inside the container, set in
 * slurm_spank_task_init: what the image, CDI devices and site hooks define
 * against what the job brought, and --container-entrypoint's rewrite of
 * the command.
 */
#define _GNU_SOURCE
#include "ct_task_env.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "entrypoint/entry_plan.h"
#include "ns/hook_env.h"

/* The job's variables the image's Entrypoint still sees (Pyxis passes these to enroot too). */
static int entry_keeps(const char *kv, size_t len)
{
	static const char *const keep[] = { "HOME", "USER", "LOGNAME", "TERM", "PATH" };

	if (!strncmp(kv, "SLURM_", 6) || !strncmp(kv, "OCTOPUS_ENTRY", 13) ||
	    (len > 16 && !strncmp(kv + len - 16, "_VISIBLE_DEVICES", 16)))
		return 1;
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (strlen(keep[i]) == len && !strncmp(kv, keep[i], len))
			return 1;
	return 0;
}

static int in_image_env(const ct_step_t *step, const char *name, size_t len)
{
	for (size_t i = 0; i < step->image.config.nenv; i++)
		if (!strncmp(step->image.config.env[i], name, len) && step->image.config.env[i][len] == '=')
			return 1;
	return 0;
}

/*
 * Pyxis' rule: the Entrypoint runs with the image's environment and the
 * --container-env variables; the job's other variables join after it, in
 * front of the command, where the image (or the Entrypoint) has not set
 * them. They ride in OCTOPUS_ENTRY_HELD to the helper's second run.
 * Too many to carry: the Entrypoint sees them all, as before (logged).
 */
static void hold_job_env(spank_t sp, const ct_step_t *step, const ct_options_t *opts)
{
	char **env = NULL, *held[ENTRY_PLAN_MAX_WORDS], *plan;
	size_t n = 0;

	if (spank_get_item(sp, S_JOB_ENV, &env) != ESPANK_SUCCESS || !env)
		return;
	for (char **e = env; *e; e++) {
		const char *eq = strchr(*e, '=');
		size_t len = eq ? (size_t)(eq - *e) : 0;

		if (!len || entry_keeps(*e, len) || ct_env_listed(opts, *e, len) || in_image_env(step, *e, len))
			continue;
		if (n == ENTRY_PLAN_MAX_WORDS) {
			slurm_info("octopus container: more than %d job variables: the Entrypoint sees them all",
				   ENTRY_PLAN_MAX_WORDS);
			return;
		}
		held[n++] = *e;
	}
	if (!(plan = entry_plan_encode(held, n))) {
		slurm_info("octopus container: the job's variables are too large to hold back from the Entrypoint");
		return;
	}
	spank_setenv(sp, ENTRY_HELD_ENV, plan, 1);
	free(plan);
	for (size_t i = 0; i < n; i++) {
		char name[256];
		size_t len = (size_t)(strchr(held[i], '=') - held[i]);

		if (len < sizeof(name)) {
			memcpy(name, held[i], len);
			name[len] = '\0';
			spank_unsetenv(sp, name);
		}
	}
}

/*
 * --container-entrypoint: Slurm execs task argv[0] right after this hook
 * and lets a plugin change the array's entries but not its length, so
 * argv[0] becomes octopus-entrypoint (through the fd slurmstepd opened
 * on the host) and the plan -- the image's Entrypoint words, the helper
 * again (to give the held variables back), then the real argv[0] -- rides
 * in the environment. The helper execs the whole line.
 */
int ct_task_through_entrypoint(spank_t sp, const ct_step_t *step, const ct_options_t *opts, const char *label)
{
	static char helper[40];
	char **argv = NULL, *words[ENTRY_PLAN_MAX_WORDS], *plan = NULL;
	size_t n = 0;
	int argc = 0;

	if (spank_get_item(sp, S_JOB_ARGV, &argc, &argv) != ESPANK_SUCCESS || argc < 1 || !argv || !argv[0]) {
		fprintf(stderr, "octopus: container %s: --container-entrypoint: Slurm gave no command\n", label);
		return -1;
	}
	snprintf(helper, sizeof(helper), "/proc/self/fd/%d", step->entry_fd);
	for (char **e = step->image.config.entrypoint; *e && n < ENTRY_PLAN_MAX_WORDS - 2; e++)
		words[n++] = *e;
	if (step->image.config.entrypoint[n] || !(words[n++] = helper, words[n++] = argv[0], plan = entry_plan_encode(words, n))) {
		fprintf(stderr, "octopus: container %s: the image's Entrypoint is too long to run "
				"(use --no-container-entrypoint and name it in the command)\n", label);
		return -1;
	}
	spank_setenv(sp, ENTRY_PLAN_ENV, plan, 1);
	free(plan);
	hold_job_env(sp, step, opts);
	/* the Entrypoint execs the helper again by this fd: it must outlive the first exec */
	if (fcntl(step->entry_fd, F_SETFD, 0)) {
		fprintf(stderr, "octopus: container %s: --container-entrypoint: %s\n", label, strerror(errno));
		return -1;
	}
	argv[0] = helper;
	return 0;
}

/* The submit host's locale is not the image's (Pyxis drops these too): perl and friends would warn. */
void ct_task_drop_locale(spank_t sp, const ct_options_t *opts)
{
	static const char *const names[] = {
		"LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_NUMERIC", "LC_TIME", "LC_COLLATE", "LC_MONETARY",
		"LC_MESSAGES", "LC_PAPER", "LC_NAME", "LC_ADDRESS", "LC_TELEPHONE", "LC_MEASUREMENT", "LC_IDENTIFICATION",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!ct_env_listed(opts, names[i], strlen(names[i])))
			spank_unsetenv(sp, names[i]);
}

/*
 * The image's Env, then what site hooks set ("${SLURM_...}" the task's
 * own), win over the job's, except what --container-env names and the job
 * has (Pyxis' rule). -1 when an expanded value does not fit.
 */
int ct_task_set_env(spank_t sp, const ct_options_t *opts, char *const *env, size_t n, int expand)
{
	char have[8], value[HOOK_ENV_VALUE_MAX];

	for (size_t i = 0; i < n; i++) {
		char *kv = env[i], *eq = strchr(kv, '=');
		const char *v;

		if (!eq)
			continue;
		*eq = '\0';
		v = eq + 1;
		if (ct_env_listed(opts, kv, (size_t)(eq - kv)) &&
		    spank_getenv(sp, kv, have, sizeof(have)) != ESPANK_ENV_NOEXIST) {
			*eq = '=';
			continue;
		}
		if (expand && hook_env_expand(v, ct_step_getenv, sp, value, sizeof(value))) {
			*eq = '=';
			return -1;
		}
		spank_setenv(sp, kv, expand ? value : v, 1);
		*eq = '=';
	}
	return 0;
}

/*
 * srun --mpi=pmix: the server's module choices under the names a PMIx
 * client reads (PMIX_MCA_*), where the job has not set them: the image's
 * PMIx may be another release than the node's, and would otherwise pick
 * modules the server does not speak (enroot's PMIx hook does the same).
 */
void ct_task_pmix_env(spank_t sp)
{
	static const char *const map[][2] = {
		{ "PMIX_PTL_MODULE", "PMIX_MCA_ptl" },
		{ "PMIX_SECURITY_MODE", "PMIX_MCA_psec" },
		{ "PMIX_GDS_MODULE", "PMIX_MCA_gds" },
	};
	char value[256], have[8];

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (spank_getenv(sp, map[i][0], value, sizeof(value)) == ESPANK_SUCCESS && value[0] &&
		    spank_getenv(sp, map[i][1], have, sizeof(have)) == ESPANK_ENV_NOEXIST)
			spank_setenv(sp, map[i][1], value, 0);
}
