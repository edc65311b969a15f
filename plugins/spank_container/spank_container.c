/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spank_container - srun/sbatch/salloc --container-image: Slurm tasks in
 * OCI images, from a node-local layer cache.
 *
 * By context (spank_context()):
 *   srun, sbatch, salloc  the options are parsed and checked as they are
 *                         read, so a mistake stops the command at once;
 *   slurmstepd            init_post_opt (root, before any task exists):
 *                         import the image into the cache as the user,
 *                         build the step's mount namespace in a holder
 *                         process; task_init_privileged (root, each task):
 *                         join it; task_init (the user, each task, just
 *                         before exec): image Env, CDI and hook variables,
 *                         workdir, the seccomp filter, and the error, if
 *                         any, on the task's stderr (errors from
 *                         slurmstepd's own contexts do not reach srun);
 *                         task_exit (root, the node's last task):
 *                         --container-save; exit: end the holder, drop the
 *                         layer locks;
 *   job epilog            remove what a step of the job left in runtime_dir.
 *
 * plugstack.conf (this plugin must come last):
 *   required spank_container.so [cache_dir=/var/lib/octopus/containers]
 *        [runtime_dir=/run/octopus-container] [mount_home=yes|no]
 *        [writable=yes|no] [volume_root=DIR] [default_registry=HOST]
 *        [allow_registries=HOST,...] [plain_http_registries=HOST:PORT,...]
 *        [registry_mirrors=REGISTRY=MIRROR,...] [site_mounts=SRC:DST[:ro],...]
 *        [entrypoint=yes|no] [entrypoint_helper=PATH] [cache_max_size=SIZE]
 *        [max_layer_size=64G] [hooks_dir=/etc/octopus/container-hooks.d]
 *        [hook_timeout=60] [remap_root=yes|no] [workdir=image|submit]
 *        [cdi_devices=gpu=nvidia.com/gpu,...] [cdi_spec_dirs=/etc/cdi:/var/run/cdi]
 *        [seccomp=default|none] [mksquashfs=/usr/bin/mksquashfs]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ct_config.h"
#include "ct_image.h"
#include "ct_options.h"
#include "ct_save.h"
#include "ct_stepd.h"
#include "ct_task_env.h"
#include "entrypoint/entry_plan.h"
#include "image/credentials.h"
#include "image/fsutil.h"
#include "ns/seccomp_filter.h"

OCTOPUS_SPANK_PLUGIN(octopus_container, 1)

#define ERR_MAX CT_ERR_MAX
#define FLAG_OPT 0x100        /* option values of the yes/no pairs start here */

static ct_config_t cfg;
static ct_options_t opts;
static char opt_error[ERR_MAX];         /* a bad option seen in slurmstepd */

/* slurmstepd state for this step */
static ct_step_t step;          /* made ready by slurm_spank_init, in every context */

static int remote(void)
{
	return spank_context() == S_CTX_REMOTE;
}

/* Client: print and refuse. Remote: keep the reason for the tasks. */
static int option_error(const char *msg)
{
	if (remote()) {
		snprintf(opt_error, sizeof(opt_error), "%s", msg);
		return 0;
	}
	fprintf(stderr, "octopus: %s\n", msg);
	return -1;
}

static int on_option(int val, const char *arg, int remote_ctx)
{
	char err[ERR_MAX];
	int rc = 0;

	(void)remote_ctx;
	switch (val) {
	case 'i':
		rc = ct_opt_image(&opts, arg, cfg.default_registry, err, sizeof(err));
		break;
	case 'm':
		rc = ct_opt_mounts(&opts, arg, err, sizeof(err));
		break;
	case 'w':
		rc = ct_opt_workdir(&opts, arg, err, sizeof(err));
		break;
	case 'e':
		rc = ct_opt_env(&opts, arg, err, sizeof(err));
		break;
	case 'n':
		rc = ct_opt_name(&opts, arg, err, sizeof(err));
		break;
	case 'u':
		rc = ct_opt_unshare(&opts, arg, err, sizeof(err));
		break;
	case 's':
		rc = ct_opt_save(&opts, arg, err, sizeof(err));
		break;
	default:
		/* the yes/no pairs: FLAG_OPT + 2 * flag + value */
		if (val >= FLAG_OPT && val < FLAG_OPT + 2 * CT_F_COUNT)
			rc = ct_opt_flag(&opts, (ct_flag_t)((val - FLAG_OPT) / 2), (val - FLAG_OPT) % 2, err, sizeof(err));
		break;
	}
	return rc ? option_error(err) : 0;
}

#define FLAG(f, v) (FLAG_OPT + 2 * (f) + (v))

static struct spank_option options[] = {
	{ "container-image", "[docker://]IMAGE|oci:/DIR[:REF]",
	  "Run the tasks in this OCI image (registry image or local OCI layout).", 1, 'i', on_option },
	{ "container-mounts", "SRC:DST[:ro|rw],vol:NAME:DST,...",
	  "Bind host paths (read as you) or your named volumes into the container.", 1, 'm', on_option },
	{ "container-workdir", "PATH", "Working directory inside the container.", 1, 'w', on_option },
	{ "container-env", "NAME[,NAME...]",
	  "These variables keep the job's value over the image's, and reach the image's Entrypoint.", 1, 'e',
	  on_option },
	{ "container-name", "NAME[:auto|create|exec|no_exec]",
	  "Keep the container for later steps of this job; a step naming a running container joins it.", 1, 'n',
	  on_option },
	{ "container-unshare", "[net,ipc,uts]",
	  "Give the step namespaces of its own (all three without a list): a network with only lo, IPC, hostname.",
	  2, 'u', on_option },
	{ "container-save", "PATH",
	  "When the step ends, save the container's root as a squashfs image at PATH (on the step's first node), "
	  "for a later --container-image=PATH.", 1, 's', on_option },
	{ "container-mount-home", NULL, "Mount your home directory (site default).", 0, FLAG(CT_F_MOUNT_HOME, 1),
	  on_option },
	{ "no-container-mount-home", NULL, "Do not mount your home directory.", 0, FLAG(CT_F_MOUNT_HOME, 0),
	  on_option },
	{ "container-writable", NULL, "Give the container a root you can write (discarded at the end of the step).",
	  0, FLAG(CT_F_WRITABLE, 1), on_option },
	{ "container-readonly", NULL, "Make the container's root read-only.", 0, FLAG(CT_F_WRITABLE, 0), on_option },
	{ "container-remap-root", NULL,
	  "Be root inside the container (a user namespace): no more rights outside it than your own.", 0,
	  FLAG(CT_F_REMAP_ROOT, 1), on_option },
	{ "no-container-remap-root", NULL, "Be yourself inside the container.", 0, FLAG(CT_F_REMAP_ROOT, 0),
	  on_option },
	{ "container-entrypoint", NULL, "Run the command through the image's Entrypoint.", 0,
	  FLAG(CT_F_ENTRYPOINT, 1), on_option },
	{ "no-container-entrypoint", NULL, "Run the command as given, not through the image's Entrypoint.", 0,
	  FLAG(CT_F_ENTRYPOINT, 0), on_option },
	{ "container-entrypoint-log", NULL,
	  "Show the Entrypoint's output (it is the task's own output here, always shown).", 0,
	  FLAG(CT_F_ENTRYPOINT_LOG, 1), on_option },
	SPANK_OPTIONS_TABLE_END
};

int slurm_spank_init(spank_t sp, int ac, char **av)
{
	spank_context_t ctx = spank_context();
	char err[ERR_MAX];

	ct_step_init(&step);
	ct_options_init(&opts);
	if (ct_config_parse(&cfg, ac, av, err, sizeof(err))) {
		slurm_error("octopus container: %s", err);
		return -1;
	}
	/* prolog/epilog (and slurmd) only clean up: no options there */
	if (ctx != S_CTX_LOCAL && ctx != S_CTX_ALLOCATOR && ctx != S_CTX_REMOTE)
		return 0;
	for (struct spank_option *o = options; o->name; o++)
		if (spank_option_register(sp, o) != ESPANK_SUCCESS) {
			slurm_error("octopus container: cannot register --%s", o->name);
			return -1;
		}
	return 0;
}

/*
 * OCTOPUS_CONTAINER_<OPTION> and PYXIS_CONTAINER_<OPTION> fill in what the
 * command line left unset: in srun/sbatch/salloc from their environment,
 * in slurmstepd from the job's (Pyxis reads them the same way), so both
 * sides agree and the command line wins, whatever the variable says.
 */
static const char *client_env(const char *name, void *arg)
{
	(void)arg;
	return getenv(name);
}

#define PIN_IMAGE_ENV "OCTOPUS_CONTAINER_PINNED"
#define PIN_DIGEST_ENV "OCTOPUS_CONTAINER_DIGEST"

/*
 * srun/sbatch/salloc: resolve a registry tag to its digest once, here, and
 * hand it to every node in the job's environment; steps of the job that
 * name the same image reuse it. A client that cannot reach the registry
 * leaves the tag to the nodes (air-gapped login nodes), with a warning.
 */
static void pin_tag(void)
{
	ct_image_opts_t o = { cfg.allow_registries, cfg.plain_http_registries, NULL, NULL, NULL, NULL, NULL, 1 };
	const char *have = getenv(PIN_IMAGE_ENV), *pinned = getenv(PIN_DIGEST_ENV);
	char digest[IMG_DIGEST_MAX], err[ERR_MAX], mirror[IMG_REGISTRY_MAX], mirror_creds[CRED_MAX];

	if (opts.ref.source != IMG_REGISTRY || opts.ref.digest[0])
		return;
	char creds[CRED_MAX];
	struct passwd *pw;
	int rc;

	if (have && pinned && !strcmp(have, opts.image) && img_digest_valid(pinned))
		return;         /* a step of a job that already pinned it */
	pw = getpwuid(getuid());
	if (pw && ct_image_load_login(NULL, pw->pw_dir, opts.ref.registry, creds, sizeof(creds)))
		o.credentials = creds;
	if (ct_config_mirror(&cfg, opts.ref.registry, mirror, sizeof(mirror))) {
		o.mirror = mirror;
		if (pw && ct_image_load_login(NULL, pw->pw_dir, mirror, mirror_creds, sizeof(mirror_creds)))
			o.mirror_credentials = mirror_creds;
	}
	rc = ct_image_resolve(&opts.ref, &o, 20, digest, sizeof(digest), err, sizeof(err));
	explicit_bzero(creds, sizeof(creds));
	explicit_bzero(mirror_creds, sizeof(mirror_creds));
	if (rc) {
		fprintf(stderr, "octopus: warning: %s: %s; each node resolves the tag when it starts\n", opts.image, err);
		return;
	}
	/* the client's environment is the job's (unless --export=NONE, then
	 * the nodes resolve the tag themselves) */
	setenv(PIN_IMAGE_ENV, opts.image, 1);
	setenv(PIN_DIGEST_ENV, digest, 1);
}

/* slurmstepd: the digest the client pinned, if it is for this very image. */
static void apply_pin(spank_t sp)
{
	char have[sizeof(opts.image)], digest[IMG_DIGEST_MAX];

	if (opts.ref.source != IMG_REGISTRY || opts.ref.digest[0])
		return;
	if (spank_getenv(sp, PIN_IMAGE_ENV, have, sizeof(have)) == ESPANK_SUCCESS && !strcmp(have, opts.image) &&
	    spank_getenv(sp, PIN_DIGEST_ENV, digest, sizeof(digest)) == ESPANK_SUCCESS && img_digest_valid(digest))
		snprintf(opts.ref.digest, sizeof(opts.ref.digest), "%s", digest);
}

/* What the tasks' messages call the container. */
static const char *label(void)
{
	static char buf[sizeof(opts.image) + CT_NAME_MAX + 16];

	if (!opts.name[0])
		return opts.image;
	snprintf(buf, sizeof(buf), "%s%s%s", opts.image[0] ? opts.image : "", opts.image[0] ? " " : "", opts.name);
	return buf;
}

/* Options that mean nothing without a container: said, as Pyxis does, not silently dropped. */
static void warn_unused(void)
{
	if (opts.nmounts || opts.set_workdir || opts.nenv)
		fprintf(stderr, "octopus: warning: ignoring %s%s%sbecause neither --container-image nor "
				"--container-name is set\n", opts.nmounts ? "--container-mounts " : "",
			opts.set_workdir ? "--container-workdir " : "", opts.nenv ? "--container-env " : "");
	for (int f = 0; f < CT_F_COUNT; f++)
		if (opts.flags[f] >= 0) {
			fprintf(stderr, "octopus: warning: ignoring the container's yes/no options because neither "
					"--container-image nor --container-name is set\n");
			break;
		}
}

int slurm_spank_init_post_opt(spank_t sp, int ac, char **av)
{
	char err[ERR_MAX];

	(void)ac;
	(void)av;
	if (ct_opt_from_env(&opts, remote() ? ct_step_getenv : client_env, sp, cfg.default_registry, err, sizeof(err))) {
		if (!remote()) {
			fprintf(stderr, "octopus: %s\n", err);
			return -1;
		}
		snprintf(opt_error, sizeof(opt_error), "%s", err);
	}
	if (!opts.image[0] && !opts.name[0]) {
		if (!remote())
			warn_unused();
		return 0;
	}
	if (!remote()) {
		if (opts.image[0])
			pin_tag();
		return 0;
	}
	apply_pin(sp);
	if (opt_error[0]) {
		snprintf(step.error, sizeof(step.error), "%s", opt_error);
		return 0;
	}
	/* errors wait for the tasks: from here they would not reach srun */
	ct_step_build(sp, &cfg, &opts, &step);
	return 0;
}

/* slurmstepd, as root, after Slurm's MPI setup and before the tasks: what it made for them */
int slurm_spank_user_init(spank_t sp, int ac, char **av)
{
	(void)ac;
	(void)av;
	if (!remote() || !step.active || step.error[0])
		return 0;
	/* a failure is the tasks' to report (task_init), once per node */
	(void)ct_step_pmix_binds(&cfg, &step, sp);
	return 0;
}

int slurm_spank_task_init_privileged(spank_t sp, int ac, char **av)
{
	(void)sp;
	(void)ac;
	(void)av;
	struct timespec t0, t1;

	if (!step.active)
		return 0;
	/* with a user namespace, the task joins as the user, in task_init */
	if (step.holder.user_fd < 0) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (rootfs_join(&step.holder, step.error, sizeof(step.error)))
			return 0;       /* reported in task_init */
		clock_gettime(CLOCK_MONOTONIC, &t1);
		slurm_debug("octopus container: task joined the container in %.3f ms",
			    (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	}
	/* nothing the task execs can gain privileges (setuid files, caps);
	 * a task that cannot be held to that does not start */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		snprintf(step.error, sizeof(step.error), "cannot set no_new_privs for the task: %s",
			 strerror(errno));
	return 0;
}

int slurm_spank_task_init(spank_t sp, int ac, char **av)
{
	uint32_t local_task = 0;
	char *const *device_env;
	size_t ndevice_env;

	(void)ac;
	(void)av;
	if (!remote() || (!opts.image[0] && !opts.name[0]))
		return 0;
	/* one line per node, from its first task, not one per task */
	spank_get_item(sp, S_TASK_ID, &local_task);
	if (step.error[0] || opt_error[0]) {
		if (local_task == 0)
			fprintf(stderr, "octopus: container %s: %s\n", label(), step.error[0] ? step.error : opt_error);
		return -1;
	}
	if (!step.active)
		return 0;
	if (step.warning[0] && local_task == 0)
		fprintf(stderr, "octopus: warning: container %s: %s\n", label(), step.warning);
	if (step.holder.user_fd >= 0 && rootfs_join_user(&step.holder, step.error, sizeof(step.error))) {
		fprintf(stderr, "octopus: container %s: %s\n", label(), step.error);
		return -1;
	}
	ct_task_drop_locale(sp, &opts);
	ct_task_set_env(sp, &opts, step.image.config.env, step.image.config.nenv, 0);
	device_env = ct_cdi_env(&step.cdi, &ndevice_env);
	ct_task_set_env(sp, &opts, device_env, ndevice_env, 0);
	ct_task_pmix_env(sp);
	if (ct_task_set_env(sp, &opts, step.hook_env.kv, step.hook_env.n, 1)) {
		fprintf(stderr, "octopus: container %s: a value a site hook set in $OCTOPUS_ENVIRON is longer than %d "
			"bytes once ${SLURM_...} is expanded\n", label(), HOOK_ENV_VALUE_MAX);
		return -1;
	}
	if (step.attached) {
		/* a joined container starts at its root, as Pyxis' exec does */
		if (chdir(opts.workdir[0] ? opts.workdir : "/"))
			(void)!chdir("/");
	} else if (opts.workdir[0] && chdir(opts.workdir)) {
		fprintf(stderr, "octopus: container %s: --container-workdir %s: %s\n", label(), opts.workdir,
			strerror(errno));
		return -1;
	} else if (!opts.workdir[0] && !step.cwd_mounted) {
		/* the image's WorkingDir, else / (where the job's own directory is not in the container) */
		const char *wd = step.image.config.workdir && step.image.config.workdir[0] == '/' ? step.image.config.workdir
												     : "/";

		if (chdir(wd)) {
			if (local_task == 0)
				fprintf(stderr, "octopus: warning: container %s: WorkingDir %s: %s\n", label(), wd,
					strerror(errno));
			(void)!chdir("/");
		}
	}
	if (step.entry_fd >= 0 && ct_task_through_entrypoint(sp, &step, &opts, label()))
		return -1;
	/* last: everything above may need what the filter denies */
	if (cfg.seccomp && seccomp_filter_install(step.holder.user_fd >= 0, step.error, sizeof(step.error))) {
		fprintf(stderr, "octopus: container %s: %s\n", label(), step.error);
		return -1;
	}
	return 0;
}

/* cache_max_size=: least recently used layers go, never one in use */
static void collect_cache(void)
{
	layer_cache_t cache;
	layer_cache_usage_t u;
	char err[ERR_MAX];

	/* this step's own layers count as in use until released below; they
	 * are the most recently used anyway */
	if (layer_cache_open(&cache, cfg.cache_dir, err, sizeof(err)) ||
	    layer_cache_collect(&cache, cfg.cache_max_bytes, &u, err, sizeof(err))) {
		slurm_error("octopus container: collecting the layer cache %s: %s", cfg.cache_dir, err);
		return;
	}
	if (u.removed)
		slurm_info("octopus container: layer cache above cache_max_size: removed %llu layer(s), %llu bytes; "
			   "%llu bytes left, %llu layer(s) in use",
			   (unsigned long long)u.removed, (unsigned long long)u.freed, (unsigned long long)u.bytes,
			   (unsigned long long)u.busy);
}

static int saved;        /* --container-save was done (or tried) */

/* --container-save, by the step's first node (the others would write the same file) */
static void save_container(spank_t sp)
{
	ct_save_user_t u = { cfg.mksquashfs, 0, 0, NULL, 0, NULL, 0 };
	uint32_t nodeid = 1, stepid = 0;
	gid_t *gids = NULL;
	int ngids = 0;
	char cwd[PATH_MAX] = "", err[ERR_MAX];

	saved = 1;
	if (spank_get_item(sp, S_JOB_NODEID, &nodeid) || nodeid != 0 || spank_get_item(sp, S_JOB_UID, &u.uid) ||
	    spank_get_item(sp, S_JOB_GID, &u.gid) || spank_get_item(sp, S_JOB_STEPID, &stepid))
		return;
	if (!spank_get_item(sp, S_JOB_SUPPLEMENTARY_GIDS, &gids, &ngids) && ngids > 0) {
		u.groups = gids;
		u.ngroups = (size_t)ngids;
	}
	spank_getenv(sp, "PWD", cwd, sizeof(cwd));
	if (!step.image.has_squashfs) {         /* a squashfs image's own /etc/environment stays */
		u.env = step.image.config.env;
		u.nenv = step.image.config.nenv;
	}
	if (ct_save_squashfs(step.holder.ns_pid, opts.save, cwd, &u, err, sizeof(err)))
		slurm_error("octopus: container %s: %s", label(), err);
	else
		slurm_info("octopus container: step %u saved to %s", stepid, opts.save);
}

/*
 * --container-save when the node's last task has ended, before slurmstepd
 * tells srun: the image is complete when srun returns, so the next command
 * of the script can use it.
 */
int slurm_spank_task_exit(spank_t sp, int ac, char **av)
{
	static uint32_t exited;
	uint32_t ntasks = 0;

	(void)ac;
	(void)av;
	if (!remote() || !step.active || !opts.save[0] || saved)
		return 0;
	if (!spank_get_item(sp, S_JOB_LOCAL_TASK_COUNT, &ntasks) && ++exited >= ntasks)
		save_container(sp);
	return 0;
}

int slurm_spank_exit(spank_t sp, int ac, char **av)
{
	int unpacked;

	(void)ac;
	(void)av;
	if (!remote() || !step.active)
		return 0;
	unpacked = step.image.unpacked;
	/* the tasks ended before their exit was counted (a step cancelled at launch) */
	if (opts.save[0] && !saved)
		save_container(sp);
	/* at the end, never before a start; this step's layers still count as in use */
	if (unpacked && cfg.cache_max_bytes)
		collect_cache();
	ct_step_end(&step);
	return 0;
}

/*
 * Once per node per job, as root: whatever a step left behind (a
 * slurmstepd killed before spank_exit, a requeued job) goes, so the next
 * run of the job starts clean. Always 0: a failing epilog would drain the node.
 */
int slurm_spank_job_epilog(spank_t sp, int ac, char **av)
{
	uint32_t jobid = 0;
	char prefix[32];
	size_t plen;
	DIR *d;
	struct dirent *e;
	int fd;

	/* slurm_spank_init is not called in the job script context */
	if (ct_config_parse(&cfg, ac, av, prefix, sizeof(prefix)) || spank_get_item(sp, S_JOB_ID, &jobid) != ESPANK_SUCCESS || !jobid)
		return 0;
	if ((fd = open(cfg.runtime_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return 0;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return 0;
	}
	plen = (size_t)snprintf(prefix, sizeof(prefix), "%u.", jobid);
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, prefix, plen) && fs_remove_at(dirfd(d), e->d_name))
			slurm_error("octopus container: job %u: cannot remove %s/%s: %m", jobid, cfg.runtime_dir, e->d_name);
	closedir(d);
	return 0;
}
