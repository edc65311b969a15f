/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "ct_cdi.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cdi/cdi_select.h"
#include "ct_options.h"

#define ERRF(...) (snprintf(err, errlen, __VA_ARGS__), -1)

static rootfs_bind_t *next_bind(rootfs_spec_t *spec, char *err, size_t errlen)
{
	rootfs_bind_t *b;

	if (spec->nbinds == ROOTFS_MAX_BINDS) {
		snprintf(err, errlen, "CDI devices: more than %d mounts in all", ROOTFS_MAX_BINDS);
		return NULL;
	}
	b = &spec->binds[spec->nbinds];
	memset(b, 0, sizeof(*b));
	b->src_fd = -1;
	return b;
}

/* The node's /dev is the container's: a node at its own path there needs no bind. */
static int add_node(const cdi_node_t *n, rootfs_spec_t *spec, char *err, size_t errlen)
{
	struct stat sb;
	rootfs_bind_t *b;
	int fd;

	if ((fd = open(n->host_path, O_PATH | O_CLOEXEC | O_NOFOLLOW)) < 0 || fstat(fd, &sb) ||
	    !(S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode))) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return ERRF("CDI device node %s: %s", n->host_path, fd < 0 ? strerror(e) : "not a device node");
	}
	if (!strncmp(n->path, "/dev/", 5)) {
		close(fd);
		if (strcmp(n->path, n->host_path))
			return ERRF("CDI device node %s -> %s: the container shares this node's /dev, so a node "
				    "under /dev keeps its own path (fix the spec's path or hostPath)", n->host_path, n->path);
		return 0;
	}
	if (!(b = next_bind(spec, err, errlen))) {
		close(fd);
		return -1;
	}
	b->src_fd = rootfs_detach_source(fd, 1);
	close(fd);
	if (b->src_fd < 0)
		return ERRF("CDI device node %s: cannot bind it: %s", n->host_path, strerror(errno));
	b->device = 1;
	snprintf(b->dst, sizeof(b->dst), "%s", n->path);
	spec->nbinds++;
	return 0;
}

static int add_mount(const cdi_mount_t *m, rootfs_spec_t *spec, char *err, size_t errlen)
{
	ct_mount_t opt;
	struct stat sb;
	rootfs_bind_t *b;
	char why[256];
	int fd;

	memset(&opt, 0, sizeof(opt));
	snprintf(opt.dst, sizeof(opt.dst), "%s", m->container_path);
	if (ct_mount_flags(&opt, m->options, strlen(m->options), why, sizeof(why)))
		return ERRF("CDI mount %s: options %s: %s", m->container_path, m->options,
			    strstr(why, "flag ") ? strstr(why, "flag ") : why);
	if (!(b = next_bind(spec, err, errlen)))
		return -1;
	b->readonly = opt.readonly;
	b->flags = opt.flags;
	b->propagation = opt.propagation;
	snprintf(b->dst, sizeof(b->dst), "%s", m->container_path);
	if (!strcmp(m->type, "tmpfs")) {
		b->kind = ROOTFS_TMPFS;
		spec->nbinds++;
		return 0;
	}
	/* the vendor's files, opened as root: the spec is the site's, in a root-only directory */
	if ((fd = open(m->host_path, O_PATH | O_CLOEXEC)) < 0 || fstat(fd, &sb)) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return ERRF("CDI mount %s: %s", m->host_path, strerror(e));
	}
	b->src_fd = rootfs_detach_source(fd, opt.nonrecursive);
	close(fd);
	if (b->src_fd < 0)
		return ERRF("CDI mount %s: cannot bind it: %s", m->host_path, strerror(errno));
	b->is_dir = S_ISDIR(sb.st_mode);
	b->device = S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode);
	spec->nbinds++;
	return 0;
}

int ct_cdi_apply(const ct_config_t *cfg, int batch_step, const char *(*get)(const char *name, void *arg), void *arg,
		 ct_cdi_t *cdi, rootfs_spec_t *spec, char *err, size_t errlen)
{
	char (*names)[CDI_NAME_MAX] = NULL, dirbuf[sizeof(cfg->cdi_spec_dirs)];
	const char *name_ptrs[CDI_MAX_NAMES], *dirs[32];
	size_t n = 0, ndirs = 0;
	int rc = -1;

	memset(cdi, 0, sizeof(*cdi));
	if (!cfg->cdi_devices[0])
		return 0;
	if (!(names = calloc(CDI_MAX_NAMES, sizeof(*names))))
		return ERRF("out of memory");
	if (cdi_select(cfg->cdi_devices, batch_step, get, arg, names, CDI_MAX_NAMES, &n, err, errlen))
		goto out;
	if (!n) {
		rc = 0;
		goto out;
	}
	snprintf(dirbuf, sizeof(dirbuf), "%s", cfg->cdi_spec_dirs);
	for (char *save = NULL, *d = strtok_r(dirbuf, ":", &save); d && ndirs < 32; d = strtok_r(NULL, ":", &save))
		dirs[ndirs++] = d;
	for (size_t i = 0; i < n; i++) {
		name_ptrs[i] = names[i];
		snprintf(cdi->names + strlen(cdi->names), sizeof(cdi->names) - strlen(cdi->names), "%s%s", i ? " " : "",
			 names[i]);
	}
	if (!(cdi->edits = calloc(1, sizeof(*cdi->edits)))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (cdi_collect(dirs, ndirs, name_ptrs, n, cdi->edits, err, errlen))
		goto out;
	cdi->ndevices = n;
	for (size_t i = 0; i < cdi->edits->nnodes; i++)
		if (add_node(&cdi->edits->nodes[i], spec, err, errlen))
			goto out;
	for (size_t i = 0; i < cdi->edits->nmounts; i++)
		if (add_mount(&cdi->edits->mounts[i], spec, err, errlen))
			goto out;
	for (size_t i = 0; i < cdi->edits->nhooks; i++) {
		const cdi_hook_t *h = &cdi->edits->hooks[i];

		cdi->hooks[i] = (rootfs_hook_t){ h->path, h->argv, h->env, h->timeout_s };
	}
	spec->oci_hooks = cdi->hooks;
	spec->noci_hooks = cdi->edits->nhooks;
	rc = 0;
out:
	free(names);
	return rc;
}

char *const *ct_cdi_env(const ct_cdi_t *cdi, size_t *n)
{
	*n = cdi->edits ? cdi->edits->nenv : 0;
	return cdi->edits ? cdi->edits->env : NULL;
}

void ct_cdi_free(ct_cdi_t *cdi)
{
	if (cdi->edits) {
		cdi_edits_free(cdi->edits);
		free(cdi->edits);
	}
	cdi->edits = NULL;
	cdi->ndevices = 0;
}
