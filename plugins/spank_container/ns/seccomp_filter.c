/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "seccomp_filter.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include <seccomp.h>

/* Docker's default profile: what an unprivileged container may not call */
static const char *const denied[] = {
	"acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "clock_settime64", "create_module",
	"delete_module", "finit_module", "get_kernel_syms", "init_module", "ioperm", "iopl", "kcmp",
	"kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie", "name_to_handle_at", "nfsservctl",
	"open_by_handle_at", "perf_event_open", "query_module", "quotactl", "quotactl_fd", "reboot",
	"request_key", "settimeofday", "stime", "swapoff", "swapon", "sysfs", "_sysctl", "uselib", "userfaultfd",
	"ustat", "vm86", "vm86old",
};

/* what a container's root (in a user namespace) needs, and nobody else */
static const char *const namespaces[] = {
	"mount", "umount", "umount2", "unshare", "setns", "pivot_root", "mount_setattr", "fsconfig", "fsmount",
	"fsopen", "fspick", "move_mount", "open_tree",
};

static int deny(scmp_filter_ctx ctx, const char *name, int action)
{
	int nr = seccomp_syscall_resolve_name(name);

	/* a call this architecture does not have needs no rule */
	return nr == __NR_SCMP_ERROR ? 0 : seccomp_rule_add(ctx, action, nr, 0);
}

int seccomp_filter_install(int allow_namespaces, char *err, size_t errlen)
{
	static const unsigned long ns_flags[] = { CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
						  CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP };
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc = 0;

	if (!ctx) {
		snprintf(err, errlen, "seccomp: out of memory");
		return -1;
	}
	/* 32-bit calls of the same kernel get the same rules, not a way around them */
	if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
		rc = seccomp_arch_add(ctx, SCMP_ARCH_X86);
		if (!rc || rc == -EEXIST)
			rc = seccomp_arch_add(ctx, SCMP_ARCH_X32);
		if (rc == -EEXIST)
			rc = 0;
	}
	for (size_t i = 0; !rc && i < sizeof(denied) / sizeof(denied[0]); i++)
		rc = deny(ctx, denied[i], SCMP_ACT_ERRNO(EPERM));
	if (!allow_namespaces) {
		for (size_t i = 0; !rc && i < sizeof(namespaces) / sizeof(namespaces[0]); i++)
			rc = deny(ctx, namespaces[i], SCMP_ACT_ERRNO(EPERM));
		for (size_t i = 0; !rc && i < sizeof(ns_flags) / sizeof(ns_flags[0]); i++)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
					      SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));
		/* clone3's flags are behind a pointer a filter cannot read: ENOSYS makes libc use clone */
		if (!rc)
			rc = deny(ctx, "clone3", SCMP_ACT_ERRNO(ENOSYS));
	}
	if (!rc && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		rc = -errno;
	if (!rc)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc)
		snprintf(err, errlen, "seccomp=default: the filter could not be installed: %s", strerror(-rc));
	return rc ? -1 : 0;
}
