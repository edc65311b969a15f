/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * octopus-entrypoint - runs a container task through its image's
 * Entrypoint (srun/sbatch --container-entrypoint).
 *
 * spank_container execs this (statically linked: it runs inside the image,
 * whose libc may differ or be absent) in place of the task's command, with
 * the command's argv[1..] and the plan in OCTOPUS_ENTRYPOINT (entry_plan.h):
 * the Entrypoint words, then the command's own argv[0]. It execs
 *     Entrypoint... argv[0] argv[1...]
 * looked up in the image's PATH, as `docker run IMAGE CMD...` does. It runs
 * as the user with no_new_privs, so it can do nothing the task could not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "entry_plan.h"

int main(int argc, char **argv)
{
	const char *env = getenv(ENTRY_PLAN_ENV);
	char *plan, *words[ENTRY_PLAN_MAX_WORDS], **cmd;
	int n;

	if (!env) {
		fprintf(stderr, "octopus-entrypoint: %s is not set: this helper is run by spank_container "
				"for --container-entrypoint, not by hand\n", ENTRY_PLAN_ENV);
		return 127;
	}
	if (!(plan = strdup(env)) || (n = entry_plan_decode(plan, words, ENTRY_PLAN_MAX_WORDS)) < 2) {
		fprintf(stderr, "octopus-entrypoint: %s is malformed\n", ENTRY_PLAN_ENV);
		return 127;
	}
	unsetenv(ENTRY_PLAN_ENV);       /* not the task's business */
	if (!(cmd = calloc((size_t)n + (size_t)(argc > 1 ? argc : 1), sizeof(*cmd)))) {
		fprintf(stderr, "octopus-entrypoint: out of memory\n");
		return 127;
	}
	memcpy(cmd, words, (size_t)n * sizeof(*cmd));
	for (int i = 1; i < argc; i++)
		cmd[n + i - 1] = argv[i];
	execvp(cmd[0], cmd);
	fprintf(stderr, "octopus: the image's entrypoint %s: %s\n", cmd[0], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
