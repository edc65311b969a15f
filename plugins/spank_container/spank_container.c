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
 *                         before exec): image Env, workdir, and the error,
 *                         if any, on the task's stderr (errors from
 *                         slurmstepd's own contexts do not reach srun);
 *                         exit: end the holder, drop the layer locks;
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
#include "ct_stepd.h"
#include "entrypoint/entry_plan.h"
#include "image/credentials.h"
#include "image/fsutil.h"

OCTOPUS_SPANK_PLUGIN(octopus_container, 1)

#define ERR_MAX CT_ERR_MAX

static ct_config_t cfg;
static ct_options_t opts;
static char opt_error[ERR_MAX];         /* a bad option seen in slurmstepd */

/* slurmstepd state for this step */
static ct_step_t step = { .holder = { -1, -1, -1 }, .name_lock = -1, .entry_fd = -1 };

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
	case 'H':
		opts.mount_home = 1;
		break;
	case 'h':
		opts.mount_home = 0;
		break;
	case 'W':
		opts.writable = 1;
		break;
	case 'R':
		opts.writable = 0;
		break;
	case 'E':
		opts.entrypoint = 1;
		break;
	case 'X':
		opts.entrypoint = 0;
		break;
	}
	return rc ? option_error(err) : 0;
}

static struct spank_option options[] = {
	{ "container-image", "[docker://]IMAGE|oci:/DIR[:REF]",
	  "Run the tasks in this OCI image (registry image or local OCI layout).", 1, 'i', on_option },
	{ "container-mounts", "SRC:DST[:ro|rw],vol:NAME:DST,...",
	  "Bind host paths (read as you) or your named volumes into the container.", 1, 'm', on_option },
	{ "container-workdir", "PATH", "Working directory inside the container.", 1, 'w', on_option },
	{ "container-env", "NAME[,NAME...]",
	  "These variables keep the job's value over the image's.", 1, 'e', on_option },
	{ "container-name", "NAME",
	  "Keep the container's writable layer for later steps of this job that name it too.", 1, 'n', on_option },
	{ "container-mount-home", NULL, "Mount your home directory (site default).", 0, 'H', on_option },
	{ "no-container-mount-home", NULL, "Do not mount your home directory.", 0, 'h', on_option },
	{ "container-writable", NULL, "Give the container a writable root (discarded at the end of the step).", 0,
	  'W', on_option },
	{ "container-readonly", NULL, "Make the container's root read-only.", 0, 'R', on_option },
	{ "container-entrypoint", NULL, "Run the command through the image's Entrypoint.", 0, 'E', on_option },
	{ "no-container-entrypoint", NULL, "Run the command as given, not through the image's Entrypoint.", 0, 'X',
	  on_option },
	SPANK_OPTIONS_TABLE_END
};

/*
 * OCTOPUS_CONTAINER_<OPTION> defaults, in srun/sbatch/salloc: handed to
 * Slurm under its own name for SPANK option variables, which it reads after
 * this hook -- so the command line still wins, and the value reaches the
 * nodes like a typed option.
 */
static const struct {
	const char *env, *on, *off;     /* off: a yes/no flag, off names the "no" option */
} env_defaults[] = {
	{ "OCTOPUS_CONTAINER_IMAGE", "container-image", NULL },
	{ "OCTOPUS_CONTAINER_MOUNTS", "container-mounts", NULL },
	{ "OCTOPUS_CONTAINER_WORKDIR", "container-workdir", NULL },
	{ "OCTOPUS_CONTAINER_ENV", "container-env", NULL },
	{ "OCTOPUS_CONTAINER_NAME", "container-name", NULL },
	{ "OCTOPUS_CONTAINER_MOUNT_HOME", "container-mount-home", "no-container-mount-home" },
	{ "OCTOPUS_CONTAINER_WRITABLE", "container-writable", "container-readonly" },
	{ "OCTOPUS_CONTAINER_ENTRYPOINT", "container-entrypoint", "no-container-entrypoint" },
};

static int apply_env_defaults(void)
{
	for (size_t i = 0; i < sizeof(env_defaults) / sizeof(env_defaults[0]); i++) {
		const char *v = getenv(env_defaults[i].env), *opt = env_defaults[i].on;
		char name[128];
		size_t n;

		if (!v)
			continue;
		if (env_defaults[i].off) {
			if (!strcmp(v, "no") || !strcmp(v, "0") || !strcmp(v, "false"))
				opt = env_defaults[i].off;
			else if (strcmp(v, "yes") && strcmp(v, "1") && strcmp(v, "true")) {
				fprintf(stderr, "octopus: %s=%.64s: use yes or no\n", env_defaults[i].env, v);
				return -1;
			}
		}
		n = (size_t)snprintf(name, sizeof(name), "SLURM_SPANK__SLURM_SPANK_OPTION_%s_%s", plugin_name, opt);
		for (size_t k = n - strlen(opt); k < n; k++)
			if (name[k] == '-')
				name[k] = '_';
		setenv(name, v, 0);
	}
	return 0;
}

