/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Intel FPGA (DFL): /sys/class/fpga_region/regionN/dfl-port.M with its
 * device numbers in "dev" and /dev/dfl-port.M. An all-f afu_id means no
 * usable accelerator function is loaded: unhealthy.
 */
#include <stdio.h>
#include <string.h>

#include "detect.h"
#include "sysfs.h"

void npu_scan_dfl(const npu_roots_t *r, npu_scan_t *s)
{
	char *regions[64];
	int nreg = sysfs_list(r->sys, "class/fpga_region", "region", regions, 64);

	for (int i = 0; i < nreg; i++) {
		char rel[192], *ports[8];
		int np;

		snprintf(rel, sizeof(rel), "class/fpga_region/%s", regions[i]);
		np = sysfs_list(r->sys, rel, "dfl-port.", ports, 8);
		for (int k = 0; k < np; k++) {
			char attr[256], afu[64], node[64];
			npu_device_t *d;

			if (!(d = npu_add(s, "dfl")))
				break;
			snprintf(d->type, sizeof(d->type), "dfl");
			snprintf(node, sizeof(node), "%s", ports[k]);
			npu_node(r, d, node);
			snprintf(attr, sizeof(attr), "%s/%s/dev", rel, ports[k]);
			npu_verify_node(r, d, attr, NULL);
			snprintf(attr, sizeof(attr), "%s/%s/afu_id", rel, ports[k]);
			if (sysfs_read(r->sys, attr, afu, sizeof(afu)) || !afu[0] || strspn(afu, "fF") == strlen(afu))
				npu_unhealthy(d, "%s has no accelerator function loaded (afu_id)", ports[k]);
			snprintf(attr, sizeof(attr), "%s/device", rel);
			sysfs_pci_addr(r->sys, attr, d->bdf, sizeof(d->bdf));
			snprintf(d->token, sizeof(d->token), "%s", d->bdf[0] ? d->bdf : ports[k] + 9);
			d->order = ((long)i << 8) | k;
		}
		sysfs_list_free(ports, np);
	}
	sysfs_list_free(regions, nreg);
}
