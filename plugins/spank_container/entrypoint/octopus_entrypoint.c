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
 * looked up in the image's PATH, as `docker run IMAGE CMD...` does. The
 * plan puts this helper again between the Entrypoint and the command: that
 * second run gives back the job's variables the plugin held from the
 * Entrypoint (OCTOPUS_ENTRY_HELD), where the Entrypoint has not set them,
 * and execs the command. It runs as the user with no_new_privs, so it can
 * do nothing the task could not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "entry_plan.h"

/* The second run: the held variables back, this helper's fd closed, the command. */
static int give_back(int argc, char **argv, const char *held)
{
	char *copy = strdup(held), *vars[ENTRY_PLAN_MAX_WORDS];
	int n, fd;

	if (!copy || (n = entry_plan_decode(copy, vars, ENTRY_PLAN_MAX_WORDS)) < 0) {
		fprintf(stderr, "octopus-entrypoint: %s is malformed\n", ENTRY_HELD_ENV);
		return 127;
	}
	unsetenv(ENTRY_HELD_ENV);
	for (int i = 0; i < n; i++) {
		char *eq = strchr(vars[i], '=');

		if (eq && eq != vars[i]) {
			*eq = '\0';
			setenv(vars[i], eq + 1, 0);     /* what the image or the Entrypoint set wins */
		}
	}
	if (sscanf(argv[0], "/proc/self/fd/%d", &fd) == 1 && fd > 2)
		close(fd);
	if (argc < 2) {
		fprintf(stderr, "octopus-entrypoint: the Entrypoint ran this helper with no command\n");
		return 127;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "octopus: %s: %s\n", argv[1], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

int main(int argc, char **argv)
{
	const char *env = getenv(ENTRY_PLAN_ENV), *held = getenv(ENTRY_HELD_ENV);
	char *plan, *words[ENTRY_PLAN_MAX_WORDS], **cmd;
	int n;

	if (!env && held && argc > 0)
		return give_back(argc, argv, held);
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
