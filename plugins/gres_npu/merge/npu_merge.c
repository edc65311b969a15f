/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "npu_merge.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

__attribute__((format(printf, 2, 3)))
static void note(npu_merged_t *out, const char *fmt, ...)
{
	va_list ap;

	if (out->nlog == NPU_MERGE_MAX_LOG) {
		out->nlog_dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(out->log[out->nlog++], sizeof(out->log[0]), fmt, ap);
	va_end(ap);
}

/* The cap comes last, after order and health: the devices kept are the
 * first in detection order, and the rest are named in the log. */
static npu_final_t *add(npu_merged_t *out, const char *path)
{
	npu_final_t *f;

	if (out->n == NPU_MAX_DEVICES) {
		note(out, "%s left out: more than %d usable devices on this node", path, NPU_MAX_DEVICES);
		return NULL;
	}
	f = &out->rec[out->n++];
	memset(f, 0, sizeof(*f));
	return f;
}

/* case-insensitive substring: Type=910b matches ascend910b (gres/gpu's rule) */
static int type_matches(const char *conf, const char *found)
{
	size_t n = strlen(conf), m = strlen(found);

	for (size_t i = 0; n <= m && i + n <= m; i++)
		if (!strncasecmp(found + i, conf, n))
			return 1;
	return 0;
}

static const npu_device_t *find(const npu_scan_t *scan, const char *file)
{
	for (size_t i = 0; i < scan->n; i++)
		if (!strcmp(scan->dev[i].path, file))
			return &scan->dev[i];
	return NULL;
}

static int named(const npu_conf_rec_t *conf, size_t nconf, const char *path)
{
	for (size_t i = 0; i < nconf; i++)
		if (!strcmp(conf[i].file, path))
			return 1;
	return 0;
}

void npu_merge(const npu_conf_rec_t *conf, size_t nconf, const npu_scan_t *scan, npu_merged_t *out)
{
	size_t nfiles = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < nconf; i++)
		nfiles += conf[i].file[0] != '\0';

	if (!nfiles) {
		/* autodetection alone; a Type= line without File= still names the type */
		const char *type = nconf ? conf[0].type : "";

		for (size_t i = 0; i < scan->n; i++) {
			const npu_device_t *d = &scan->dev[i];
			npu_final_t *f;

			if (!d->healthy) {
				note(out, "%s left out: %s", d->path, d->why);
				continue;
			}
			if (type[0] && !type_matches(type, d->type)) {
				note(out, "%s left out: gres.conf says Type=%s, the device is %s", d->path, type, d->type);
				continue;
			}
			if (!(f = add(out, d->path)))
				continue;
			f->dev = *d;
			if (type[0])
				snprintf(f->dev.type, sizeof(f->dev.type), "%s", type);
			if (nconf)
				snprintf(f->cores, sizeof(f->cores), "%s", conf[0].cores);
		}
		return;
	}

	for (size_t i = 0; i < nconf; i++) {
		const npu_conf_rec_t *c = &conf[i];
		const npu_device_t *d;
		npu_final_t *f;

		if (!c->file[0])
			continue;
		for (size_t k = 0; k < i; k++)
			if (!strcmp(conf[k].file, c->file))
				goto next;      /* named twice: once is enough */
		if ((d = find(scan, c->file))) {
			if (!d->healthy) {
				note(out, "%s left out: %s", c->file, d->why);
				continue;
			}
			if (c->type[0] && !type_matches(c->type, d->type)) {
				note(out, "%s left out: gres.conf says Type=%s, the device is %s", c->file, c->type, d->type);
				continue;
			}
			if (!(f = add(out, c->file)))
				continue;
			f->dev = *d;
		} else {
			/* a vendor detection does not know: the admin's word, if the node exists */
			struct stat sb;

			if (stat(c->file, &sb) || !S_ISCHR(sb.st_mode)) {
				note(out, "%s left out: gres.conf names it but it is %s", c->file,
				     stat(c->file, &sb) ? "missing" : "not a character device");
				continue;
			}
			if (!(f = add(out, c->file)))
				continue;
			f->conf_only = 1;
			f->dev.healthy = 1;
			snprintf(f->dev.path, sizeof(f->dev.path), "%s", c->file);
			snprintf(f->dev.vendor, sizeof(f->dev.vendor), "conf");
			f->dev.major = major(sb.st_rdev);
			f->dev.minor = minor(sb.st_rdev);
		}
		if (c->type[0])
			snprintf(f->dev.type, sizeof(f->dev.type), "%s", c->type);
		snprintf(f->cores, sizeof(f->cores), "%s", c->cores);
next:;
	}
	for (size_t i = 0; i < scan->n; i++)
		if (!named(conf, nconf, scan->dev[i].path))
			note(out, "%s found but no File= line names it: not used", scan->dev[i].path);
}
