/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "npu_topo.h"

#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs.h"

struct npu_topo {
	hwloc_topology_t t;
};

npu_topo_t *npu_topo_open(const char *xml, char *err, size_t errlen)
{
	npu_topo_t *t = calloc(1, sizeof(*t));

	if (!t || hwloc_topology_init(&t->t)) {
		snprintf(err, errlen, "hwloc: cannot start a topology");
		free(t);
		return NULL;
	}
	/* I/O objects are dropped unless asked for; accelerators are class 0x12 PCI devices */
	hwloc_topology_set_io_types_filter(t->t, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
	hwloc_topology_set_type_filter(t->t, HWLOC_OBJ_PCI_DEVICE, HWLOC_TYPE_FILTER_KEEP_ALL);
	/* slurmd's own cgroup must not trim what the node has */
	hwloc_topology_set_flags(t->t, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED);
	if ((xml && hwloc_topology_set_xml(t->t, xml)) || hwloc_topology_load(t->t)) {
		snprintf(err, errlen, "hwloc: cannot load %s", xml ? xml : "this machine's topology");
		hwloc_topology_destroy(t->t);
		free(t);
		return NULL;
	}
	return t;
}

void npu_topo_close(npu_topo_t *t)
{
	if (!t)
		return;
	hwloc_topology_destroy(t->t);
	free(t);
}

void npu_topo_all_cpus(npu_topo_t *t, char *out, size_t len)
{
	hwloc_bitmap_list_snprintf(out, len, hwloc_topology_get_topology_cpuset(t->t));
}

int npu_topo_local_cpus(npu_topo_t *t, const char *bdf, char *out, size_t len)
{
	hwloc_obj_t pci = hwloc_get_pcidev_by_busidstring(t->t, bdf), anc;

	out[0] = '\0';
	if (!pci)
		return -1;
	anc = hwloc_get_non_io_ancestor_obj(t->t, pci);
	if (!anc || !anc->cpuset || hwloc_bitmap_iszero(anc->cpuset) ||
	    hwloc_bitmap_isequal(anc->cpuset, hwloc_topology_get_topology_cpuset(t->t)))
		return 0;
	hwloc_bitmap_list_snprintf(out, len, anc->cpuset);
	return 1;
}

int npu_topo_sysfs_cpus(const npu_roots_t *r, const char *bdf, const char *all_cpus, char *out, size_t len)
{
	char rel[128], buf[1024];

	out[0] = '\0';
	snprintf(rel, sizeof(rel), "bus/pci/devices/%.15s/local_cpulist", bdf);
	if (sysfs_read(r->sys, rel, buf, sizeof(buf)))
		return -1;
	if (!buf[0] || (all_cpus && !strcmp(buf, all_cpus)))
		return 0;
	if (strlen(buf) >= len)
		return -1;
	snprintf(out, len, "%s", buf);
	return 1;
}
