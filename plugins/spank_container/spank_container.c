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

#include "ct_image.h"
#include "image/credentials.h"
#include "ct_options.h"
#include "image/fsutil.h"
#include "ns/rootfs.h"
#include "spank_shim.h"

OCTOPUS_SPANK_PLUGIN(octopus_container, 1)

#define ERR_MAX 768
#define BATCH_STEP 0xfffffffbu          /* SLURM_BATCH_SCRIPT */
#define EXTERN_STEP 0xfffffffcu         /* SLURM_EXTERN_CONT */

typedef struct {
	char cache_dir[PATH_MAX / 2];
	char runtime_dir[PATH_MAX / 4];
	char volume_root[PATH_MAX / 4];
	char hooks_dir[PATH_MAX / 4];
	char default_registry[IMG_REGISTRY_MAX];
	char allow_registries[1024];
	char plain_http_registries[1024];
	int mount_home;
	int writable;
	uint64_t max_layer_bytes;       /* unpacked file data per layer */
} ct_config_t;

static ct_config_t cfg;
static ct_options_t opts;
static char opt_error[ERR_MAX];         /* a bad option seen in slurmstepd */

/* slurmstepd state for this step */
static struct {
	int active;
	char error[ERR_MAX];            /* reported by every task */
	ct_image_t image;
	rootfs_holder_t holder;
	char runtime[PATH_MAX / 2];
	int name_lock;                  /* --container-name: one step at a time per node */
} step = { .holder = { -1, -1, -1 }, .name_lock = -1 };

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
		snprintf(err, sizeof(err), "--container-entrypoint is not supported yet: name the entrypoint as the command");
		rc = -1;
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
	{ "container-entrypoint", NULL, "Run the image's entrypoint (not supported yet).", 0, 'E', on_option },
	{ "no-container-entrypoint", NULL, "Do not run the image's entrypoint (default).", 0, 'X', on_option },
	SPANK_OPTIONS_TABLE_END
};

static int yes_no(const char *v, int *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "1") || !strcmp(v, "true"))
		*out = 1;
	else if (!strcmp(v, "no") || !strcmp(v, "0") || !strcmp(v, "false"))
		*out = 0;
	else
		return -1;
	return 0;
}

/* "64G", "500M", bytes */
static int parse_size(const char *v, uint64_t *out)
{
	char *end;
	unsigned long long n;
	int shift = 0;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (end == v || errno || n == 0)
		return -1;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	else if (*end == 'T' || *end == 't')
		shift = 40;
	else if (*end)
		return -1;
	if ((shift && end[1]) || n > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)n << shift;
	return 0;
}

static int parse_config(int ac, char **av)
{
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.cache_dir, sizeof(cfg.cache_dir), "%s", "/var/lib/octopus/containers");
	snprintf(cfg.runtime_dir, sizeof(cfg.runtime_dir), "%s", "/run/octopus-container");
	cfg.mount_home = 1;
	cfg.writable = 1;
	cfg.max_layer_bytes = 64ull << 30;
	for (int i = 0; i < ac; i++) {
		const char *eq = strchr(av[i], '=');
		const char *v = eq ? eq + 1 : "";
		size_t k = eq ? (size_t)(eq - av[i]) : strlen(av[i]);
		int bad = 0;

#define KEY(s) (k == strlen(s) && !strncmp(av[i], s, k))
		if (KEY("cache_dir") && v[0] == '/')
			bad = snprintf(cfg.cache_dir, sizeof(cfg.cache_dir), "%s", v) >= (int)sizeof(cfg.cache_dir);
		else if (KEY("runtime_dir") && v[0] == '/')
			bad = snprintf(cfg.runtime_dir, sizeof(cfg.runtime_dir), "%s", v) >= (int)sizeof(cfg.runtime_dir);
		else if (KEY("hooks_dir") && v[0] == '/')
			bad = snprintf(cfg.hooks_dir, sizeof(cfg.hooks_dir), "%s", v) >= (int)sizeof(cfg.hooks_dir);
		else if (KEY("volume_root") && v[0] == '/')
			bad = snprintf(cfg.volume_root, sizeof(cfg.volume_root), "%s", v) >= (int)sizeof(cfg.volume_root);
		else if (KEY("default_registry") && *v)
			bad = snprintf(cfg.default_registry, sizeof(cfg.default_registry), "%s", v) >=
			      (int)sizeof(cfg.default_registry);
		else if (KEY("allow_registries"))
			bad = snprintf(cfg.allow_registries, sizeof(cfg.allow_registries), "%s", v) >=
			      (int)sizeof(cfg.allow_registries);
		else if (KEY("plain_http_registries"))
			bad = snprintf(cfg.plain_http_registries, sizeof(cfg.plain_http_registries), "%s", v) >=
			      (int)sizeof(cfg.plain_http_registries);
		else if (KEY("mount_home"))
			bad = yes_no(v, &cfg.mount_home);
		else if (KEY("writable"))
			bad = yes_no(v, &cfg.writable);
		else if (KEY("max_layer_size"))
			bad = parse_size(v, &cfg.max_layer_bytes);
		else
			bad = 1;
#undef KEY
		if (bad) {
			slurm_error("octopus container: plugstack.conf argument '%s' is not valid (keys: cache_dir=/abs "
				    "runtime_dir=/abs volume_root=/abs default_registry=HOST allow_registries=H1,H2 "
				    "plain_http_registries=H1,H2 mount_home=yes|no writable=yes|no max_layer_size=SIZE "
				    "hooks_dir=/abs)",
				    av[i]);
			return -1;
		}
	}
	return 0;
}

