/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seccomp_filter - the site's default syscall filter for container tasks
 * (plugstack.conf seccomp=default): the calls Docker's default profile
 * keeps from an unprivileged container fail with EPERM. Kernel keyrings,
 * module loading, kexec, BPF, perf events, clocks, swap, reboot, quotas,
 * handle-based opens, userfaultfd and the like; and, unless the step's
 * user is root in a user namespace of its own (--container-remap-root,
 * which needs them), mount, namespaces and pivot_root. Left allowed, unlike
 * Docker: ptrace and process_vm_readv/writev (debuggers, MPI's
 * single-copy transport) and the NUMA policy calls (numactl, MPI
 * binding), which HPC jobs use. Installed with no_new_privs by the task
 * itself, after it entered the container: setuid programs inside lose
 * their privilege, as with the entrypoint.
 */
#ifndef OCTOPUS_SECCOMP_FILTER_H
#define OCTOPUS_SECCOMP_FILTER_H

#include <stddef.h>

/* 0, or -1 with the reason in err. */
int seccomp_filter_install(int allow_namespaces, char *err, size_t errlen);

#endif
