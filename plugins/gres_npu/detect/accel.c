/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The generic Linux accel class (Intel NPU, AMD XDNA, Qualcomm AI100 ...):
 * /sys/class/accel/accelN of any vendor but Habana (its own backend),
 * /dev/accel/accelN.
 */
#include <ctype.h>
#include <stdio.h>

#include "detect.h"
#include "sysfs.h"

static const char *model(unsigned long vendor)
{
	switch (vendor) {
	case 0x8086:
		return "intel_npu";
	case 0x1022:
		return "amd_xdna";
	case 0x17cb:
		return "qaic";
	default:
		return "accel";
	}
}

static const char *const drivers[] = { "accel", NULL };

void npu_scan_accel(const npu_roots_t *r, npu_scan_t *s)
{
	char *names[NPU_MAX_SCAN];
	int n = sysfs_list(r->sys, "class/accel", "accel", names, NPU_MAX_SCAN);

	for (int i = 0; i < n; i++) {
		char rel[192], node[64];
		unsigned long vendor = 0;
		int unknown;
		npu_device_t *d;

		if (!isdigit((unsigned char)names[i][5]))
			continue;
		snprintf(rel, sizeof(rel), "class/accel/%s/device/vendor", names[i]);
		unknown = sysfs_read_ulong(r->sys, rel, &vendor) != 0;
		if (!unknown && vendor == 0x1da3)
			continue;       /* Gaudi: the habana backend */
		if (!(d = npu_add(s, "accel")))
			break;
		snprintf(d->type, sizeof(d->type), "%s", model(vendor));
		snprintf(node, sizeof(node), "accel/%s", names[i]);
		npu_node(r, d, node);
		/* no vendor, no way to tell a Gaudi (which needs its control
		 * node and status) from anything else: not scheduled */
		if (unknown)
			npu_unhealthy(d, "%s has no readable PCI vendor: what it is and its health are unknown", names[i]);
		snprintf(rel, sizeof(rel), "class/accel/%s/dev", names[i]);
		npu_verify_node(r, d, rel, drivers);
		snprintf(rel, sizeof(rel), "class/accel/%s/device", names[i]);
		sysfs_pci_addr(r->sys, rel, d->bdf, sizeof(d->bdf));
		snprintf(d->token, sizeof(d->token), "%s", names[i] + 5);
		d->order = d->bdf[0] ? npu_bdf_order(d->bdf) : d->minor;
	}
	sysfs_list_free(names, n);
}
