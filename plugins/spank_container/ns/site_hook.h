/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * site_hook - run the site's container hooks (hooks_dir) in the holder
 * process: each hook is opened once, checked on that fd (regular, root's,
 * not group/world-writable) and executed from the same fd, so the file
 * checked is the file run. The deadline is kept by the caller, not by the
 * hook: slurmstepd's blocked signals survive exec, so alarm() in the child
 * never fired. At the deadline, or when the hook ends, its whole process
 * group is killed: a background child holding its output cannot stall the
 * step.
 */
#ifndef OCTOPUS_SITE_HOOK_H
#define OCTOPUS_SITE_HOOK_H

#include <stddef.h>
#include <sys/stat.h>

#define SITE_HOOK_TIMEOUT_DEFAULT 60
#define SITE_HOOK_TIMEOUT_MAX 3600

/*
 * Every executable in dir, in name order, as root with env plus
 * OCTOPUS_ROOTFS=rootfs and rootfs as its argument. 0 when all succeed or
 * dir does not exist; -1 with the reason (the hook's first output line
 * included) in err.
 */
int site_hooks_run(const char *dir, char *const *env, const char *rootfs, unsigned timeout_s, char *err,
		   size_t errlen);

/*
 * Run the program open on fd (checked by the caller: site_hook_trusted)
 * as root with argv and envp, stdin from stdin_fd (-1: /dev/null), bounded
 * by timeout_s; name ("site hook 10-x") starts each error. 0, or -1.
 */
int site_hook_exec(int fd, const char *name, char *const *argv, char *const *envp, int stdin_fd, unsigned timeout_s,
		   char *err, size_t errlen);

/* root's and not group/world-writable: 1 */
int site_hook_trusted(const struct stat *sb);

#endif
