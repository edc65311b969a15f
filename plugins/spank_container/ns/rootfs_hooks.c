/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "rootfs_hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "hook_env.h"
#include "site_hook.h"

/*
 * The site's hooks see the image at runtime/rootfs, before pivot_root, and
 * $OCTOPUS_ENVIRON (runtime/environ, cwd here) starting with the image's Env.
 */
static int run_site_hooks(const rootfs_spec_t *s, char *err, size_t errlen)
{
	char rootfs[PATH_MAX];
	int fd;

	if (!s->hooks_dir || !s->hooks_dir[0])
		return 0;
	if ((fd = open(HOOK_ENV_FILE, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0 ||
	    hook_env_write_prefill(fd, s->hook_prefill, s->nhook_prefill)) {
		snprintf(err, errlen, "%s/%s for the site hooks: %s", s->runtime, HOOK_ENV_FILE, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", s->runtime);
	return site_hooks_run(s->hooks_dir, s->hook_env, rootfs,
			      s->hook_timeout_s ? s->hook_timeout_s : SITE_HOOK_TIMEOUT_DEFAULT, err, errlen);
}

/* The OCI runtime's view for createContainer hooks: bundle/config.json
 * (root.path: the image's root) and the state they read on stdin. */
static int write_bundle(const rootfs_spec_t *s, char *err, size_t errlen)
{
	json_object *config = json_object_new_object(), *root = json_object_new_object();
	json_object *state = json_object_new_object();
	char path[PATH_MAX];
	int rc = -1;

	if (!config || !root || !state)
		goto out;
	snprintf(path, sizeof(path), "%s/rootfs", s->runtime);
	json_object_object_add(root, "path", json_object_new_string(path));
	json_object_object_add(config, "ociVersion", json_object_new_string("1.0.2"));
	json_object_object_add(config, "root", root);
	root = NULL;
	snprintf(path, sizeof(path), "%s/bundle", s->runtime);
	json_object_object_add(state, "ociVersion", json_object_new_string("1.0.2"));
	json_object_object_add(state, "id", json_object_new_string(s->container_id ? s->container_id : "octopus"));
	json_object_object_add(state, "status", json_object_new_string("creating"));
	json_object_object_add(state, "pid", json_object_new_int((int)getpid()));
	json_object_object_add(state, "bundle", json_object_new_string(path));
	if (mkdir("bundle", 0700) || json_object_to_file_ext("bundle/config.json", config, JSON_C_TO_STRING_PLAIN) ||
	    json_object_to_file_ext("bundle/state.json", state, JSON_C_TO_STRING_PLAIN))
		goto out;
	rc = 0;
out:
	if (rc)
		snprintf(err, errlen, "%s/bundle for the CDI hooks: %s", s->runtime, strerror(errno ? errno : ENOMEM));
	json_object_put(config);
	json_object_put(root);
	json_object_put(state);
	return rc;
}

/* CDI's createContainer hooks, after the site's: what the device vendor needs done (ldconfig, links) */
static int run_oci_hooks(const rootfs_spec_t *s, char *err, size_t errlen)
{
	char what[PATH_MAX + 16];
	struct stat sb;

	if (!s->noci_hooks)
		return 0;
	if (write_bundle(s, err, errlen))
		return -1;
	for (size_t i = 0; i < s->noci_hooks; i++) {
		const rootfs_hook_t *h = &s->oci_hooks[i];
		int fd = open(h->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), in = -1, rc;

		snprintf(what, sizeof(what), "CDI hook %s", h->path);
		if (fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode) || !site_hook_trusted(&sb) ||
		    (in = open("bundle/state.json", O_RDONLY | O_CLOEXEC)) < 0) {
			snprintf(err, errlen, "%s: %s", what,
				 fd < 0 ? strerror(errno) : "must be a file of root's, not group/world-writable");
			if (fd >= 0)
				close(fd);
			return -1;
		}
		rc = site_hook_exec(fd, what, h->argv, h->env, in,
				    h->timeout_s ? h->timeout_s : s->hook_timeout_s ? s->hook_timeout_s : SITE_HOOK_TIMEOUT_DEFAULT,
				    err, errlen);
		close(in);
		close(fd);
		if (rc)
			return -1;
	}
	return 0;
}

int rootfs_run_hooks(const rootfs_spec_t *s, char *err, size_t errlen)
{
	return run_site_hooks(s, err, errlen) || run_oci_hooks(s, err, errlen) ? -1 : 0;
}
