/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rootfs - the container's mount namespace, built once per node per step
 * by a holder process that keeps it alive; every task joins it with setns.
 *
 * The holder unshares a mount namespace, makes / recursively slave (no
 * mount leaks back to the host), stacks the cached layers with overlayfs
 * (nosuid, nodev; a per-step upper dir, the mount made read-only at the
 * end for --container-readonly), mounts /proc, binds
 * /dev, /sys, /tmp and the requested sources, then pivot_roots into it.
 * Bind targets are resolved inside the rootfs (openat2 RESOLVE_IN_ROOT):
 * a symlink in an image cannot aim a mount at a host path. Bind sources are
 * fds opened by the user (user_open), so a user binds only what they can
 * read. When the step ends the holder exits and the namespace goes with it.
 */
#ifndef OCTOPUS_ROOTFS_H
#define OCTOPUS_ROOTFS_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define ROOTFS_MAX_BINDS 256

/* --container-unshare: namespaces a step gets of its own (one for all its tasks) */
#define ROOTFS_NET 1
#define ROOTFS_IPC 2
#define ROOTFS_UTS 4
#define ROOTFS_NS_KINDS 3

typedef enum { ROOTFS_BIND = 0, ROOTFS_TMPFS, ROOTFS_UMOUNT } rootfs_mount_kind_t;

typedef struct {
	rootfs_mount_kind_t kind;
	int src_fd;             /* ROOTFS_BIND: rootfs_detach_source() of an fd opened as the user */
	char dst[PATH_MAX];     /* absolute path inside the container */
	int readonly;
	int is_dir;             /* the target is created as a directory, else a file */
	int device;             /* a device node: no nodev (the device cgroup decides who opens it) */
	unsigned long flags;    /* MS_NOEXEC, MS_NODEV asked for */
	unsigned long propagation;      /* MS_PRIVATE/SLAVE/SHARED/UNBINDABLE [| MS_REC], or 0 */
} rootfs_bind_t;

/* An OCI createContainer hook (from a CDI spec): run as root with the OCI
 * state on stdin, in the container's namespace before pivot_root. */
typedef struct {
	const char *path;
	char *const *argv;
	char *const *env;
	unsigned timeout_s;     /* 0: the site's hook_timeout */
} rootfs_hook_t;

typedef struct {
	char runtime[PATH_MAX / 2];     /* per-step directory on local disk (upper, work, links) */
	const char *const *lower;       /* layer directories, base first */
	size_t nlower;
	int has_squashfs;               /* the image is a squashfs file (squashfs_fd), under the layers */
	int squashfs_fd;
	int writable;
	int idmap;                      /* the image's root-owned files appear as the user's (writable, remap) */
	int remap_root;                 /* tasks enter a user namespace where the user is root */
	int unshare;                    /* ROOTFS_NET|IPC|UTS: namespaces of the step's own */
	uid_t uid;                      /* the job's user: owner of the root dir and the user namespace */
	gid_t gid;
	const char *extra_lower;        /* a kept upper dir in use by another step: read-only, on top */
	const char *keep_dir;           /* --container-name: upper and work dirs live here, across steps */
	const char *hooks_dir;          /* site hooks, run in the namespace before pivot_root */
	char *const *hook_env;          /* their environment (the job's), OCTOPUS_ROOTFS added */
	char *const *hook_prefill;      /* the image's Env: $OCTOPUS_ENVIRON's first lines (hook_env.h) */
	size_t nhook_prefill;
	unsigned hook_timeout_s;        /* each hook's bound; 0: SITE_HOOK_TIMEOUT_DEFAULT */
	const rootfs_hook_t *oci_hooks; /* after the site hooks; runtime/bundle/config.json names the root */
	size_t noci_hooks;
	const char *container_id;       /* the OCI state's id */
	const char *passwd_line;        /* added to the image's /etc/passwd unless its name is there */
	const char *group_line;         /* likewise for /etc/group */
	size_t nbinds;
	rootfs_bind_t binds[ROOTFS_MAX_BINDS];
} rootfs_spec_t;

typedef struct {
	pid_t pid;
	int ns_fd;              /* the mount namespace, for setns */
	int user_fd;            /* --container-remap-root: its user namespace, joined first; else -1 */
	int other_fd[ROOTFS_NS_KINDS];  /* --container-unshare: net, ipc, uts, or -1 */
	int ctl_fd;             /* closing it lets the holder exit; -1 for a joined container */
	pid_t ns_pid;           /* the process whose namespaces these are (the holder or its child) */
} rootfs_holder_t;

#define ROOTFS_HOLDER_INIT { -1, -1, -1, { -1, -1, -1 }, -1, -1 }

/* A detached mount tree of what fd (O_PATH, opened as the user) names,
 * cloned here (with the mounts below it unless nonrecursive), so the
 * holder's new namespace can attach it; -1 with errno. */
int rootfs_detach_source(int fd, int nonrecursive);

/* Build the namespace; 0, or -1 with the holder's reason in err. */
int rootfs_start(const rootfs_spec_t *spec, rootfs_holder_t *h, char *err, size_t errlen);

/* In a task (root) of a container without a user namespace: enter the
 * namespace; its root becomes the container's. */
int rootfs_join(const rootfs_holder_t *h, char *err, size_t errlen);

/* In a task as the user (--container-remap-root): enter the user namespace,
 * then the mount namespace, and go back to the directory it was in. */
int rootfs_join_user(const rootfs_holder_t *h, char *err, size_t errlen);

/* Open the namespaces of a running holder (another step's): 0, or -1. */
int rootfs_attach(pid_t ns_pid, int remap_root, int unshare, rootfs_holder_t *h, char *err, size_t errlen);

/* The kernel's start time of pid (to tell a reused pid), 0 if it is gone. */
unsigned long long rootfs_pid_start(pid_t pid);

/* End the holder and remove the runtime directory. */
void rootfs_stop(rootfs_holder_t *h, const char *runtime);

/* Bind src (an O_PATH fd of a directory) at dst (absolute) in h's running
 * container, making the mount point where missing; callable with the
 * effective uid dropped (saved uid root). 0, or -1 with err. */
int rootfs_bind_late(const rootfs_holder_t *h, int src, const char *dst, char *err, size_t errlen);

#endif
