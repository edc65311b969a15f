/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tenstorrent: /sys/class/tenstorrent/tenstorrent!N with a PCI parent,
 * /dev/tenstorrent/N. TT_VISIBLE_DEVICES takes PCI addresses, which no
 * renumbering can shift, so the token is the address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "sysfs.h"

static const char *model(unsigned long device)
{
	switch (device) {
	case 0xfaca:
		return "grayskull";
	case 0x401e:
		return "wormhole";
	case 0xb140:
		return "blackhole";
	default:
		return "tenstorrent";
	}
}

static const char *const drivers[] = { "tenstorrent", NULL };

void npu_scan_tenstorrent(const npu_roots_t *r, npu_scan_t *s)
{
	char *names[NPU_MAX_SCAN];
	int n = sysfs_list(r->sys, "class/tenstorrent", "tenstorrent!", names, NPU_MAX_SCAN);

	for (int i = 0; i < n; i++) {
		char rel[192], node[64], *end;
		unsigned long device = 0;
		long id = strtol(names[i] + 12, &end, 10);
		npu_device_t *d;

		if (end == names[i] + 12 || *end || id < 0)
			continue;
		if (!(d = npu_add(s, "tenstorrent")))
			break;
		snprintf(rel, sizeof(rel), "class/tenstorrent/%s/device/device", names[i]);
		sysfs_read_ulong(r->sys, rel, &device);
		snprintf(d->type, sizeof(d->type), "%s", model(device));
		snprintf(node, sizeof(node), "tenstorrent/%ld", id);
		npu_node(r, d, node);
		snprintf(rel, sizeof(rel), "class/tenstorrent/%s/dev", names[i]);
		npu_verify_node(r, d, rel, drivers);
		snprintf(rel, sizeof(rel), "class/tenstorrent/%s/device", names[i]);
		if (sysfs_pci_addr(r->sys, rel, d->bdf, sizeof(d->bdf)))
			npu_unhealthy(d, "%s has no PCI device", names[i]);
		snprintf(d->token, sizeof(d->token), "%s", d->bdf);
		d->order = npu_bdf_order(d->bdf);
	}
	sysfs_list_free(names, n);
}
