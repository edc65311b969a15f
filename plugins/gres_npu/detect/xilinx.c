/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * AMD/Xilinx Alveo (XRT): a card is a user physical function (user_pf
 * present; its DRM render node /dev/dri/renderD*) and, on bare metal, a
 * management function (mgmt_pf; /dev/xclmgmt<instance>) in the same slot.
 * The user PF's address is the token (the FPGA BDF list in the job).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "detect.h"
#include "pci.h"
#include "sysfs.h"

/* management PF id, and the user PF's (the one scanned) one above it */
static const char *model(unsigned long device)
{
	switch (device) {
	case 0x5000:
	case 0x5001:
		return "u200";
	case 0x5004:
	case 0x5005:
		return "u250";
	case 0x500c:
	case 0x500d:
		return "u280";
	case 0x5020:
	case 0x5021:
		return "u50";
	case 0x505c:
	case 0x505d:
		return "u55c";
	default:
		return "alveo";
	}
}

static int has(const npu_roots_t *r, const char *bdf, const char *attr)
{
	char path[640];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%.15s/%s", r->sys, bdf, attr);
	return stat(path, &sb) == 0;
}

static const char *const drm[] = { "drm", NULL };
static const char *const xclmgmt[] = { "xclmgmt", NULL };

/* A management function whose slot has no user function: the card is not
 * schedulable, and its xclmgmt node must be denied like any left-out one. */
static void orphan_mgmt(const npu_roots_t *r, npu_scan_t *s, const npu_pci_t *pci, int n, int k)
{
	char rel[192], node[64];
	unsigned long inst;
	npu_device_t *d;

	for (int i = 0; i < n; i++)
		if (i != k && !strncmp(pci[i].bdf, pci[k].bdf, 10) && has(r, pci[i].bdf, "user_pf"))
			return;
	if (!(d = npu_add(s, "xilinx")))
		return;
	snprintf(d->type, sizeof(d->type), "%s", model(pci[k].device));
	snprintf(d->bdf, sizeof(d->bdf), "%.15s", pci[k].bdf);
	d->order = npu_bdf_order(d->bdf);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%.15s/instance", pci[k].bdf);
	if (!sysfs_read_ulong(r->sys, rel, &inst)) {
		snprintf(node, sizeof(node), "xclmgmt%lu", inst);
		npu_node(r, d, node);
		npu_verify_node(r, d, NULL, xclmgmt);
	} else {
		snprintf(d->path, sizeof(d->path), "%.15s", pci[k].bdf);   /* for the log only */
	}
	npu_unhealthy(d, "%.15s is an Alveo management function without its user function (is the xocl driver loaded?)",
		      pci[k].bdf);
}

void npu_scan_xilinx(const npu_roots_t *r, npu_scan_t *s)
{
	npu_pci_t pci[NPU_MAX_SCAN];
	int n = npu_pci_scan(r, 0x10ee, -1, pci, NPU_MAX_SCAN);

	for (int i = 0; i < n; i++) {
		char rel[192], *render[4], node[64];
		int nr;
		npu_device_t *d;

		if (!has(r, pci[i].bdf, "user_pf")) {
			if (has(r, pci[i].bdf, "mgmt_pf"))
				orphan_mgmt(r, s, pci, n, i);
			continue;
		}
		if (!(d = npu_add(s, "xilinx")))
			break;
		snprintf(d->type, sizeof(d->type), "%s", model(pci[i].device));
		snprintf(d->bdf, sizeof(d->bdf), "%.15s", pci[i].bdf);
		snprintf(d->token, sizeof(d->token), "%.15s", pci[i].bdf);
		d->order = npu_bdf_order(d->bdf);
		snprintf(rel, sizeof(rel), "bus/pci/devices/%.15s/drm", pci[i].bdf);
		nr = sysfs_list(r->sys, rel, "renderD", render, 4);
		if (nr <= 0) {
			npu_unhealthy(d, "%.15s has no DRM render node (is the xocl driver loaded?)", pci[i].bdf);
			npu_node(r, d, "dri/renderD");
		} else {
			snprintf(node, sizeof(node), "dri/%s", render[0]);
			npu_node(r, d, node);
			snprintf(rel, sizeof(rel), "bus/pci/devices/%.15s/drm/%s/dev", pci[i].bdf, render[0]);
			npu_verify_node(r, d, rel, drm);
		}
		sysfs_list_free(render, nr);
		/* the management function of the same slot, if this is not a VM */
		for (int k = 0; k < n; k++) {
			unsigned long inst;

			if (k == i || strncmp(pci[k].bdf, pci[i].bdf, 10) || !has(r, pci[k].bdf, "mgmt_pf"))
				continue;
			snprintf(rel, sizeof(rel), "bus/pci/devices/%.15s/instance", pci[k].bdf);
			if (!sysfs_read_ulong(r->sys, rel, &inst)) {
				snprintf(node, sizeof(node), "xclmgmt%lu", inst);
				npu_companion_verified(r, d, node, NULL, xclmgmt);
			}
		}
	}
}
