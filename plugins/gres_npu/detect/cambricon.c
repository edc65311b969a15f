/*
 * Cambricon MLU: physical functions of vendor 0xcabc with PCI class 0x12,
 * in PCI order, are /dev/cambricon_devN; each has its own ipcm/commu/msg
 * nodes when the driver made them; cambricon_ctl is shared.
 */
#include <stdio.h>

#include "detect.h"
#include "pci.h"

void npu_scan_cambricon(const npu_roots_t *r, npu_scan_t *s)
{
	npu_pci_t pci[NPU_MAX_DEVICES];
	int n = npu_pci_scan(r, 0xcabc, 0x12, pci, NPU_MAX_DEVICES), idx = 0;

	for (int i = 0; i < n; i++) {
		static const char *const own[] = { "cambricon_ipcm", "commu", "cmsg_ctrl" };
		char node[64];
		npu_device_t *d;

		if (pci[i].is_vf)
			continue;
		if (!(d = npu_add(s, "cambricon")))
			break;
		snprintf(d->type, sizeof(d->type), "mlu");
		snprintf(node, sizeof(node), "cambricon_dev%d", idx);
		npu_node(r, d, node);
		for (size_t k = 0; k < sizeof(own) / sizeof(own[0]); k++) {
			snprintf(node, sizeof(node), "%s%d", own[k], idx);
			npu_companion(r, d, node, 0);
		}
		snprintf(d->bdf, sizeof(d->bdf), "%.15s", pci[i].bdf);
		snprintf(d->token, sizeof(d->token), "%d", idx);
		d->order = npu_bdf_order(d->bdf);
		idx++;
	}
	if (idx) {
		npu_shared(r, s, "cambricon_ctl");
		npu_shared(r, s, "cambricon_gdr");
	}
}
