/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pci - walk sys/bus/pci/devices for one vendor, in PCI order: the backends
 * whose devices are plain PCI functions (Cambricon, Xilinx) start here.
 */
#ifndef OCTOPUS_NPU_PCI_H
#define OCTOPUS_NPU_PCI_H

#include "npu_device.h"

typedef struct {
	char bdf[16];
	unsigned long vendor, device, class_code;
	int is_vf;              /* an SR-IOV virtual function (has physfn) */
} npu_pci_t;

/* Functions of this vendor (class_base < 0: any class), sorted by address;
 * the count, at most max. */
int npu_pci_scan(const npu_roots_t *r, unsigned long vendor, int class_base, npu_pci_t *out, int max);

#endif
