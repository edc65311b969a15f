/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "ct_stepd.h"
#include "ct_daemon.h"

#include "ct_plan.h"
#include "ct_stepd_named.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/credentials.h"
#include "image/fsutil.h"

#define BATCH_STEP 0xfffffffbu          /* SLURM_BATCH_SCRIPT */
#define EXTERN_STEP 0xfffffffcu         /* SLURM_EXTERN_CONT */

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * Add a bind whose source the user opens; skipped silently if optional and
 * missing. m: the user's flags (NULL: a plain read-write bind).
 */
static int add_user_bind(ct_step_t *step, rootfs_spec_t *s, user_opener_t *uo, const char *src, const char *dst,
			 const ct_mount_t *m, int optional)
{
	rootfs_bind_t *b;
	struct stat sb;
	int fd, device;

	if (s->nbinds == ROOTFS_MAX_BINDS) {
		snprintf(step->error, sizeof(step->error), "more than %d mounts", ROOTFS_MAX_BINDS);
		return -1;
	}
	if ((fd = user_opener_open(uo, NULL, src, O_PATH, step->error, sizeof(step->error))) < 0)
		return optional && errno == ENOENT ? 0 : -1;
	if (fstat(fd, &sb) || !(S_ISDIR(sb.st_mode) || S_ISREG(sb.st_mode) || S_ISCHR(sb.st_mode) ||
				S_ISBLK(sb.st_mode))) {
		close(fd);
		snprintf(step->error, sizeof(step->error), "%.300s: only files, directories and devices can be mounted", src);
		return -1;
	}
	device = S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode);
	/* O_PATH needs no read permission: open for reading, as the user, so
	 * nobody binds what they could not read anyway. A device is not opened
	 * (opening a tape rewinds it): its own mode and the job's device cgroup
	 * decide who opens it, inside as outside. */
	if (!device) {
		close(fd);
		if ((fd = user_opener_open(uo, NULL, src, O_RDONLY | O_NONBLOCK | O_NOCTTY, step->error,
					   sizeof(step->error))) < 0)
			return -1;
		if (fstat(fd, &sb) || !(S_ISDIR(sb.st_mode) || S_ISREG(sb.st_mode))) {
			close(fd);
			snprintf(step->error, sizeof(step->error), "%.300s changed while it was being mounted", src);
			return -1;
		}
	}
	b = &s->binds[s->nbinds];
	memset(b, 0, sizeof(*b));
	b->is_dir = S_ISDIR(sb.st_mode);
	b->device = device;
	b->src_fd = rootfs_detach_source(fd, m ? m->nonrecursive : 0);
	close(fd);
	if (b->src_fd < 0) {
		snprintf(step->error, sizeof(step->error), "%.300s: cannot bind it: %s", src, strerror(errno));
		return -1;
	}
	s->nbinds++;
	if (m) {
		b->readonly = m->readonly;
		b->flags = m->flags;
		b->propagation = m->propagation;
	}
	snprintf(b->dst, sizeof(b->dst), "%s", dst);
	return 0;
}

/* tmpfs:DST and umount:DST: nothing to open. */
static int add_fs_mount(ct_step_t *step, rootfs_spec_t *s, const ct_mount_t *m)
{
	rootfs_bind_t *b = &s->binds[s->nbinds];

	if (s->nbinds == ROOTFS_MAX_BINDS) {
		snprintf(step->error, sizeof(step->error), "more than %d mounts", ROOTFS_MAX_BINDS);
		return -1;
	}
	memset(b, 0, sizeof(*b));
	b->kind = m->kind == CT_MOUNT_TMPFS ? ROOTFS_TMPFS : ROOTFS_UMOUNT;
	b->src_fd = -1;
	b->readonly = m->readonly;
	b->flags = m->flags;
	snprintf(b->dst, sizeof(b->dst), "%s", m->dst);
	s->nbinds++;
	return 0;
}

