/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cambricon MLU: /sys/class/cambricon/cambricon_devN is /dev/cambricon_devN;
 * its device link names the PCI function (vendor 0xcabc, class 0x12, not a
 * VF). Pairing by the link, not by rank on the bus: a function the driver
 * did not bind would shift every later card onto the wrong node. Each card
 * has its own ipcm/commu/msg nodes when the driver made them; cambricon_ctl
 * is shared.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "detect.h"
#include "sysfs.h"

/* the PCI function behind class/cambricon/NAME: 0, or -1 with why */
static int mlu_function(const npu_roots_t *r, const char *name, npu_device_t *d, char *why, size_t len)
{
	char rel[192], path[640];
	unsigned long vendor, class_code;
	struct stat sb;

	snprintf(rel, sizeof(rel), "class/cambricon/%s/device", name);
	if (sysfs_pci_addr(r->sys, rel, d->bdf, sizeof(d->bdf))) {
		snprintf(why, len, "%s has no PCI device link", name);
		return -1;
	}
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/vendor", d->bdf);
	if (sysfs_read_ulong(r->sys, rel, &vendor) || vendor != 0xcabc) {
		snprintf(why, len, "%s links to %s, which is not a Cambricon function", name, d->bdf);
		return -1;
	}
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/class", d->bdf);
	if (sysfs_read_ulong(r->sys, rel, &class_code) || (class_code >> 16) != 0x12) {
		snprintf(why, len, "%s links to %s, which is not an accelerator function", name, d->bdf);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/physfn", r->sys, d->bdf);
	if (!lstat(path, &sb)) {
		snprintf(why, len, "%s is a virtual function", name);
		return -1;
	}
	return 0;
}

void npu_scan_cambricon(const npu_roots_t *r, npu_scan_t *s)
{
	static const char *const own[] = { "cambricon_ipcm", "commu", "cmsg_ctrl" };
	char *names[NPU_MAX_SCAN];
	int n = sysfs_list(r->sys, "class/cambricon", "cambricon_dev", names, NPU_MAX_SCAN), found = 0;

	for (int i = 0; i < n; i++) {
		const char *num = names[i] + 13;
		char node[64], rel[192], why[128];
		npu_device_t *d;
		char *end;
		long id = strtol(num, &end, 10);

		if (!isdigit((unsigned char)*num) || *end || id < 0)
			continue;
		if (!(d = npu_add(s, "cambricon")))
			break;
		snprintf(d->type, sizeof(d->type), "mlu");
		npu_node(r, d, names[i]);
		snprintf(rel, sizeof(rel), "class/cambricon/%s/dev", names[i]);
		npu_verify_node(r, d, rel, NULL);
		if (mlu_function(r, names[i], d, why, sizeof(why)))
			npu_unhealthy(d, "%s", why);
		for (size_t k = 0; k < sizeof(own) / sizeof(own[0]); k++) {
			snprintf(node, sizeof(node), "%s%ld", own[k], id);
			npu_companion(r, d, node, 0);
		}
		snprintf(d->token, sizeof(d->token), "%ld", id);
		d->order = d->bdf[0] ? npu_bdf_order(d->bdf) : id;
		found++;
	}
	sysfs_list_free(names, n);
	if (found) {
		npu_shared(r, s, "cambricon_ctl");
		npu_shared(r, s, "cambricon_gdr");
	}
}
