/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spank_machine_type - the client half of job_submit/octopus.
 *
 * Adds `--machine-type=NAME[:UNITS]` to sbatch, salloc and srun (also as
 * `#SBATCH --machine-type`). The value travels to slurmctld in the job's
 * SPANK environment (spank_job_control_setenv), where job_submit/octopus
 * reads, validates and enforces it; nothing here is trusted for policy.
 * `--machine-type=help` prints the catalog from octopus.conf.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mt_catalog.h"
#include "spank_shim.h"

OCTOPUS_SPANK_PLUGIN(octopus_machine_type, 1)

#define MT_ENV "OCTOPUS_MACHINE_TYPE"

static char machine_type[MT_NAME_MAX + 16];

static char *conf_path(void)
{
	const char *slurm_conf = getenv("SLURM_CONF");
	const char *slash;
	char *path;

	if (slurm_conf && (slash = strrchr(slurm_conf, '/'))) {
		size_t n = (size_t)(slash - slurm_conf);

		if ((path = malloc(n + sizeof("/octopus.conf"))))
			sprintf(path, "%.*s/octopus.conf", (int)n, slurm_conf);
		return path;
	}
	return strdup(OCTOPUS_SLURM_CONFDIR "/octopus.conf");
}

static int print_help(void)
{
	char *path = conf_path();
	mt_error_t err;
	mt_catalog_t *cat = path ? mt_catalog_load(path, &err) : NULL;
	static char table[64 * 1024];

	if (!cat) {
		/* slurmctld keeps enforcing the catalog it last read: this
		 * file is not what is in force, so say so and fail */
		fprintf(stderr,
			"octopus: %s line %u: %s\n"
			"octopus: that file is broken, so this is not the list slurmctld enforces (it keeps the last good one): tell your HPC admins\n",
			path ? path : "octopus.conf", path ? err.line : 0, path ? err.msg : "out of memory");
		free(path);
		return 1;
	} else {
		mt_catalog_describe(cat, table, sizeof(table));
		printf("Machine types (use --machine-type=NAME[:UNITS]; a unit is the row's 'PER UNIT'):\n%s", table);
		mt_catalog_free(cat);
	}
	free(path);
	return 0;
}

static int option_cb(int val, const char *optarg, int remote)
{
	const char *colon;
	char name[MT_NAME_MAX];
	size_t len;

	if (!optarg)
		return -1;
	if (!strcmp(optarg, "help") || !strcmp(optarg, "list")) {
		/* like --gres=help: only the client prints and leaves */
		if (remote)
			return 0;
		exit(print_help());
	}
	colon = strchr(optarg, ':');
	len = colon ? (size_t)(colon - optarg) : strlen(optarg);
	if (len >= sizeof(name) || strlen(optarg) >= sizeof(machine_type)) {
		fprintf(stderr, "octopus: --machine-type: '%s' is too long (see --machine-type=help)\n", optarg);
		return -1;
	}
	memcpy(name, optarg, len);
	name[len] = '\0';
	if (!mt_valid_name(name) || (colon && (!colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1)))) {
		fprintf(stderr, "octopus: --machine-type=%s: expected NAME or NAME:UNITS (see --machine-type=help)\n",
			optarg);
		return -1;
	}
	strcpy(machine_type, optarg);
	return 0;
}

static struct spank_option mt_option = {
	.name = "machine-type",
	.arginfo = "NAME[:UNITS]",
	.usage = "run as UNITS (default 1, or as many as the GPU request gives) of machine type NAME; --machine-type=help lists them",
	.has_arg = 1,
	.val = 0,
	.cb = option_cb,
};

int slurm_spank_init(spank_t sp, int ac, char **av)
{
	return spank_option_register(sp, &mt_option) == ESPANK_SUCCESS ? 0 : -1;
}

/* Forward the choice with the job request; slurmctld sees it in
 * job_desc->spank_job_env. Only allocating contexts submit a job. */
int slurm_spank_init_post_opt(spank_t sp, int ac, char **av)
{
	spank_context_t ctx = spank_context();
	spank_err_t rc;

	if (!machine_type[0] || (ctx != S_CTX_LOCAL && ctx != S_CTX_ALLOCATOR))
		return 0;
	rc = spank_job_control_setenv(sp, MT_ENV, machine_type, 1);
	if (rc != ESPANK_SUCCESS) {
		/* srun inside an allocation creates a step, not a job */
		if (ctx == S_CTX_LOCAL && getenv("SLURM_JOB_ID"))
			return 0;
		fprintf(stderr, "octopus: cannot pass --machine-type to the job: %s\n", spank_strerror(rc));
		return -1;
	}
	return 0;
}
