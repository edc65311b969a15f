/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "ct_stepd_named.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ct_plan.h"

/*
 * --container-name, after the image is known: this step owns the kept
 * upper dir (the container goes on from what earlier steps wrote), or,
 * when another step owns it (no_exec beside a running one), starts on top
 * of it with a writable layer of its own that ends with the step
 * (overlayfs lets one upper dir serve one mount).
 */
int ct_stepd_use_named(const ct_options_t *opts, ct_step_t *step, rootfs_spec_t *spec, char *upper_ro, size_t len)
{
	char err[CT_ERR_MAX];

	if (step->named.lock_fd < 0) {
		if (snprintf(upper_ro, len, "%s/upper", step->named.dir) >= (int)len) {
			snprintf(step->error, sizeof(step->error), "--container-name %s: the path of its kept files is too long",
				 opts->name);
			return -1;
		}
		if (!access(upper_ro, F_OK))
			spec->extra_lower = upper_ro;
		snprintf(step->warning, sizeof(step->warning),
			 "--container-name %s: another step of this job runs it on this node; this step starts from what "
			 "it had kept and its own changes end with it", opts->name);
		return 0;
	}
	if (!ct_named_exists(&step->named) &&
	    ct_plan_write(&step->image, opts->image, step->named.dirfd, CT_NAMED_PLAN, err, sizeof(err))) {
		snprintf(step->error, sizeof(step->error), "--container-name %s: %.600s", opts->name, err);
		return -1;
	}
	spec->keep_dir = step->named.dir;
	spec->writable = 1;     /* the point of a name is to keep what was written */
	return 0;
}

/*
 * --container-name, before the image: join the container if a step runs it
 * (1), else open it for this step (0), or an error (-1). img_from_plan: no
 * --container-image, the image comes from the plan.
 */
int ct_stepd_open_named(const ct_config_t *cfg, const ct_options_t *opts, ct_step_t *step, uint32_t jobid,
			uint32_t nodeid, layer_cache_t *cache, int *img_from_plan)
{
	char err[CT_ERR_MAX], image[sizeof(opts->image)];
	pid_t pid = 0;
	int remap = 0, unshare = 0, rc;

	*img_from_plan = 0;
	if (ct_named_open(&step->named, cfg->runtime_dir, jobid, opts->name, nodeid, step->error, sizeof(step->error)))
		return -1;
	if ((opts->name_flag == CT_NAME_AUTO || opts->name_flag == CT_NAME_EXEC) &&
	    ct_named_running(&step->named, &pid, &remap, &unshare)) {
		if (opts->unshare & ~unshare) {
			snprintf(step->error, sizeof(step->error),
				 "--container-unshare: the running container %s is not in a separate %s namespace: "
				 "name another container, or use :no_exec", opts->name,
				 (opts->unshare & ~unshare & ROOTFS_NET) ? "network" :
				 (opts->unshare & ~unshare & ROOTFS_IPC) ? "IPC" : "UTS");
			return -1;
		}
	}
	if ((opts->name_flag == CT_NAME_AUTO || opts->name_flag == CT_NAME_EXEC) && pid > 0 &&
	    !rootfs_attach(pid, remap, unshare, &step->holder, err, sizeof(err))) {
		/* the image's Env and Entrypoint for the tasks, from the plan */
		if (ct_plan_load(step->named.dirfd, CT_NAMED_PLAN, cache, &step->image, image, sizeof(image), err,
				       sizeof(err))) {
			snprintf(step->error, sizeof(step->error), "--container-name %s: %.600s", opts->name, err);
			return -1;
		}
		if (opts->nmounts || opts->set_workdir || opts->image[0])
			snprintf(step->warning, sizeof(step->warning),
				 "--container-name %s: joined the running container as it is; ignoring %s%s%s", opts->name,
				 opts->nmounts ? "--container-mounts " : "", opts->set_workdir ? "--container-workdir " : "",
				 opts->image[0] ? "--container-image" : "");
		step->attached = 1;
		return 1;
	}
	if (opts->name_flag == CT_NAME_EXEC) {
		snprintf(step->error, sizeof(step->error),
			 "--container-name %s:exec: no step of this job runs that container on this node now "
			 "(drop :exec to start it again)", opts->name);
		return -1;
	}
	if ((rc = ct_named_lock(&step->named)) < 0) {
		snprintf(step->error, sizeof(step->error), "--container-name %s: %s", opts->name, strerror(errno));
		return -1;
	}
	if (rc == 1 && opts->name_flag != CT_NAME_NO_EXEC) {
		snprintf(step->error, sizeof(step->error),
			 "--container-name %s is being %s by another step of this job on this node: use :no_exec "
			 "to start a second instance beside it, or wait", opts->name,
			 opts->name_flag == CT_NAME_CREATE ? "used" : "set up");
		return -1;
	}
	if (rc == 0 && opts->name_flag == CT_NAME_CREATE && ct_named_reset(&step->named)) {
		snprintf(step->error, sizeof(step->error), "--container-name %s:create: %s", opts->name, strerror(errno));
		return -1;
	}
	if (!opts->image[0]) {
		if (!ct_named_exists(&step->named)) {
			snprintf(step->error, sizeof(step->error),
				 "--container-name %s: no container of that name in this job on this node; "
				 "create it with --container-image", opts->name);
			return -1;
		}
		*img_from_plan = 1;
	}
	return 0;
}

/* A named container made from another image: refused, as Pyxis does not silently swap it. */
int ct_stepd_named_same_image(const ct_options_t *opts, ct_step_t *step, layer_cache_t *cache)
{
	ct_image_t *kept;
	char err[CT_ERR_MAX], image[sizeof(opts->image)];
	int rc = 0;

	if (step->named.lock_fd < 0 || !ct_named_exists(&step->named))
		return 0;
	if (!(kept = calloc(1, sizeof(*kept)))) {
		snprintf(step->error, sizeof(step->error), "out of memory");
		return -1;
	}
	if (ct_plan_load(step->named.dirfd, CT_NAMED_PLAN, cache, kept, image, sizeof(image), err, sizeof(err))) {
		/* its layers are gone from the cache: a fresh start from this image is what is left */
		slurm_info("octopus container: --container-name %s: %s; starting it again from %s", opts->name, err,
			   opts->image);
		if (ct_named_reset(&step->named)) {
			snprintf(step->error, sizeof(step->error), "--container-name %s: %s", opts->name, strerror(errno));
			rc = -1;
		}
	} else if (strcmp(kept->manifest_digest, step->image.manifest_digest)) {
		snprintf(step->error, sizeof(step->error),
			 "--container-name %s holds image %.80s (%.80s), not %.80s: use another name for another "
			 "image, or NAME:create to start it again", opts->name, image, kept->manifest_digest,
			 step->image.manifest_digest);
		rc = -1;
	}
	ct_image_release(kept);
	free(kept);
	return rc;
}
