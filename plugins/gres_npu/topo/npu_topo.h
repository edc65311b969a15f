/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * npu_topo - which CPUs are local to an accelerator, for gres.conf's Cores=:
 * hwloc with its PCI objects kept (it drops them by default), else the
 * device's sysfs local_cpulist. A device local to the whole machine, or
 * unknown to both, has no locality: Cores= is left out rather than made up.
 *
 * CPU lists are Linux CPU numbers ("0-7,16-23"); the Slurm shim converts them
 * to Slurm's abstract core ids. No Slurm headers.
 */
#ifndef OCTOPUS_NPU_TOPO_H
#define OCTOPUS_NPU_TOPO_H

#include <stddef.h>

#include "npu_device.h"

typedef struct npu_topo npu_topo_t;

/* xml: an hwloc XML file, or NULL for this machine (hwloc honours
 * HWLOC_XMLFILE, as slurmd does, so both number CPUs alike). */
npu_topo_t *npu_topo_open(const char *xml, char *err, size_t errlen);
void npu_topo_close(npu_topo_t *t);

/* The CPUs local to PCI device bdf into out: 1 found, 0 no locality
 * (out ""), -1 the device is not in the topology. */
int npu_topo_local_cpus(npu_topo_t *t, const char *bdf, char *out, size_t len);

/* Fallback: sys/bus/pci/devices/<bdf>/local_cpulist under the roots; same
 * returns, with all_cpus ("0-63") as "the whole machine". */
int npu_topo_sysfs_cpus(const npu_roots_t *r, const char *bdf, const char *all_cpus, char *out, size_t len);

/* This topology's whole CPU list (for npu_topo_sysfs_cpus). */
void npu_topo_all_cpus(npu_topo_t *t, char *out, size_t len);

#endif
