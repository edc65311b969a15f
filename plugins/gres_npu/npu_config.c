/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "npu_config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "errf.h"
#include "kvconf.h"

void npu_config_defaults(npu_config_t *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->roots.sys, sizeof(c->roots.sys), "/sys");
	snprintf(c->roots.dev, sizeof(c->roots.dev), "/dev");
	snprintf(c->roots.proc, sizeof(c->roots.proc), "/proc");
	snprintf(c->npu_backends, sizeof(c->npu_backends), "all");
	snprintf(c->fpga_backends, sizeof(c->fpga_backends), "all");
}

static int set_path(char *dst, size_t len, const char *key, const char *v, unsigned line, char *err, size_t errlen)
{
	if (v[0] != '/' || strstr(v, "/../") || strlen(v) >= len)
		return errf(err, errlen, "line %u: %s=%.100s must be an absolute path without '..' (at most %zu bytes)",
			    line, key, v, len - 1);
	snprintf(dst, len, "%s", v);
	return 0;
}

/* letters and commas only: backend names are checked by detection itself */
static int set_list(char *dst, size_t len, const char *key, const char *v, unsigned line, char *err, size_t errlen)
{
	if (!*v || strspn(v, "abcdefghijklmnopqrstuvwxyz_,") != strlen(v) || strlen(v) >= len)
		return errf(err, errlen, "line %u: %s=%.100s: use all, or backend names separated by commas", line, key, v);
	snprintf(dst, len, "%s", v);
	return 0;
}

int npu_config_parse(const char *text, size_t len, npu_config_t *c, char *err, size_t errlen)
{
	kv_doc_t *doc = NULL;
	kv_error_t kerr;
	int rc = 0;

	npu_config_defaults(c);
	if (kv_parse(text, len, &doc, &kerr))
		return errf(err, errlen, "line %u: %s", kerr.line, kerr.msg);
	for (size_t r = 0; !rc && r < doc->nrecords; r++) {
		const kv_record_t *rec = &doc->records[r];

		for (size_t p = 0; !rc && p < rec->npairs; p++) {
			const char *k = rec->pairs[p].key, *v = rec->pairs[p].value;
			unsigned line = rec->lineno;

			if (!strcasecmp(k, "SysfsRoot"))
				rc = set_path(c->roots.sys, sizeof(c->roots.sys), k, v, line, err, errlen);
			else if (!strcasecmp(k, "DevRoot"))
				rc = set_path(c->roots.dev, sizeof(c->roots.dev), k, v, line, err, errlen);
			else if (!strcasecmp(k, "ProcRoot"))
				rc = set_path(c->roots.proc, sizeof(c->roots.proc), k, v, line, err, errlen);
			else if (!strcasecmp(k, "HwlocXml"))
				rc = set_path(c->hwloc_xml, sizeof(c->hwloc_xml), k, v, line, err, errlen);
			else if (!strcasecmp(k, "NpuBackends"))
				rc = set_list(c->npu_backends, sizeof(c->npu_backends), k, v, line, err, errlen);
			else if (!strcasecmp(k, "FpgaBackends"))
				rc = set_list(c->fpga_backends, sizeof(c->fpga_backends), k, v, line, err, errlen);
			else if (!strcasecmp(k, "ControlDevices") && (!strcasecmp(v, "allow") || !strcasecmp(v, "restrict")))
				c->restrict_control = !strcasecmp(v, "restrict");
			else if (!strcasecmp(k, "ControlDevices"))
				rc = errf(err, errlen, "line %u: ControlDevices=%.64s: use allow or restrict", line, v);
			else
				rc = errf(err, errlen, "line %u: unknown key '%.64s' (keys: SysfsRoot DevRoot ProcRoot HwlocXml "
						       "NpuBackends FpgaBackends ControlDevices)", line, k);
		}
	}
	kv_doc_free(doc);
	if (rc)
		npu_config_defaults(c);
	return rc;
}

int npu_config_load(const char *path, npu_config_t *c, char *err, size_t errlen)
{
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "re");

	if (!f) {
		npu_config_defaults(c);
		return errno == ENOENT ? 0 : errf(err, errlen, "%s: %s", path, strerror(errno));
	}
	n = fread(buf, 1, sizeof(buf), f);
	if (!feof(f)) {
		fclose(f);
		npu_config_defaults(c);
		return errf(err, errlen, "%s: larger than %zu bytes", path, sizeof(buf) - 1);
	}
	fclose(f);
	if (npu_config_parse(buf, n, c, err, errlen)) {
		char why[256];

		snprintf(why, sizeof(why), "%s", err);
		return errf(err, errlen, "%s %s", path, why);
	}
	return 0;
}

void npu_config_env(npu_config_t *c, const char *(*getenv_fn)(const char *))
{
	const char *v;

	if ((v = getenv_fn("OCTOPUS_NPU_SYSFS_ROOT")) && v[0] == '/')
		snprintf(c->roots.sys, sizeof(c->roots.sys), "%s", v);
	if ((v = getenv_fn("OCTOPUS_NPU_DEV_ROOT")) && v[0] == '/')
		snprintf(c->roots.dev, sizeof(c->roots.dev), "%s", v);
	if ((v = getenv_fn("OCTOPUS_NPU_PROC_ROOT")) && v[0] == '/')
		snprintf(c->roots.proc, sizeof(c->roots.proc), "%s", v);
}
