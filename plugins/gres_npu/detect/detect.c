/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "detect.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs.h"

const npu_backend_t npu_backends[] = {
	{ "ascend", NPU_KIND_NPU, npu_scan_ascend },
	{ "habana", NPU_KIND_NPU, npu_scan_habana },
	{ "neuron", NPU_KIND_NPU, npu_scan_neuron },
	{ "cambricon", NPU_KIND_NPU, npu_scan_cambricon },
	{ "tenstorrent", NPU_KIND_NPU, npu_scan_tenstorrent },
	{ "accel", NPU_KIND_NPU, npu_scan_accel },
	{ "xilinx", NPU_KIND_FPGA, npu_scan_xilinx },
	{ "dfl", NPU_KIND_FPGA, npu_scan_dfl },
};
const size_t npu_nbackends = sizeof(npu_backends) / sizeof(npu_backends[0]);

npu_device_t *npu_add(npu_scan_t *s, const char *vendor)
{
	npu_device_t *d;

	if (s->n == NPU_MAX_SCAN) {
		npu_warn(s, "more than %d devices: the rest are ignored", NPU_MAX_SCAN);
		return NULL;
	}
	d = &s->dev[s->n++];
	memset(d, 0, sizeof(*d));
	snprintf(d->vendor, sizeof(d->vendor), "%s", vendor);
	d->healthy = 1;
	return d;
}

void npu_unhealthy(npu_device_t *d, const char *fmt, ...)
{
	va_list ap;

	if (!d->healthy)
		return;         /* the first reason is the one that matters */
	d->healthy = 0;
	va_start(ap, fmt);
	vsnprintf(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
}

void npu_warn(npu_scan_t *s, const char *fmt, ...)
{
	size_t n = strlen(s->warnings);
	va_list ap;

	if (n + 3 >= sizeof(s->warnings))
		return;
	if (n)
		n += (size_t)snprintf(s->warnings + n, sizeof(s->warnings) - n, "; ");
	va_start(ap, fmt);
	vsnprintf(s->warnings + n, sizeof(s->warnings) - n, fmt, ap);
	va_end(ap);
}

/* root/dev/rel as the node will be named to Slurm ("" if too long: never matches) */
static void dev_path(const npu_roots_t *r, const char *rel, char *out, size_t len)
{
	int n = snprintf(out, len, "%s%s%s", strcmp(r->dev, "/") ? r->dev : "", rel[0] == '/' ? "" : "/", rel);

	if (n < 0 || (size_t)n >= len)
		out[0] = '\0';
}

void npu_node(const npu_roots_t *r, npu_device_t *d, const char *rel)
{
	dev_path(r, rel, d->path, sizeof(d->path));
	if (sysfs_chardev(r->dev, rel, &d->major, &d->minor))
		npu_unhealthy(d, "%s: %s", d->path, errno == ENODEV ? "not a character device" : strerror(errno));
}

/*
 * Is major:minor the device sysfs describes at sys_dev ("M:m"), and is
 * its major one of drivers' in /proc/devices (NULL: some driver's)? A
 * node on another device's numbers would hand that device to whoever
 * holds this one. 0, or -1 with why.
 */
static int is_the_device(const npu_roots_t *r, unsigned ma, unsigned mi, const char *sys_dev,
			 const char *const *drivers, npu_device_t *d, char *why, size_t len)
{
	unsigned sma, smi;
	int owned;

	if (sys_dev && d && !sysfs_read_devnum(r->sys, sys_dev, &sma, &smi)) {
		d->id_known = 1;
		d->id_major = sma;
		d->id_minor = smi;
	}
	if (sys_dev) {
		if (sysfs_read_devnum(r->sys, sys_dev, &sma, &smi)) {
			snprintf(why, len, "its identity is unknown (no readable %s)", sys_dev);
			return -1;
		}
		if (sma != ma || smi != mi) {
			snprintf(why, len, "the node is %u:%u but sysfs %s says %u:%u", ma, mi, sys_dev, sma, smi);
			return -1;
		}
	}
	if ((owned = sysfs_major_owned_by(r->proc, ma, drivers)) != 1) {
		snprintf(why, len, owned < 0 ? "its driver is unknown (no readable /proc/devices)"
					     : "major %u is not its driver's in /proc/devices (%s%s)",
			 ma, drivers ? "expected " : "no driver has it", drivers ? drivers[0] : "");
		return -1;
	}
	return 0;
}

void npu_verify_node(const npu_roots_t *r, npu_device_t *d, const char *sys_dev, const char *const *drivers)
{
	char why[96];

	if (!d->path[0] || d->major == 0)
		return;         /* no node: npu_node said so */
	if (is_the_device(r, d->major, d->minor, sys_dev, drivers, d, why, sizeof(why)))
		npu_unhealthy(d, "%s: %s", d->path, why);
	else
		npu_identity(d, d->major, d->minor);
}

void npu_identity(npu_device_t *d, unsigned major, unsigned minor)
{
	d->id_known = 1;
	d->id_major = major;
	d->id_minor = minor;
}

void npu_companion_verified(const npu_roots_t *r, npu_device_t *d, const char *rel, const char *sys_dev,
			    const char *const *drivers)
{
	unsigned ma, mi;
	char why[96];

	if (sysfs_chardev(r->dev, rel, &ma, &mi)) {
		npu_unhealthy(d, "its companion node /dev/%s is missing", rel);
		return;
	}
	if (is_the_device(r, ma, mi, sys_dev, drivers, NULL, why, sizeof(why))) {
		npu_unhealthy(d, "its companion node /dev/%s: %s", rel, why);
		return;
	}
	npu_companion(r, d, rel, 1);
	if (d->ncompanions)
		d->companion_ok[d->ncompanions - 1] = 1;
}

void npu_companion(const npu_roots_t *r, npu_device_t *d, const char *rel, int required)
{
	unsigned ma, mi;

	if (sysfs_chardev(r->dev, rel, &ma, &mi)) {
		if (required)
			npu_unhealthy(d, "its companion node /dev/%s is missing", rel);
		return;
	}
	if (d->ncompanions < NPU_MAX_COMPANIONS) {
		dev_path(r, rel, d->companions[d->ncompanions], NPU_PATH_MAX);
		d->ncompanions++;
	}
}

void npu_shared(const npu_roots_t *r, npu_scan_t *s, const char *rel)
{
	unsigned ma, mi;
	char path[NPU_PATH_MAX];

	if (sysfs_chardev(r->dev, rel, &ma, &mi) || s->nshared == NPU_MAX_SHARED)
		return;
	dev_path(r, rel, path, sizeof(path));
	for (size_t i = 0; i < s->nshared; i++)
		if (!strcmp(s->shared[i], path))
			return;
	snprintf(s->shared[s->nshared++], NPU_PATH_MAX, "%s", path);
}

long npu_bdf_order(const char *bdf)
{
	unsigned dom, bus, dev, fn;

	if (sscanf(bdf, "%4x:%2x:%2x.%1x", &dom, &bus, &dev, &fn) != 4)
		return -1;
	return ((long)dom << 16) | (long)(bus << 8) | (long)(dev << 3) | (long)fn;
}

static int listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	if (!strcmp(list, "all"))
		return 1;
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");

		if (len == n && !strncmp(p, name, n))
			return 1;
		p += len + (p[len] == ',');
	}
	return 0;
}

