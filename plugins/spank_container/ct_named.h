/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ct_named - --container-name: a container kept for later steps of the job
 * on this node, in runtime_dir/<job>.name.<NAME>.<node>/ (root's, 0700):
 *   plan     the image it was made from (ct_plan_write), so a later
 *            step needs no --container-image and no registry;
 *   upper/   what its steps wrote (overlayfs upper and work dirs);
 *   lock     held (flock) by the one step whose overlay writes upper/;
 *   running  "<pid> <starttime> <remap> <unshare>" of that step's namespace process,
 *            while it runs, so a later step can join it as Pyxis does.
 * The job epilog removes the directory with the rest of the job's.
 */
#ifndef OCTOPUS_CT_NAMED_H
#define OCTOPUS_CT_NAMED_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct {
	char dir[PATH_MAX / 2];
	int dirfd;
	int lock_fd;            /* >= 0 while this step owns upper/ */
	int marked;             /* this step wrote running */
} ct_named_t;

#define CT_NAMED_INIT { "", -1, -1, 0 }

#define CT_NAMED_PLAN "plan"

/* Create or open the container's directory. 0, or -1 with err. */
int ct_named_open(ct_named_t *n, const char *runtime_dir, uint32_t jobid, const char *name, uint32_t nodeid,
		  char *err, size_t errlen);

/* 1 if a plan is there (the container exists). */
int ct_named_exists(const ct_named_t *n);

/* 1 and its namespace process if a step runs the container now. */
int ct_named_running(const ct_named_t *n, pid_t *pid, int *remap_root, int *unshare);

/* 0: this step owns upper/; 1: another step does; -1 with errno. */
int ct_named_lock(ct_named_t *n);

/* Forget what was kept (create, or another image): upper/, work/, plan. Needs the lock. */
int ct_named_reset(ct_named_t *n);

/* Record (needs the lock) and forget the running namespace process. */
int ct_named_mark_running(ct_named_t *n, pid_t pid, int remap_root, int unshare);
void ct_named_close(ct_named_t *n);

#endif
