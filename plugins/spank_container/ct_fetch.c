/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The registry client and layer unpacker for the plugin: the functions of
 * registry.h and layer_unpack.h, forwarded to image_fetch.so, which is
 * loaded the first time a step needs one (see image/fetch_module.h). A
 * step on a warm cache never loads it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "image/fetch_module.h"

static const fetch_module_t *mod;
static char load_error[PATH_MAX + 256];

/* <directory of this plugin>/octopus/image_fetch.so */
static int module_path(char *out, size_t len)
{
	Dl_info info;
	const char *slash;

	if (!dladdr((void *)module_path, &info) || !info.dli_fname || !(slash = strrchr(info.dli_fname, '/')))
		return -1;
	return snprintf(out, len, "%.*s/%s", (int)(slash - info.dli_fname), info.dli_fname, FETCH_MODULE_SUBPATH) <
			       (int)len ? 0 : -1;
}

static const fetch_module_t *load(char *err, size_t errlen)
{
	char path[PATH_MAX];
	const fetch_module_t *m;
	void *h;

	if (mod)
		return mod;
	if (!load_error[0]) {
		if (module_path(path, sizeof(path)))
			snprintf(load_error, sizeof(load_error), "cannot tell where the plugin is installed");
		else if (!(h = dlopen(path, RTLD_NOW | RTLD_LOCAL)))
			snprintf(load_error, sizeof(load_error), "%s", dlerror());
		else if (!(m = dlsym(h, FETCH_MODULE_SYMBOL)) || m->abi != FETCH_MODULE_ABI ||
			 m->size != sizeof(fetch_module_t))
			snprintf(load_error, sizeof(load_error), "%s is from another build of the plugin", path);
		else
			return mod = m;        /* never closed: slurmstepd ends with the step */
	}
	snprintf(err, errlen, "the image fetcher (registry client and layer unpacker) is not usable: %s; "
		 "install the plugin's %s with it", load_error, FETCH_MODULE_SUBPATH);
	errno = ENOENT;
	return NULL;
}

registry_t *registry_new(const img_ref_t *ref, const registry_opts_t *o, char *err, size_t errlen)
{
	const fetch_module_t *m = load(err, errlen);

	return m ? m->registry_new(ref, o, err, errlen) : NULL;
}

void registry_free(registry_t *r)
{
	if (r && mod)
		mod->registry_free(r);
}

int registry_manifest(registry_t *r, const char *reference, char **body, size_t *len, char *media, size_t medialen,
		      char *err, size_t errlen)
{
	const fetch_module_t *m = load(err, errlen);

	return m ? m->registry_manifest(r, reference, body, len, media, medialen, err, errlen) : -1;
}

int registry_blob(registry_t *r, const char *digest, int fd, uint64_t max, char *err, size_t errlen)
{
	const fetch_module_t *m = load(err, errlen);

	return m ? m->registry_blob(r, digest, fd, max, err, errlen) : -1;
}

int layer_unpack_fd(int fd, int dirfd, const layer_limits_t *lim, layer_stats_t *st, char *err, size_t errlen)
{
	const fetch_module_t *m = load(err, errlen);

	return m ? m->layer_unpack_fd(fd, dirfd, lim, st, err, errlen) : -1;
}

int layer_unpack_verified(int fd, const char *digest, uint64_t size, int dirfd, const layer_limits_t *lim,
			  layer_stats_t *st, char *err, size_t errlen)
{
	const fetch_module_t *m = load(err, errlen);

	return m ? m->layer_unpack_verified(fd, digest, size, dirfd, lim, st, err, errlen) : -1;
}