int slurm_spank_init(spank_t sp, int ac, char **av)
{
	spank_context_t ctx = spank_context();

	ct_options_init(&opts);
	if (parse_config(ac, av))
		return -1;
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
 * The user's login for the image's registry, from the files podman, skopeo
 * and docker write, read with the user's rights (uo: through the helper in
 * slurmstepd; NULL: directly, in srun/sbatch, which run as the user).
 */
static int load_credentials(user_opener_t *uo, const char *home, const char *registry, char *out, size_t len)
{
	static const char *const files[] = { ".config/containers/auth.json", ".docker/config.json" };
	char err[ERR_MAX], path[PATH_MAX], *buf = malloc(1 << 20);
	int found = 0;

	out[0] = '\0';
	for (size_t i = 0; buf && home && home[0] == '/' && !found && i < 2; i++) {
		ssize_t n, total = 0;
		int fd;

		snprintf(path, sizeof(path), "%s/%s", home, files[i]);
		fd = uo ? user_opener_open(uo, home, files[i], O_RDONLY | O_NONBLOCK, err, sizeof(err))
			: open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		while (total < (1 << 20) && (n = read(fd, buf + total, (size_t)((1 << 20) - total))) > 0)
			total += n;
		close(fd);
		found = cred_lookup(buf, (size_t)total, registry, out, len) == 1;
		explicit_bzero(buf, (size_t)total);
	}
	free(buf);
	return found;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Add a bind whose source the user opens; skipped silently if optional and missing. */
static int add_user_bind(rootfs_spec_t *s, user_opener_t *uo, const char *src, const char *dst, int ro, int optional)
{
	rootfs_bind_t *b;
	struct stat sb;
	int fd;

	if (s->nbinds == ROOTFS_MAX_BINDS) {
		snprintf(step.error, sizeof(step.error), "more than %d mounts", ROOTFS_MAX_BINDS);
		return -1;
	}
	if ((fd = user_opener_open(uo, NULL, src, O_PATH, step.error, sizeof(step.error))) < 0)
		return optional && errno == ENOENT ? 0 : -1;
	if (fstat(fd, &sb) || !(S_ISDIR(sb.st_mode) || S_ISREG(sb.st_mode))) {
		close(fd);
		snprintf(step.error, sizeof(step.error), "%.300s: only files and directories can be mounted", src);
		return -1;
	}
	close(fd);
	/* O_PATH needs no read permission: open for reading, as the user, so
	 * nobody binds what they could not read anyway */
	if ((fd = user_opener_open(uo, NULL, src, O_RDONLY | O_NONBLOCK | O_NOCTTY, step.error, sizeof(step.error))) < 0)
		return -1;
	if (fstat(fd, &sb) || !(S_ISDIR(sb.st_mode) || S_ISREG(sb.st_mode))) {
		close(fd);
		snprintf(step.error, sizeof(step.error), "%.300s changed while it was being mounted", src);
		return -1;
	}
	b = &s->binds[s->nbinds];
	b->is_dir = S_ISDIR(sb.st_mode);
	b->src_fd = rootfs_detach_source(fd);
	close(fd);
	if (b->src_fd < 0) {
		snprintf(step.error, sizeof(step.error), "%.300s: cannot bind it: %s", src, strerror(errno));
		return -1;
	}
	s->nbinds++;
	b->readonly = ro;
	snprintf(b->dst, sizeof(b->dst), "%s", dst);
	return 0;
}

/* A named volume: <volume_root>/<user>/<name>, created for the user on first use. */
static int add_volume(rootfs_spec_t *s, user_opener_t *uo, const struct passwd *pw, const ct_mount_t *m)
{
	char dir[PATH_MAX];

	if (!cfg.volume_root[0]) {
		snprintf(step.error, sizeof(step.error),
			 "--container-mounts=vol:%s: this cluster has no named volumes (volume_root= is not set)", m->src);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s/%s", cfg.volume_root, pw->pw_name);
	if (mkdir(dir, 0700) == 0 && chown(dir, pw->pw_uid, pw->pw_gid)) {
		snprintf(step.error, sizeof(step.error), "volume directory %.300s: %s", dir, strerror(errno));
		return -1;
	}
	/* created as the user, inside the user's own volume directory */
	snprintf(dir, sizeof(dir), "%s/%s/%s", cfg.volume_root, pw->pw_name, m->src);
	if (access(dir, F_OK) && (mkdir(dir, 0700) || chown(dir, pw->pw_uid, pw->pw_gid))) {
		snprintf(step.error, sizeof(step.error), "volume %s: %s", m->src, strerror(errno));
		return -1;
	}
	return add_user_bind(s, uo, dir, m->dst, m->readonly, 0);
}

/*
 * --container-name: the writable layer lives in runtime_dir/<job>.name.<NAME>.<node>
 * and outlives the step (the job epilog removes it). It belongs to one image
 * and to one step at a time.
 */
static int keep_named(rootfs_spec_t *spec, uint32_t jobid, uint32_t nodeid, char *dir, size_t len)
{
	char path[PATH_MAX], have[IMG_DIGEST_MAX] = "";
	const char *digest = step.image.manifest_digest;
	int fd;
	ssize_t n;

	snprintf(dir, len, "%s/%u.name.%s.%u", cfg.runtime_dir, jobid, opts.name, nodeid);
	if (fs_mkdir_p(dir, 0700)) {
		snprintf(step.error, sizeof(step.error), "--container-name %s: %.300s: %s", opts.name, dir, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/lock", dir);
	if ((step.name_lock = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0 ||
	    flock(step.name_lock, LOCK_EX | LOCK_NB)) {
		snprintf(step.error, sizeof(step.error),
			 "--container-name %s is in use by another step of this job on this node: wait for it to end",
			 opts.name);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/image", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		snprintf(step.error, sizeof(step.error), "--container-name %s: %s", opts.name, strerror(errno));
		return -1;
	}
	n = read(fd, have, sizeof(have) - 1);
	have[n > 0 ? n : 0] = '\0';
	if (have[0] && strcmp(have, digest)) {
		close(fd);
		snprintf(step.error, sizeof(step.error),
			 "--container-name %s holds image %.80s, not %.80s: use another name for another image",
			 opts.name, have, digest);
		return -1;
	}
	if (!have[0] && write(fd, digest, strlen(digest)) != (ssize_t)strlen(digest)) {
		close(fd);
		snprintf(step.error, sizeof(step.error), "--container-name %s: %s", opts.name, strerror(errno));
		return -1;
	}
	close(fd);
	spec->keep_dir = dir;
	spec->writable = 1;     /* the point of a name is to keep what was written */
	return 0;
}

/*
 * Hooks run as root: they get the job's SLURM_* and *_VISIBLE_DEVICES
 * variables and a fixed PATH, nothing else of what the user set (no
 * LD_PRELOAD into a root process). Pointers into job_env; free the array only.
 */
static char **hook_environment(char **job_env)
{
	static char path[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	size_t n = 0, k = 0;
	char **e;

	while (job_env && job_env[n])
		n++;
	if (!(e = calloc(n + 2, sizeof(*e))))
		return NULL;
	e[k++] = path;
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(job_env[i], '=');
		size_t len = eq ? (size_t)(eq - job_env[i]) : 0;

		if (len && (!strncmp(job_env[i], "SLURM_", 6) ||
			    (len > 16 && !strncmp(eq - 16, "_VISIBLE_DEVICES", 16))))
			e[k++] = job_env[i];
	}
	return e;
}

static int build_step(spank_t sp)
{
	uint32_t jobid = 0, stepid = 0, nodeid = 0;
	uid_t uid;
	gid_t gid, *gids = NULL;
	int ngids = 0, argc = 0;
	char **argv = NULL, **job_env = NULL, **hook_env = NULL, cwd[PATH_MAX] = "", node[128] = "node", pwbuf[4096], grbuf[4096];
	char passwd_line[1024], group_line[512], keep[PATH_MAX / 2];
	struct group grp, *gr = NULL;
	struct passwd pwd, *pw = NULL;
	user_opener_t uo = { -1, -1 };
	layer_cache_t cache;
	rootfs_spec_t *spec = NULL;
	const char *lower[OCI_MAX_LAYERS];
	struct timespec t0;
	ct_image_opts_t image_opts = { cfg.allow_registries, cfg.plain_http_registries, NULL };
	char creds[CRED_MAX];
	int rc = -1;

	if (spank_get_item(sp, S_JOB_UID, &uid) || spank_get_item(sp, S_JOB_GID, &gid) ||
	    spank_get_item(sp, S_JOB_ID, &jobid) || spank_get_item(sp, S_JOB_STEPID, &stepid)) {
		snprintf(step.error, sizeof(step.error), "cannot read the job's ids from Slurm");
		return -1;
	}
	if (stepid == EXTERN_STEP)
		return 0;
	spank_get_item(sp, S_JOB_SUPPLEMENTARY_GIDS, &gids, &ngids);
	spank_getenv(sp, "PWD", cwd, sizeof(cwd));
	spank_get_item(sp, S_JOB_NODEID, &nodeid);
	if (gethostname(node, sizeof(node)))
		snprintf(node, sizeof(node), "node");
	if (getpwuid_r(uid, &pwd, pwbuf, sizeof(pwbuf), &pw) || !pw) {
		snprintf(step.error, sizeof(step.error), "no passwd entry for uid %u on this node", (unsigned)uid);
		return -1;
	}
	/* nodes of one job may share /run (several slurmd on one host) */
	snprintf(step.runtime, sizeof(step.runtime), "%s/%u.%u.%u", cfg.runtime_dir, jobid, stepid, nodeid);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (layer_cache_open(&cache, cfg.cache_dir, step.error, sizeof(step.error)))
		goto out;
	cache.limits.max_bytes = cfg.max_layer_bytes;
	if (user_opener_start(&uo, uid, gid, gids, ngids > 0 ? (size_t)ngids : 0, step.error, sizeof(step.error)))
		goto out;
	if (opts.ref.source == IMG_REGISTRY && load_credentials(&uo, pw->pw_dir, opts.ref.registry, creds, sizeof(creds)))
		image_opts.credentials = creds;
	rc = ct_image_prepare(&opts.ref, &image_opts, &uo, &cache, &step.image, step.error, sizeof(step.error));
	explicit_bzero(creds, sizeof(creds));
	if (rc)
		goto out;
	rc = -1;

	if (!(spec = calloc(1, sizeof(*spec)))) {
		snprintf(step.error, sizeof(step.error), "out of memory");
		goto out;
	}
	snprintf(spec->runtime, sizeof(spec->runtime), "%s", step.runtime);
	for (size_t i = 0; i < step.image.nlayers; i++)
		lower[i] = step.image.layers[i].path;
	spec->lower = lower;
	spec->nlower = step.image.nlayers;
	spec->writable = opts.writable >= 0 ? opts.writable : cfg.writable;
	spec->hooks_dir = cfg.hooks_dir;
	if (cfg.hooks_dir[0] && !spank_get_item(sp, S_JOB_ENV, &job_env) && !(hook_env = hook_environment(job_env))) {
		snprintf(step.error, sizeof(step.error), "out of memory");
		goto out;
	}
	spec->hook_env = hook_env;
	if (opts.name[0] && keep_named(spec, jobid, nodeid, keep, sizeof(keep)))
		goto out;
	/* the user exists inside, with a shell every image has */
	snprintf(passwd_line, sizeof(passwd_line), "%s:x:%u:%u:%.200s:%s:/bin/sh", pw->pw_name, (unsigned)uid,
		 (unsigned)gid, pw->pw_gecos ? pw->pw_gecos : "", pw->pw_dir);
	spec->passwd_line = strpbrk(passwd_line, "\n") ? NULL : passwd_line;
	if (!getgrgid_r(gid, &grp, grbuf, sizeof(grbuf), &gr) && gr) {
		snprintf(group_line, sizeof(group_line), "%s:x:%u:", gr->gr_name, (unsigned)gid);
		spec->group_line = group_line;
	}
	if ((opts.mount_home >= 0 ? opts.mount_home : cfg.mount_home) &&
	    add_user_bind(spec, &uo, pw->pw_dir, pw->pw_dir, 0, 1))
		goto out;
	if (cwd[0] == '/' && strcmp(cwd, "/") && add_user_bind(spec, &uo, cwd, cwd, 0, 1))
		goto out;
	/* the batch script lives in slurmd's spool: slurmstepd runs it by path */
	if (stepid == BATCH_STEP && !spank_get_item(sp, S_JOB_ARGV, &argc, &argv) && argc > 0 && argv[0][0] == '/') {
		char dir[PATH_MAX];
		char *slash;
		rootfs_bind_t *b = &spec->binds[spec->nbinds];

		snprintf(dir, sizeof(dir), "%s", argv[0]);
		if ((slash = strrchr(dir, '/')) && slash != dir)
			*slash = '\0';
		int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (fd >= 0 && (b->src_fd = rootfs_detach_source(fd)) >= 0) {
			snprintf(b->dst, sizeof(b->dst), "%s", dir);
			b->is_dir = b->readonly = 1;
			spec->nbinds++;
		}
		if (fd >= 0)
			close(fd);
	}
	for (size_t i = 0; i < opts.nmounts; i++)
		if (opts.mounts[i].volume ? add_volume(spec, &uo, pw, &opts.mounts[i])
					  : add_user_bind(spec, &uo, opts.mounts[i].src, opts.mounts[i].dst,
							  opts.mounts[i].readonly, 0))
			goto out;
	user_opener_stop(&uo);
	if (rootfs_start(spec, &step.holder, step.error, sizeof(step.error)))
		goto out;
	slurm_info("octopus container: %u.%u %s%s%s on %s (node %u of the step): %zu layer(s), %u unpacked; resolve %.1f ms, fetch+unpack %.1f ms, total %.1f ms",
		   jobid, stepid, opts.image, opts.ref.digest[0] ? " pinned to " : "", opts.ref.digest, node, nodeid,
		   step.image.nlayers, step.image.unpacked, step.image.resolve_ms,
		   step.image.fetch_ms, ms_since(&t0));
	step.active = 1;
	rc = 0;
out:
	if (spec)
		for (size_t i = 0; i < spec->nbinds; i++)
			if (spec->binds[i].src_fd >= 0)
				close(spec->binds[i].src_fd);
	free(spec);
	free(hook_env);
	user_opener_stop(&uo);
	if (rc) {
		slurm_error("octopus container: %u.%u %s: %s", jobid, stepid, opts.image, step.error);
		ct_image_release(&step.image);
	}
	return rc;
}

#define PIN_IMAGE_ENV "OCTOPUS_CONTAINER_IMAGE"
#define PIN_DIGEST_ENV "OCTOPUS_CONTAINER_DIGEST"

/*
 * srun/sbatch/salloc: resolve a registry tag to its digest once, here, and
 * hand it to every node in the job's environment; steps of the job that
 * name the same image reuse it. A client that cannot reach the registry
 * leaves the tag to the nodes (air-gapped login nodes), with a warning.
 */
static void pin_tag(void)
{
	ct_image_opts_t o = { cfg.allow_registries, cfg.plain_http_registries, NULL };
	const char *have = getenv(PIN_IMAGE_ENV), *pinned = getenv(PIN_DIGEST_ENV);
	char digest[IMG_DIGEST_MAX], err[ERR_MAX];

	if (opts.ref.source != IMG_REGISTRY || opts.ref.digest[0])
		return;
	char creds[CRED_MAX];
	struct passwd *pw;
	int rc;

	if (have && pinned && !strcmp(have, opts.image) && img_digest_valid(pinned))
		return;         /* a step of a job that already pinned it */
	if ((pw = getpwuid(getuid())) && load_credentials(NULL, pw->pw_dir, opts.ref.registry, creds, sizeof(creds)))
		o.credentials = creds;
	rc = ct_image_resolve(&opts.ref, &o, 20, digest, sizeof(digest), err, sizeof(err));
	explicit_bzero(creds, sizeof(creds));
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
	build_step(sp);
	return 0;
}

int slurm_spank_task_init_privileged(spank_t sp, int ac, char **av)
{
	(void)sp;
	(void)ac;
	(void)av;
	if (!step.active)
		return 0;
	if (rootfs_join(&step.holder, step.error, sizeof(step.error)))
		return 0;       /* reported in task_init */
	/* nothing the task execs can gain privileges (setuid files, caps) */
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
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
	return 0;
}

int slurm_spank_exit(spank_t sp, int ac, char **av)
{
	(void)sp;
	(void)ac;
	(void)av;
	if (!remote() || !step.active)
		return 0;
	rootfs_stop(&step.holder, step.runtime);
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
	if (parse_config(ac, av) || spank_get_item(sp, S_JOB_ID, &jobid) != ESPANK_SUCCESS || !jobid)
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