/* One spelling for every backend: "GAUDI SEC" and "Trainium 2" become
 * gaudi_sec and trainium_2, names gres.conf and --gres can carry. */
static void normalize_type(char *t)
{
	size_t w = 0;

	for (size_t i = 0; t[i]; i++) {
		char c = isalnum((unsigned char)t[i]) ? (char)tolower((unsigned char)t[i]) : '_';

		if (c == '_' && (!w || t[w - 1] == '_'))
			continue;
		t[w++] = c;
	}
	while (w && t[w - 1] == '_')
		w--;
	t[w] = '\0';
}

static int by_order(const void *a, const void *b)
{
	const npu_device_t *x = a, *y = b;

	return x->order < y->order ? -1 : x->order > y->order;
}

int npu_detect(const npu_roots_t *r, npu_kind_t kind, const char *list, npu_scan_t *out, char *err, size_t errlen)
{
	/* every name in the list must be a backend of this kind */
	for (const char *p = list; strcmp(list, "all") && *p;) {
		size_t len = strcspn(p, ","), i;

		for (i = 0; i < npu_nbackends; i++)
			if (npu_backends[i].kind == kind && strlen(npu_backends[i].name) == len &&
			    !strncmp(npu_backends[i].name, p, len))
				break;
		if (i == npu_nbackends) {
			snprintf(err, errlen, "unknown %s backend '%.*s' (known:%s%s%s%s%s%s)",
				 kind == NPU_KIND_NPU ? "npu" : "fpga", (int)(len > 32 ? 32 : len), p,
				 kind == NPU_KIND_NPU ? " ascend habana neuron" : "",
				 kind == NPU_KIND_NPU ? " cambricon tenstorrent" : "", kind == NPU_KIND_NPU ? " accel" : "",
				 kind == NPU_KIND_FPGA ? " xilinx" : "", kind == NPU_KIND_FPGA ? " dfl" : "", "");
			return -1;
		}
		p += len + (p[len] == ',');
	}
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < npu_nbackends; i++) {
		size_t first = out->n;

		if (npu_backends[i].kind != kind || !listed(list, npu_backends[i].name))
			continue;
		npu_backends[i].scan(r, out);
		for (size_t k = first; k < out->n; k++) {
			normalize_type(out->dev[k].type);
			if (!out->dev[k].type[0])
				snprintf(out->dev[k].type, sizeof(out->dev[k].type), "%s", npu_backends[i].name);
		}
		/* stable within the vendor, vendors in the table's order */
		qsort(out->dev + first, out->n - first, sizeof(out->dev[0]), by_order);
	}
	return 0;
}
