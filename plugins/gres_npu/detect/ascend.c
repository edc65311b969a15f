/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Huawei Ascend: /dev/davinciN (N = the physical id), driver devdrv-cdev in
 * /proc/devices, control nodes davinci_manager, devmm_svm, hisi_hdc (and
 * dvpp_cmdlist) shared by all. The nodes are virtual -- no sysfs PCI link --
 * so the type comes from the PCI device ids of Huawei accelerators present.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "sysfs.h"

static const struct {
	unsigned long id;
	const char *type;
} models[] = {
	{ 0xd100, "ascend310" }, { 0xd105, "ascend310b" }, { 0xd500, "ascend310p" },
	{ 0xd801, "ascend910" }, { 0xd802, "ascend910b" }, { 0xd803, "ascend910_93" },
};

/* 0x19e5 is Huawei's NICs too: only these device ids are NPUs. The model
 * of the first one, and how many there are. */
static const char *model_on_bus(const npu_roots_t *r, int *count)
{
	char **names = calloc(NPU_MAX_PCI_FUNCTIONS, sizeof(*names));
	const char *type = "ascend";
	int n = names ? sysfs_list(r->sys, "bus/pci/devices", "", names, NPU_MAX_PCI_FUNCTIONS) : -1;

	*count = 0;
	for (int i = 0; i < n; i++) {
		char rel[128];
		unsigned long vendor, device;

		snprintf(rel, sizeof(rel), "bus/pci/devices/%s/vendor", names[i]);
		if (sysfs_read_ulong(r->sys, rel, &vendor) || vendor != 0x19e5)
			continue;
		snprintf(rel, sizeof(rel), "bus/pci/devices/%s/device", names[i]);
		if (sysfs_read_ulong(r->sys, rel, &device))
			continue;
		for (size_t k = 0; k < sizeof(models) / sizeof(models[0]); k++)
			if (models[k].id == device) {
				if (!(*count)++)
					type = models[k].type;
			}
	}
	sysfs_list_free(names, n);
	free(names);
	return type;
}

void npu_scan_ascend(const npu_roots_t *r, npu_scan_t *s)
{
	char *names[NPU_MAX_SCAN];
	int major = sysfs_driver_major(r->proc, "devdrv-cdev");
	int n = sysfs_list(r->dev, "", "davinci", names, NPU_MAX_SCAN);
	const char *type = NULL;
	int on_bus = 0, found = 0;

	for (int i = 0; i < n; i++) {
		char *end;
		long id = strtol(names[i] + 7, &end, 10);
		npu_device_t *d;

		if (end == names[i] + 7 || *end || id < 0)
			continue;       /* davinci_manager and friends */
		if (major < 0) {
			npu_warn(s, "/dev/%s exists but no devdrv-cdev driver is loaded: Ascend devices ignored", names[i]);
			break;
		}
		if (!type)
			type = model_on_bus(r, &on_bus);
		if (!(d = npu_add(s, "ascend")))
			break;
		snprintf(d->type, sizeof(d->type), "%s", type);
		npu_node(r, d, names[i]);
		if (d->healthy && d->major != (unsigned)major)
			npu_unhealthy(d, "%s has major %u but the devdrv-cdev driver has %d", d->path, d->major, major);
		else if (d->healthy)
			npu_identity(d, d->major, d->minor);
		snprintf(d->token, sizeof(d->token), "%ld", id);
		d->order = id;
		found++;
	}
	sysfs_list_free(names, n);
	if (found && on_bus > found)
		npu_warn(s, "%d Ascend NPUs on the PCI bus but %d /dev/davinci nodes: a device is missing", on_bus, found);
	if (s->n && major >= 0) {
		npu_shared(r, s, "davinci_manager");
		npu_shared(r, s, "devmm_svm");
		npu_shared(r, s, "hisi_hdc");
		npu_shared(r, s, "dvpp_cmdlist");
	}
}