/* A site mount (plugstack.conf site_mounts=): the admin's path, opened as root. */
static int add_site_bind(ct_step_t *step, rootfs_spec_t *s, const ct_mount_t *m)
{
	rootfs_bind_t *b = &s->binds[s->nbinds];
	struct stat sb;
	int fd;

	if (s->nbinds == ROOTFS_MAX_BINDS) {
		snprintf(step->error, sizeof(step->error), "more than %d mounts", ROOTFS_MAX_BINDS);
		return -1;
	}
	if ((fd = open(m->src, O_PATH | O_CLOEXEC)) < 0 || fstat(fd, &sb) ||
	    !(S_ISDIR(sb.st_mode) || S_ISREG(sb.st_mode))) {
		snprintf(step->error, sizeof(step->error), "site mount %.300s (plugstack.conf site_mounts=): %s",
			 m->src, fd < 0 ? strerror(errno) : "not a file or directory; ask your admin");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	b->src_fd = rootfs_detach_source(fd, 0);
	close(fd);
	if (b->src_fd < 0) {
		snprintf(step->error, sizeof(step->error), "site mount %.300s: cannot bind it: %s", m->src, strerror(errno));
		return -1;
	}
	b->is_dir = S_ISDIR(sb.st_mode);
	b->readonly = m->readonly;
	snprintf(b->dst, sizeof(b->dst), "%s", m->dst);
	s->nbinds++;
	return 0;
}

static int add_site_binds(const ct_config_t *cfg, ct_step_t *step, rootfs_spec_t *s)
{
	ct_options_t *site;
	int rc = 0;

	if (!cfg->site_mounts[0])
		return 0;
	if (!(site = calloc(1, sizeof(*site)))) {
		snprintf(step->error, sizeof(step->error), "out of memory");
		return -1;
	}
	/* checked when plugstack.conf was read; again here, it costs nothing */
	if (ct_opt_mounts(site, cfg->site_mounts, step->error, sizeof(step->error)))
		rc = -1;
	for (size_t i = 0; !rc && i < site->nmounts; i++)
		rc = add_site_bind(step, s, &site->mounts[i]);
	free(site);
	return rc;
}

/*
 * --container-entrypoint: octopus-entrypoint must be root's and not
 * writable by anyone else -- every user's task execs it.
 */
static int open_entry_helper(const ct_config_t *cfg, ct_step_t *step)
{
	struct stat sb;
	int fd = open(cfg->entrypoint_helper, O_PATH | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_uid != 0 || (sb.st_mode & 022) ||
	    !(sb.st_mode & 0001)) {
		snprintf(step->error, sizeof(step->error),
			 "--container-entrypoint: the helper %.300s %s (entrypoint_helper= in plugstack.conf): ask your admin",
			 cfg->entrypoint_helper,
			 fd < 0 ? strerror(errno) : "must be a root-owned executable that only root can write");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	step->entry_fd = fd;
	return 0;
}

/* A named volume: <volume_root>/<user>/<name>, created for the user on first use. */
/*
 * name under parent (an fd, or AT_FDCWD with a path for the volume root's
 * user directory) as a directory owned by the user: created if missing,
 * never through a symlink. The volume root itself is root's.
 */
static int make_owned_dir(int parent, const char *name, const struct passwd *pw, int *out)
{
	char rel[PATH_MAX];
	const char *path = name;
	int fd, created = 0;

	*out = -1;
	if (parent == AT_FDCWD) {
		snprintf(rel, sizeof(rel), "%s/%s", name, pw->pw_name);
		path = rel;
	}
	if (mkdirat(parent, path, 0700) == 0)
		created = 1;
	else if (errno != EEXIST)
		return -1;
	if ((fd = openat(parent, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	if (created && fchown(fd, pw->pw_uid, pw->pw_gid)) {
		close(fd);
		return -1;
	}
	*out = fd;
	return 0;
}

static int add_volume(const ct_config_t *cfg, ct_step_t *step, rootfs_spec_t *s, user_opener_t *uo,
		      const struct passwd *pw, const ct_mount_t *m)
{
	char dir[PATH_MAX];
	int userfd = -1, volfd = -1;

	if (!cfg->volume_root[0]) {
		snprintf(step->error, sizeof(step->error),
			 "--container-mounts=vol:%s: this cluster has no named volumes (volume_root= is not set)", m->src);
		return -1;
	}
	/*
	 * By fd and without following symlinks: the user owns <user>/ and could
	 * swap a fresh directory for a symlink between a mkdir and a chown by path.
	 */
	if (make_owned_dir(AT_FDCWD, cfg->volume_root, pw, &userfd) ||
	    make_owned_dir(userfd, m->src, pw, &volfd)) {
		snprintf(step->error, sizeof(step->error), "volume %s: %s", m->src, strerror(errno));
		if (userfd >= 0)
			close(userfd);
		return -1;
	}
	close(userfd);
	close(volfd);
	snprintf(dir, sizeof(dir), "%s/%s/%s", cfg->volume_root, pw->pw_name, m->src);
	return add_user_bind(step, s, uo, dir, m->dst, m, 0);
}

/* One --container-mounts entry. cwd: the job's working directory, for relative sources. */
static int add_mount(const ct_config_t *cfg, ct_step_t *step, rootfs_spec_t *s, user_opener_t *uo,
		     const struct passwd *pw, const ct_mount_t *m, const char *cwd)
{
	char path[PATH_MAX];

	switch (m->kind) {
	case CT_MOUNT_VOLUME:
		return add_volume(cfg, step, s, uo, pw, m);
	case CT_MOUNT_TMPFS:
	case CT_MOUNT_UMOUNT:
		return add_fs_mount(step, s, m);
	default:
		if (!m->relative)
			return add_user_bind(step, s, uo, m->src, m->dst, m, 0);
		if (cwd[0] != '/' ||
		    snprintf(path, sizeof(path), "%s/%s", cwd, m->src) >= (int)sizeof(path)) {
			snprintf(step->error, sizeof(step->error),
				 "--container-mounts %.200s: the job's working directory is not known here: use an absolute path",
				 m->src);
			return -1;
		}
		return add_user_bind(step, s, uo, path, m->dst, m, 0);
	}
}

/*
 * A named container's image from its plan. A squashfs image is opened
 * again as the user, from the path it was made from, and must be the same
 * file: the kept changes were made on top of that one.
 */
static int plan_image(ct_step_t *step, const char *name, layer_cache_t *cache, const ct_image_opts_t *image_opts,
		      user_opener_t *uo, const ct_config_t *cfg)
{
	char image[IMG_PATH_MAX + 64], kept[IMG_DIGEST_MAX];
	img_ref_t ref;

	if (ct_plan_load(step->named.dirfd, CT_NAMED_PLAN, cache, &step->image, image, sizeof(image), step->error,
			 sizeof(step->error)))
		return -1;
	if (!step->image.has_squashfs)
		return 0;
	if (!cfg->squashfs_images) {
		snprintf(step->error, sizeof(step->error), "--container-name %s: this site no longer mounts squashfs files "
			 "(squashfs_images=no)", name);
		return -1;
	}
	memset(&ref, 0, sizeof(ref));
	ref.source = IMG_SQUASHFS;
	snprintf(ref.path, sizeof(ref.path), "%s", step->image.squashfs_path);
	snprintf(kept, sizeof(kept), "%s", step->image.manifest_digest);
	ct_image_release(&step->image);
	if (ct_image_prepare(&ref, image_opts, uo, cache, &step->image, step->error, sizeof(step->error)))
		return -1;
	if (strcmp(kept, step->image.manifest_digest)) {
		snprintf(step->error, sizeof(step->error),
			 "--container-name %s: the squashfs image %.300s was replaced or changed since the container "
			 "was made from it: %s:create starts it again from the file as it is now", name, ref.path, name);
		return -1;
	}
	return 0;
}

/* A squashfs image's variables, from its /etc/environment in the started container. */
static int squashfs_env(ct_step_t *step)
{
	char root[64];
	int fd, rc;

	snprintf(root, sizeof(root), "/proc/%d/root", (int)step->holder.ns_pid);
	if ((fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(step->error, sizeof(step->error), "the container's root: %s", strerror(errno));
		return -1;
	}
	rc = ct_image_squashfs_env(&step->image, fd, step->error, sizeof(step->error));
	close(fd);
	return rc;
}

void ct_step_init(ct_step_t *step)
{
	const rootfs_holder_t holder = ROOTFS_HOLDER_INIT;
	const ct_named_t named = CT_NAMED_INIT;

	step->holder = holder;
	step->named = named;
	step->entry_fd = -1;
}

const char *ct_step_getenv(const char *name, void *arg)
{
	static char buf[PATH_MAX * 2];

	return spank_getenv((spank_t)arg, name, buf, sizeof(buf)) == ESPANK_SUCCESS ? buf : NULL;
}

/*
 * Hooks run as root: they get the job's SLURM_* and *_VISIBLE_DEVICES
 * variables, a fixed PATH and OCTOPUS_ENVIRON (environ_kv), nothing else
 * of what the user set (no LD_PRELOAD into a root process). Pointers into
 * job_env; free the array only.
 */
static char **hook_environment(char **job_env, char *environ_kv)
{
	static char path[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	size_t n = 0, k = 0;
	char **e;

	while (job_env && job_env[n])
		n++;
	if (!(e = calloc(n + 3, sizeof(*e))))
		return NULL;
	e[k++] = path;
	e[k++] = environ_kv;
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(job_env[i], '=');
		size_t len = eq ? (size_t)(eq - job_env[i]) : 0;

		if (len && (!strncmp(job_env[i], "SLURM_", 6) ||
			    (len > 16 && !strncmp(eq - 16, "_VISIBLE_DEVICES", 16))))
			e[k++] = job_env[i];
	}
	return e;
}

int ct_step_build(spank_t sp, const ct_config_t *cfg, const ct_options_t *opts, ct_step_t *step)
{
	uint32_t jobid = 0, stepid = 0, nodeid = 0;
	uid_t uid;
	gid_t gid, *gids = NULL;
	int ngids = 0, argc = 0;
	char **argv = NULL, **job_env = NULL, **hook_env = NULL, cwd[PATH_MAX] = "", node[128] = "node", pwbuf[4096], grbuf[4096];
	char passwd_line[1024], group_line[512], upper_ro[PATH_MAX / 2], environ_kv[PATH_MAX / 2 + 32];
	char container_id[48];
	int named = 0, from_plan = 0;
	struct group grp, *gr = NULL;
	struct passwd pwd, *pw = NULL;
	user_opener_t uo = { -1, -1 };
	layer_cache_t cache;
	rootfs_spec_t *spec = NULL;
	const char *lower[OCI_MAX_LAYERS];
	struct timespec t0, t_mount;
	double mount_ms;
	ct_image_opts_t image_opts = { cfg->allow_registries, cfg->plain_http_registries, NULL, NULL, NULL, cwd, NULL,
				       cfg->pull_workers };
	ct_daemon_user_t daemon = { cfg->podman, cfg->docker, 0, 0, NULL, 0, NULL, NULL, cfg->daemon_timeout_s };
	char creds[CRED_MAX], mirror[IMG_REGISTRY_MAX], mirror_creds[CRED_MAX];
	int rc = -1;

	if (spank_get_item(sp, S_JOB_UID, &uid) || spank_get_item(sp, S_JOB_GID, &gid) ||
	    spank_get_item(sp, S_JOB_ID, &jobid) || spank_get_item(sp, S_JOB_STEPID, &stepid)) {
		snprintf(step->error, sizeof(step->error), "cannot read the job's ids from Slurm");
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
		snprintf(step->error, sizeof(step->error), "no passwd entry for uid %u on this node", (unsigned)uid);
		return -1;
	}
	/* nodes of one job may share /run (several slurmd on one host) */
	snprintf(step->runtime, sizeof(step->runtime), "%s/%u.%u.%u", cfg->runtime_dir, jobid, stepid, nodeid);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (layer_cache_open(&cache, cfg->cache_dir, step->error, sizeof(step->error)))
		goto out;
	cache.limits.max_bytes = cfg->max_layer_bytes;
	if (user_opener_start(&uo, uid, gid, gids, ngids > 0 ? (size_t)ngids : 0, step->error, sizeof(step->error)))
		goto out;
	if (opts->ref.source == IMG_PODMAN || opts->ref.source == IMG_DOCKERD) {
		daemon.uid = uid;
		daemon.gid = gid;
		daemon.groups = gids;
		daemon.ngroups = ngids > 0 ? (size_t)ngids : 0;
		daemon.home = pw->pw_dir;
		if (spank_get_item(sp, S_JOB_ENV, &daemon.job_env) != ESPANK_SUCCESS)
			daemon.job_env = NULL;
		image_opts.daemon = &daemon;
	}
	if (opts->ref.source == IMG_REGISTRY && ct_image_load_login(&uo, pw->pw_dir, opts->ref.registry, creds, sizeof(creds)))
		image_opts.credentials = creds;
	if (opts->ref.source == IMG_REGISTRY && ct_config_mirror(cfg, opts->ref.registry, mirror, sizeof(mirror))) {
		image_opts.mirror = mirror;
		if (ct_image_load_login(&uo, pw->pw_dir, mirror, mirror_creds, sizeof(mirror_creds)))
			image_opts.mirror_credentials = mirror_creds;
	}
	if (opts->name[0]) {
		if ((named = ct_stepd_open_named(cfg, opts, step, jobid, nodeid, &cache, &from_plan)) < 0)
			goto out;
		if (named == 1) {       /* joined a running container: nothing to build */
			if (step->image.has_squashfs && squashfs_env(step))
				goto out;
			slurm_info("octopus container: %u.%u joined the running container %s (pid %d)", jobid, stepid,
				   opts->name, (int)step->holder.ns_pid);
			step->active = 1;
			rc = 0;
			goto out;
		}
	}
	if (opts->ref.source == IMG_SQUASHFS && !cfg->squashfs_images && !from_plan) {
		snprintf(step->error, sizeof(step->error), "--container-image=%.300s: this site does not mount squashfs files "
			 "(squashfs_images=no); use an OCI image (oci:/path, oci-archive:/path or a registry)", opts->image);
		goto out;
	}
	if (from_plan) {
		rc = plan_image(step, opts->name, &cache, &image_opts, &uo, cfg);
	} else {
		rc = ct_image_prepare(&opts->ref, &image_opts, &uo, &cache, &step->image, step->error,
				      sizeof(step->error));
	}
	explicit_bzero(creds, sizeof(creds));
	explicit_bzero(mirror_creds, sizeof(mirror_creds));
	if (rc)
		goto out;
	rc = -1;
	if (opts->name[0] && !from_plan && ct_stepd_named_same_image(opts, step, &cache))
		goto out;

	if (!(spec = calloc(1, sizeof(*spec)))) {
		snprintf(step->error, sizeof(step->error), "out of memory");
		goto out;
	}
	snprintf(spec->runtime, sizeof(spec->runtime), "%s", step->runtime);
	for (size_t i = 0; i < step->image.nlayers; i++)
		lower[i] = step->image.layers[i].path;
	spec->lower = lower;
	spec->nlower = step->image.nlayers;
	spec->has_squashfs = step->image.has_squashfs;
	spec->squashfs_fd = step->image.squashfs_fd;
	spec->writable = CT_FLAG(opts, CT_F_WRITABLE, cfg->writable);
	spec->remap_root = CT_FLAG(opts, CT_F_REMAP_ROOT, cfg->remap_root);
	spec->unshare = opts->unshare;
	spec->uid = uid;
	spec->gid = gid;
	spec->hooks_dir = cfg->hooks_dir;
	spec->hook_timeout_s = cfg->hook_timeout_s;
	snprintf(environ_kv, sizeof(environ_kv), "OCTOPUS_ENVIRON=%s/%s", step->runtime, HOOK_ENV_FILE);
	if (cfg->hooks_dir[0] && !spank_get_item(sp, S_JOB_ENV, &job_env) &&
	    !(hook_env = hook_environment(job_env, environ_kv))) {
		snprintf(step->error, sizeof(step->error), "out of memory");
		goto out;
	}
	spec->hook_env = hook_env;
	spec->hook_prefill = step->image.config.env;
	spec->nhook_prefill = step->image.config.nenv;
	if (opts->name[0] && ct_stepd_use_named(opts, step, spec, upper_ro, sizeof(upper_ro)))
		goto out;
	/* the image's root-owned files as the user's, where the user writes them or is root */
	spec->idmap = spec->writable || spec->remap_root;
	/* the user exists inside, with a shell every image has */
	snprintf(passwd_line, sizeof(passwd_line), "%s:x:%u:%u:%.200s:%s:/bin/sh", pw->pw_name, (unsigned)uid,
		 (unsigned)gid, pw->pw_gecos ? pw->pw_gecos : "", pw->pw_dir);
	spec->passwd_line = strpbrk(passwd_line, "\n") ? NULL : passwd_line;
	if (!getgrgid_r(gid, &grp, grbuf, sizeof(grbuf), &gr) && gr) {
		snprintf(group_line, sizeof(group_line), "%s:x:%u:", gr->gr_name, (unsigned)gid);
		spec->group_line = group_line;
	}
	if (CT_FLAG(opts, CT_F_MOUNT_HOME, cfg->mount_home) &&
	    add_user_bind(step, spec, &uo, pw->pw_dir, pw->pw_dir, NULL, 1))
		goto out;
	/* Pyxis starts in the image's WorkingDir; workdir=submit sites, in the submit directory */
	if (cfg->workdir_submit && cwd[0] == '/' && strcmp(cwd, "/")) {
		size_t before = spec->nbinds;

		if (add_user_bind(step, spec, &uo, cwd, cwd, NULL, 1))
			goto out;
		step->cwd_mounted = spec->nbinds > before;
	}
	/* the batch script lives in slurmd's spool: slurmstepd runs it by path */
	if (stepid == BATCH_STEP && !spank_get_item(sp, S_JOB_ARGV, &argc, &argv) && argc > 0 && argv[0][0] == '/') {
		char dir[PATH_MAX];
		char *slash;
		rootfs_bind_t *b = &spec->binds[spec->nbinds];

		snprintf(dir, sizeof(dir), "%s", argv[0]);
		if ((slash = strrchr(dir, '/')) && slash != dir)
			*slash = '\0';
		int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (fd >= 0 && (b->src_fd = rootfs_detach_source(fd, 0)) >= 0) {
			snprintf(b->dst, sizeof(b->dst), "%s", dir);
			b->is_dir = b->readonly = 1;
			spec->nbinds++;
		}
		if (fd >= 0)
			close(fd);
	}
	if (add_site_binds(cfg, step, spec))
		goto out;
	if (ct_cdi_apply(cfg, stepid == BATCH_STEP, ct_step_getenv, sp, &step->cdi, spec, step->error,
			 sizeof(step->error)))
		goto out;
	snprintf(container_id, sizeof(container_id), "%u.%u.%u", jobid, stepid, nodeid);
	spec->container_id = container_id;
	for (size_t i = 0; i < opts->nmounts; i++)
		if (add_mount(cfg, step, spec, &uo, pw, &opts->mounts[i], cwd))
			goto out;
	user_opener_stop(&uo);
	if (CT_FLAG(opts, CT_F_ENTRYPOINT, cfg->entrypoint) && step->image.config.entrypoint &&
	    step->image.config.entrypoint[0] && open_entry_helper(cfg, step))
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t_mount);
	if (rootfs_start(spec, &step->holder, step->error, sizeof(step->error)))
		goto out;
	mount_ms = ms_since(&t_mount);
	if (step->image.has_squashfs && squashfs_env(step))
		goto out;
	if (cfg->hooks_dir[0] &&
	    hook_env_read(environ_kv + strlen("OCTOPUS_ENVIRON="), step->image.config.env, step->image.config.nenv,
			  &step->hook_env, step->error, sizeof(step->error)))
		goto out;
	if (step->named.lock_fd >= 0 && ct_named_mark_running(&step->named, step->holder.ns_pid, spec->remap_root,
								       spec->unshare))
		slurm_error("octopus container: --container-name %s: cannot record it as running (later steps will "
			    "not join it): %m", opts->name);
	if (step->image.mirror_error[0])
		slurm_info("octopus container: %u.%u %s: the mirror failed, the registry served it: %s", jobid, stepid,
			   opts->image, step->image.mirror_error);
	if (step->cdi.edits && step->cdi.edits->notes[0])
		slurm_info("octopus container: %u.%u CDI specs not used: %s", jobid, stepid, step->cdi.edits->notes);
	slurm_info("octopus container: %u.%u %s%s%s on %s (node %u of the step): %zu layer(s), %u unpacked%s%s%s; resolve %.1f ms, fetch+unpack %.1f ms, mount %.1f ms, total %.1f ms",
		   jobid, stepid, opts->image, opts->ref.digest[0] ? " pinned to " : "", opts->ref.digest, node, nodeid,
		   step->image.nlayers, step->image.unpacked, step->image.from_mirror ? " (from the mirror)" : "",
		   step->cdi.ndevices ? ", CDI devices " : "", step->cdi.names,
		   step->image.resolve_ms,
		   step->image.fetch_ms, mount_ms, ms_since(&t0));
	step->active = 1;
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
		slurm_error("octopus container: %u.%u %s: %s", jobid, stepid, opts->image, step->error);
		ct_step_end(step);
	}
	return rc;
}

void ct_step_end(ct_step_t *step)
{
	/* forget "running" before the namespace goes: no later step joins a dying one */
	ct_named_close(&step->named);
	rootfs_stop(&step->holder, step->attached ? NULL : step->runtime);
	if (step->entry_fd >= 0)
		close(step->entry_fd);
	step->entry_fd = -1;
	ct_image_release(&step->image);
	hook_env_free(&step->hook_env);
	ct_cdi_free(&step->cdi);
	step->active = step->attached = 0;
}
