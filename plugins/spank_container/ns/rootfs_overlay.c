/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The image in the holder: each cached layer (or the squashfs file) under
 * l/, idmapped to the user where the container is writable or remapped,
 * and the overlay of them with the step's upper directory at rootfs/.
 * The holder's cwd is the step's runtime directory.
 */
#define _GNU_SOURCE
#include "rootfs_overlay.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errf.h"
#include "loopdev.h"
#include "mount_api.h"
#include "userns.h"

/* Layer i at l/<i>: a symlink to the cached layer, or an idmapped mount of it. */
static int link_layer(const char *layer, size_t i, int userns, char *err, size_t errlen)
{
	char link[32];
	int t;

	snprintf(link, sizeof(link), "l/%zu", i);
	if (userns < 0) {
		if (!symlink(layer, link))
			return 0;
		errf(err, errlen, "runtime directory: %s", strerror(errno));
		return -1;
	}
	struct octo_mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (unsigned long long)userns };

	if (mkdir(link, 0700) ||
	    (t = (int)syscall(SYS_open_tree, AT_FDCWD, layer, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) < 0) {
		errf(err, errlen, "layer %s: %s", layer, strerror(errno));
		return -1;
	}
	if (syscall(SYS_mount_setattr, t, "", AT_EMPTY_PATH, &attr, sizeof(attr)) ||
	    syscall(SYS_move_mount, t, "", AT_FDCWD, link, MOVE_MOUNT_F_EMPTY_PATH)) {
		errf(err, errlen, "the layer cache's filesystem cannot map file owners for a writable or remapped "
			    "container (idmapped mounts: Linux >= 5.19 on ext4, xfs, btrfs or tmpfs): %s; "
			    "use --container-readonly --no-container-remap-root, or ask your admin", strerror(errno));
		close(t);
		return -1;
	}
	close(t);
	return 0;
}

/* The squashfs image at l/sq (idmapped where the filesystem allows it). */
static int mount_squashfs(const rootfs_spec_t *s, int userns, char *err, size_t errlen)
{
	struct octo_mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (unsigned long long)userns };
	char dev[64];
	int lfd = loopdev_attach(s->squashfs_fd, dev, sizeof(dev)), t;

	if (lfd < 0) {
		errf(err, errlen, "squashfs image: no loop device: %s", strerror(errno));
		return -1;
	}
	if (mkdir("l/sqraw", 0700) || mkdir("l/sq", 0700) ||
	    mount(dev, "l/sqraw", "squashfs", MS_RDONLY | MS_NOSUID | MS_NODEV, NULL)) {
		errf(err, errlen, "mounting the squashfs image: %s", strerror(errno));
		close(lfd);
		return -1;
	}
	close(lfd);     /* the mount holds the device now; it goes with the mount */
	if (userns >= 0 && (t = (int)syscall(SYS_open_tree, AT_FDCWD, "l/sqraw", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)) >= 0) {
		if (!syscall(SYS_mount_setattr, t, "", AT_EMPTY_PATH, &attr, sizeof(attr)) &&
		    !syscall(SYS_move_mount, t, "", AT_FDCWD, "l/sq", MOVE_MOUNT_F_EMPTY_PATH)) {
			close(t);
			return umount2("l/sqraw", MNT_DETACH) ? errf(err, errlen, "mounting the squashfs image: %s",
								    strerror(errno)) : 0;
		}
		close(t);
	}
	/* squashfs cannot map owners: its files keep the owners mksquashfs gave them */
	if (mount("l/sqraw", "l/sq", NULL, MS_BIND, NULL) || umount2("l/sqraw", MNT_DETACH)) {
		errf(err, errlen, "mounting the squashfs image: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int rootfs_overlay(const rootfs_spec_t *s, char *err, size_t errlen)
{
	char opts[4096];
	size_t used;
	int userns = -1;

	char upper[PATH_MAX], work[PATH_MAX];

	snprintf(upper, sizeof(upper), "%s%supper", s->keep_dir ? s->keep_dir : "", s->keep_dir ? "/" : "");
	snprintf(work, sizeof(work), "%s%swork", s->keep_dir ? s->keep_dir : "", s->keep_dir ? "/" : "");
	if (mkdir("rootfs", 0755) || mkdir("l", 0700) || (mkdir(upper, 0755) && errno != EEXIST) ||
	    (mkdir(work, 0700) && errno != EEXIST)) {
		errf(err, errlen, "runtime directory %s: %s", s->runtime, strerror(errno));
		return -1;
	}
	/* the root of the overlay is the upper dir's: the user's, so they may write / */
	if (s->idmap && (chown(upper, s->uid, s->gid) || (userns = userns_idmap(s->uid, s->gid)) < 0)) {
		errf(err, errlen, "mapping the image's owners to you: %s", strerror(errno));
		return -1;
	}
	/* short relative names keep 127 layers within a page of options */
	used = (size_t)snprintf(opts, sizeof(opts), "lowerdir=%s%s", s->extra_lower ? s->extra_lower : "",
				s->extra_lower ? ":" : "");
	for (size_t i = s->nlower; i-- > 0;) {
		if (link_layer(s->lower[i], i, userns, err, errlen)) {
			if (userns >= 0)
				close(userns);
			return -1;
		}
		used += (size_t)snprintf(opts + used, sizeof(opts) - used, "%sl/%zu", i + 1 == s->nlower ? "" : ":", i);
	}
	if (s->has_squashfs) {
		if (mount_squashfs(s, userns, err, errlen)) {
			if (userns >= 0)
				close(userns);
			return -1;
		}
		used += (size_t)snprintf(opts + used, sizeof(opts) - used, "%sl/sq", s->nlower ? ":" : "");
	}
	if (userns >= 0)
		close(userns);
	used += (size_t)snprintf(opts + used, sizeof(opts) - used, ",upperdir=%s,workdir=%s", upper, work);
	if (used >= sizeof(opts)) {
		errf(err, errlen, "too many layers for one overlay mount");
		return -1;
	}
	if (mount("overlay", "rootfs", "overlay", MS_NOSUID | MS_NODEV, opts)) {
		errf(err, errlen, "mounting the image (overlayfs): %s", strerror(errno));
		return -1;
	}
	return 0;
}
