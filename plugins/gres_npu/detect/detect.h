/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * detect - the node's NPUs or FPGAs, from sysfs, /dev and /proc alone (no
 * vendor library). One backend per vendor; each appends records to the
 * scan. Records come out grouped by vendor and in a stable order within it
 * (PCI address where the device has one, else its minor), so a GRES index
 * names the same device across slurmd restarts.
 */
#ifndef OCTOPUS_NPU_DETECT_H
#define OCTOPUS_NPU_DETECT_H

#include "npu_device.h"

typedef enum { NPU_KIND_NPU, NPU_KIND_FPGA } npu_kind_t;

typedef struct {
	const char *name;
	npu_kind_t kind;
	void (*scan)(const npu_roots_t *r, npu_scan_t *s);
} npu_backend_t;

/* Every backend, npu ones first. */
extern const npu_backend_t npu_backends[];
extern const size_t npu_nbackends;

/* Run the backends of this kind named in list ("all", or "ascend,habana");
 * 0, or -1 with an unknown name in err. */
int npu_detect(const npu_roots_t *r, npu_kind_t kind, const char *list, npu_scan_t *out, char *err, size_t errlen);

/* For backends. */
npu_device_t *npu_add(npu_scan_t *s, const char *vendor);
/* The primary node root/dev/rel; missing or not a char device: unhealthy. */
void npu_node(const npu_roots_t *r, npu_device_t *d, const char *rel);
/* A node of this device only; required ones missing make it unhealthy. */
void npu_companion(const npu_roots_t *r, npu_device_t *d, const char *rel, int required);
/* The primary node must be the device sysfs_dev (its "dev" attribute,
 * relative to the sys root; NULL where the device has none) names, on a
 * major /proc/devices gives one of drivers (NULL-terminated; NULL: any
 * driver). Otherwise, or when either cannot be read, unhealthy. */
void npu_verify_node(const npu_roots_t *r, npu_device_t *d, const char *sys_dev, const char *const *drivers);
/* Record major:minor as the device's confirmed numbers. */
void npu_identity(npu_device_t *d, unsigned major, unsigned minor);
/* A required companion node, verified the same way. */
void npu_companion_verified(const npu_roots_t *r, npu_device_t *d, const char *rel, const char *sys_dev,
			    const char *const *drivers);
/* A control node for all of a vendor's devices, if it exists. */
void npu_shared(const npu_roots_t *r, npu_scan_t *s, const char *rel);
void npu_unhealthy(npu_device_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void npu_warn(npu_scan_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "0000:3b:00.0" as a number for ordering */
long npu_bdf_order(const char *bdf);

/* Backends (one file each). */
void npu_scan_ascend(const npu_roots_t *r, npu_scan_t *s);
void npu_scan_habana(const npu_roots_t *r, npu_scan_t *s);
void npu_scan_neuron(const npu_roots_t *r, npu_scan_t *s);
void npu_scan_cambricon(const npu_roots_t *r, npu_scan_t *s);
void npu_scan_tenstorrent(const npu_roots_t *r, npu_scan_t *s);
void npu_scan_accel(const npu_roots_t *r, npu_scan_t *s);
void npu_scan_xilinx(const npu_roots_t *r, npu_scan_t *s);
void npu_scan_dfl(const npu_roots_t *r, npu_scan_t *s);

#endif
