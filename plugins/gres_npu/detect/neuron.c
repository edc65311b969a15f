/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * AWS Inferentia/Trainium: /sys/devices/virtual/neuron_device/neuronN (no
 * PCI link; index order is not PCI order), /dev/neuronN, the architecture
 * name in info/architecture/device_name and NeuronCores per device in
 * core_count (the token: NEURON_RT_VISIBLE_CORES is built from it).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "sysfs.h"

static const char *const drivers[] = { "neuron", NULL };

void npu_scan_neuron(const npu_roots_t *r, npu_scan_t *s)
{
	char *names[NPU_MAX_SCAN];
	int n = sysfs_list(r->sys, "devices/virtual/neuron_device", "neuron", names, NPU_MAX_SCAN);

	for (int i = 0; i < n; i++) {
		char rel[192], buf[64], *end;
		unsigned long cores;
		long id = strtol(names[i] + 6, &end, 10);
		npu_device_t *d;

		if (end == names[i] + 6 || *end)
			continue;
		if (!(d = npu_add(s, "neuron")))
			break;
		snprintf(rel, sizeof(rel), "devices/virtual/neuron_device/%s/info/architecture/device_name", names[i]);
		if (sysfs_read(r->sys, rel, buf, sizeof(buf)) || !buf[0])
			snprintf(buf, sizeof(buf), "neuron");
		snprintf(d->type, sizeof(d->type), "%.31s", buf);     /* normalized by npu_detect */
		npu_node(r, d, names[i]);
		snprintf(rel, sizeof(rel), "devices/virtual/neuron_device/%s/dev", names[i]);
		npu_verify_node(r, d, rel, drivers);
		snprintf(rel, sizeof(rel), "devices/virtual/neuron_device/%s/core_count", names[i]);
		if (sysfs_read_ulong(r->sys, rel, &cores) || !cores || cores > 64)
			npu_unhealthy(d, "%s has no usable core_count", names[i]);
		else
			snprintf(d->token, sizeof(d->token), "%lu", cores);
		d->order = id;
	}
	sysfs_list_free(names, n);
}
