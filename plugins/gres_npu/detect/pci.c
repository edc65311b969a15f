/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pci.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "detect.h"
#include "sysfs.h"

static int by_bdf(const void *a, const void *b)
{
	long x = npu_bdf_order(((const npu_pci_t *)a)->bdf), y = npu_bdf_order(((const npu_pci_t *)b)->bdf);

	return x < y ? -1 : x > y;
}

int npu_pci_scan(const npu_roots_t *r, unsigned long vendor, int class_base, npu_pci_t *out, int max)
{
	char **names = calloc(NPU_MAX_PCI_FUNCTIONS, sizeof(*names));
	int n = names ? sysfs_list(r->sys, "bus/pci/devices", "", names, NPU_MAX_PCI_FUNCTIONS) : -1, k = 0;

	for (int i = 0; i < n && k < max; i++) {
		char rel[192], path[512];
		npu_pci_t *p = &out[k];
		struct stat sb;

		if (npu_bdf_order(names[i]) < 0 || strlen(names[i]) >= sizeof(p->bdf))
			continue;
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s/vendor", names[i]);
		if (sysfs_read_ulong(r->sys, rel, &p->vendor) || p->vendor != vendor)
			continue;
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s/device", names[i]);
		if (sysfs_read_ulong(r->sys, rel, &p->device))
			continue;
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s/class", names[i]);
		if (sysfs_read_ulong(r->sys, rel, &p->class_code))
			p->class_code = 0;
		if (class_base >= 0 && (int)(p->class_code >> 16) != class_base)
			continue;
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/physfn", r->sys, names[i]);
		p->is_vf = lstat(path, &sb) == 0;
		snprintf(p->bdf, sizeof(p->bdf), "%s", names[i]);
		k++;
	}
	sysfs_list_free(names, n);
	free(names);
	qsort(out, (size_t)k, sizeof(*out), by_bdf);
	return k;
}
