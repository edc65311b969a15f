/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Intel Gaudi (Habana): /sys/class/accel/accelN whose PCI vendor is 0x1da3,
 * /dev/accel/accelN paired with /dev/accel/accel_controlDN, module_id for
 * HABANA_VISIBLE_MODULES, and a status attribute ("Operational" or not).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "detect.h"
#include "sysfs.h"

static const char *model(unsigned long device)
{
	switch (device) {
	case 0x0001:
		return "goya";
	case 0x1000:
	case 0x1010:
		return "gaudi";
	case 0x1020:
		return "gaudi2";
	default:
		return "gaudi";
	}
}

/* in-tree habanalabs is an accel driver; the out-of-tree build has its own major */
static const char *const drivers[] = { "accel", "habanalabs", NULL };

void npu_scan_habana(const npu_roots_t *r, npu_scan_t *s)
{
	char *names[NPU_MAX_SCAN];
	int n = sysfs_list(r->sys, "class/accel", "accel", names, NPU_MAX_SCAN);

	for (int i = 0; i < n; i++) {
		char rel[192], buf[64], node[64];
		unsigned long vendor, device, module;
		const char *num = names[i] + 5;
		npu_device_t *d;

		snprintf(rel, sizeof(rel), "class/accel/%s/device/vendor", names[i]);
		/* an unreadable vendor is the accel backend's to refuse */
		if (sysfs_read_ulong(r->sys, rel, &vendor) || vendor != 0x1da3 || !isdigit((unsigned char)*num))
			continue;
		if (!(d = npu_add(s, "habana")))
			break;
		snprintf(rel, sizeof(rel), "class/accel/%s/device/device_type", names[i]);
		if (!sysfs_read(r->sys, rel, buf, sizeof(buf)) && buf[0]) {
			for (char *p = buf; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			snprintf(d->type, sizeof(d->type), "%.31s", buf);     /* normalized by npu_detect */
		} else {
			snprintf(rel, sizeof(rel), "class/accel/%s/device/device", names[i]);
			snprintf(d->type, sizeof(d->type), "%s", model(sysfs_read_ulong(r->sys, rel, &device) ? 0 : device));
		}
		snprintf(node, sizeof(node), "accel/%s", names[i]);
		npu_node(r, d, node);
		snprintf(rel, sizeof(rel), "class/accel/%s/dev", names[i]);
		npu_verify_node(r, d, rel, drivers);
		snprintf(node, sizeof(node), "accel/accel_controlD%s", num);
		snprintf(rel, sizeof(rel), "class/accel/accel_controlD%s/dev", num);
		npu_companion_verified(r, d, node, rel, drivers);
		snprintf(rel, sizeof(rel), "class/accel/%s/device", names[i]);
		if (sysfs_pci_addr(r->sys, rel, d->bdf, sizeof(d->bdf))) {
			snprintf(rel, sizeof(rel), "class/accel/%s/device/pci_addr", names[i]);
			sysfs_read(r->sys, rel, d->bdf, sizeof(d->bdf));
		}
		d->order = npu_bdf_order(d->bdf);
		snprintf(rel, sizeof(rel), "class/accel/%s/device/module_id", names[i]);
		if (sysfs_read_ulong(r->sys, rel, &module))
			npu_unhealthy(d, "%s has no module_id", names[i]);
		else
			snprintf(d->token, sizeof(d->token), "%lu", module);
		snprintf(rel, sizeof(rel), "class/accel/%s/device/status", names[i]);
		if (sysfs_read(r->sys, rel, buf, sizeof(buf)))
			npu_unhealthy(d, "%s has no readable status: its health is unknown", names[i]);
		else if (strcmp(buf, "Operational"))
			npu_unhealthy(d, "%s status is '%s'", names[i], buf);
	}
	sysfs_list_free(names, n);
}