int slurm_spank_init(spank_t sp, int ac, char **av)
{
	spank_context_t ctx = spank_context();
	char err[ERR_MAX];

	ct_options_init(&opts);
	if (ct_config_parse(&cfg, ac, av, err, sizeof(err))) {
		slurm_error("octopus container: %s", err);
		return -1;
	}
	/* prolog/epilog (and slurmd) only clean up: no options there */
	if (ctx != S_CTX_LOCAL && ctx != S_CTX_ALLOCATOR && ctx != S_CTX_REMOTE)
		return 0;
	if (ctx != S_CTX_REMOTE && apply_env_defaults())
		return -1;
	for (struct spank_option *o = options; o->name; o++)
		if (spank_option_register(sp, o) != ESPANK_SUCCESS) {
			slurm_error("octopus container: cannot register --%s", o->name);
			return -1;
		}
	return 0;
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
	ct_image_opts_t o = { cfg.allow_registries, cfg.plain_http_registries, NULL, NULL, NULL };
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

int slurm_spank_init_post_opt(spank_t sp, int ac, char **av)
{
	(void)ac;
	(void)av;
	if (!opts.image[0])
		return 0;
	if (!remote()) {
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

int slurm_spank_task_init_privileged(spank_t sp, int ac, char **av)
{
	(void)sp;
	(void)ac;
	(void)av;
	struct timespec t0, t1;

	if (!step.active)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (rootfs_join(&step.holder, step.error, sizeof(step.error)))
		return 0;       /* reported in task_init */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	slurm_debug("octopus container: task joined the container in %.3f ms",
		    (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	/* nothing the task execs can gain privileges (setuid files, caps);
	 * a task that cannot be held to that does not start */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		snprintf(step.error, sizeof(step.error), "cannot set no_new_privs for the task: %s",
			 strerror(errno));
	return 0;
}

/*
 * --container-entrypoint: Slurm execs task argv[0] right after this hook
 * and lets a plugin change the array's entries but not its length, so
 * argv[0] becomes octopus-entrypoint (through the fd slurmstepd opened
 * on the host) and the plan -- the image's Entrypoint words, then the real
 * argv[0] -- rides in the environment. The helper execs the whole line.
 */
static int through_entrypoint(spank_t sp)
{
	static char helper[40];
	char **argv = NULL, *words[ENTRY_PLAN_MAX_WORDS], *plan = NULL;
	size_t n = 0;
	int argc = 0;

	if (spank_get_item(sp, S_JOB_ARGV, &argc, &argv) != ESPANK_SUCCESS || argc < 1 || !argv || !argv[0]) {
		fprintf(stderr, "octopus: container %s: --container-entrypoint: Slurm gave no command\n", opts.image);
		return -1;
	}
	for (char **e = step.image.config.entrypoint; *e && n < ENTRY_PLAN_MAX_WORDS - 1; e++)
		words[n++] = *e;
	words[n++] = argv[0];
	if (step.image.config.entrypoint[n - 1] || !(plan = entry_plan_encode(words, n))) {
		fprintf(stderr, "octopus: container %s: the image's Entrypoint is too long to run "
				"(use --no-container-entrypoint and name it in the command)\n", opts.image);
		return -1;
	}
	spank_setenv(sp, ENTRY_PLAN_ENV, plan, 1);
	free(plan);
	snprintf(helper, sizeof(helper), "/proc/self/fd/%d", step.entry_fd);
	argv[0] = helper;
	return 0;
}

int slurm_spank_task_init(spank_t sp, int ac, char **av)
{
	(void)ac;
	(void)av;
	if (!remote() || !opts.image[0])
		return 0;
	if (step.error[0] || opt_error[0]) {
		fprintf(stderr, "octopus: container %s: %s\n", opts.image, step.error[0] ? step.error : opt_error);
		return -1;
	}
	if (!step.active)
		return 0;
	/* image Env wins, except what --container-env names (Pyxis' rule) */
	for (size_t i = 0; i < step.image.config.nenv; i++) {
		char *kv = step.image.config.env[i], *eq = strchr(kv, '=');

		if (eq && !ct_env_listed(&opts, kv, (size_t)(eq - kv))) {
			*eq = '\0';
			spank_setenv(sp, kv, eq + 1, 1);
			*eq = '=';
		}
	}
	if (opts.workdir[0] && chdir(opts.workdir)) {
		fprintf(stderr, "octopus: container %s: --container-workdir %s: %s\n", opts.image, opts.workdir,
			strerror(errno));
		return -1;
	}
	/* the image's WorkingDir only where the job's own directory is not in the container */
	if (!opts.workdir[0] && !step.cwd_mounted && step.image.config.workdir && step.image.config.workdir[0] == '/' &&
	    chdir(step.image.config.workdir))
		fprintf(stderr, "octopus: warning: container %s: WorkingDir %s: %s\n", opts.image,
			step.image.config.workdir, strerror(errno));
	if (step.entry_fd >= 0 && through_entrypoint(sp))
		return -1;
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

int slurm_spank_exit(spank_t sp, int ac, char **av)
{
	(void)sp;
	(void)ac;
	(void)av;
	if (!remote() || !step.active)
		return 0;
	rootfs_stop(&step.holder, step.runtime);
	if (step.entry_fd >= 0)
		close(step.entry_fd);
	step.entry_fd = -1;
	/* after the step, not before it: collection never delays a start */
	if (step.image.unpacked && cfg.cache_max_bytes)
		collect_cache();
	ct_image_release(&step.image);
	if (step.name_lock >= 0)
		close(step.name_lock);
	step.name_lock = -1;
	step.active = 0;
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
