/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ct_config.h"

#include "cdi/cdi_select.h"
#include "ct_options.h"
#include "errf.h"
#include "ns/site_hook.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int yes_no(const char *v, int *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "1") || !strcmp(v, "true"))
		*out = 1;
	else if (!strcmp(v, "no") || !strcmp(v, "0") || !strcmp(v, "false"))
		*out = 0;
	else
		return -1;
	return 0;
}

/* "64G", "500M", bytes */
int ct_parse_size(const char *v, uint64_t *out)
{
	char *end;
	unsigned long long n;
	int shift = 0;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (end == v || errno || n == 0)
		return -1;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	else if (*end == 'T' || *end == 't')
		shift = 40;
	else if (*end)
		return -1;
	if ((shift && end[1]) || n > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)n << shift;
	return 0;
}

/* "REG=MIRROR,REG=MIRROR": hosts (with an optional port), nothing else */
static int mirrors_valid(const char *v)
{
	const char *p = v;

	while (*p) {
		size_t reg = strcspn(p, "=,"), mir;

		if (!reg || p[reg] != '=')
			return 0;
		p += reg + 1;
		mir = strcspn(p, ",");
		if (!mir)
			return 0;
		for (size_t i = 0; i < mir; i++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]", p[i]))
				return 0;
		p += mir;
		if (*p == ',' && !*++p)
			return 0;
	}
	return 1;
}

int ct_config_mirror(const ct_config_t *cfg, const char *registry, char *out, size_t len)
{
	const char *p = cfg->registry_mirrors;
	size_t rlen = strlen(registry);

	while (*p) {
		size_t reg = strcspn(p, "="), mir = strcspn(p + reg + 1, ",");

		if (((reg == rlen && !strncmp(p, registry, rlen)) ||
		     (img_registry_is_hub(p, reg) && img_registry_is_hub(registry, rlen))) && mir < len) {
			memcpy(out, p + reg + 1, mir);
			out[mir] = '\0';
			return 1;
		}
		p += reg + 1 + mir;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* Checked like --container-mounts, but volumes are the user's business */
static int site_mounts_valid(const char *v, char *why, size_t len)
{
	ct_options_t *o = calloc(1, sizeof(*o));
	int ok;

	if (!o)
		return 0;
	ok = !ct_opt_mounts(o, v, why, len);
	for (size_t i = 0; ok && i < o->nmounts; i++)
		if (o->mounts[i].kind != CT_MOUNT_BIND || o->mounts[i].relative)
			ok = 0, snprintf(why, len, "site_mounts binds absolute host paths: no volumes, tmpfs, umount or "
						   "relative sources");
	free(o);
	return ok;
}

/* 1..max, else 1 with "takes WHAT from 1 to MAX" in why */
static int parse_range(const char *v, unsigned max, unsigned *out, const char *what, char *why, size_t len)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (!*v || *end || errno || v[0] == '-' || n < 1 || n > max) {
		snprintf(why, len, "takes %s from 1 to %u", what, max);
		return 1;
	}
	*out = (unsigned)n;
	return 0;
}

static int parse_count(const char *v, unsigned max, unsigned *out, char *why, size_t len)
{
	return parse_range(v, max, out, "a number of layers", why, len);
}

static int parse_seconds(const char *v, unsigned max, unsigned *out, char *why, size_t len)
{
	return parse_range(v, max, out, "whole seconds", why, len);
}

/* "/a/pmix.%j.%s,...": absolute, each %-sequence one of %j %s %u %n; "" turns the binds off; 1 if so */
static int pmix_dirs_valid(const char *v, char *why, size_t whylen)
{
	for (const char *p = v; *p;) {
		size_t n = strcspn(p, ",");

		if (p[0] != '/' || n < 2) {
			snprintf(why, whylen, "each directory is absolute, e.g. /var/spool/slurmd/pmix.%%j.%%s");
			return 0;
		}
		for (size_t i = 0; i < n; i++)
			if (p[i] == '%' && (i + 1 == n || !strchr("jsun", p[i + 1]))) {
				snprintf(why, whylen, "only %%j (job), %%s (step), %%u (uid) and %%n (node) may be filled in");
				return 0;
			} else if (p[i] == '%') {
				i++;
			}
		p += n + (p[n] == ',');
	}
	return 1;
}

/* "/a:/b": absolute directories, ':'-separated; 1 if so */
static int abs_dir_list(const char *v, char *why, size_t whylen)
{
	for (const char *p = v; *p;) {
		size_t n = strcspn(p, ":");

		if (p[0] != '/' || n == 0) {
			snprintf(why, whylen, "cdi_spec_dirs= takes absolute directories separated by ':'");
			return 0;
		}
		p += n;
		if (*p == ':' && *++p == '\0') {
			snprintf(why, whylen, "cdi_spec_dirs= ends with ':'");
			return 0;
		}
	}
	return v[0] != '\0';
}

int ct_config_parse(ct_config_t *cfg, int ac, char **av, char *err, size_t errlen)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->cache_dir, sizeof(cfg->cache_dir), "%s", "/var/lib/octopus/containers");
	snprintf(cfg->runtime_dir, sizeof(cfg->runtime_dir), "%s", "/run/octopus-container");
	cfg->mount_home = 1;
	cfg->writable = 1;
	cfg->squashfs_images = 1;
	cfg->max_layer_bytes = 64ull << 30;
	cfg->hook_timeout_s = SITE_HOOK_TIMEOUT_DEFAULT;
	snprintf(cfg->cdi_spec_dirs, sizeof(cfg->cdi_spec_dirs), "%s", "/etc/cdi:/var/run/cdi");
	snprintf(cfg->mksquashfs, sizeof(cfg->mksquashfs), "%s", "/usr/bin/mksquashfs");
	snprintf(cfg->podman, sizeof(cfg->podman), "%s", "/usr/bin/podman");
	/* Slurm's: SlurmdSpoolDir/pmix.J.S (Debian's spool) and TmpFS/spmix_appdir_[UID_]J.S */
	snprintf(cfg->pmix_dirs, sizeof(cfg->pmix_dirs), "%s",
		 "/var/spool/slurmd/pmix.%j.%s,/tmp/spmix_appdir_%j.%s,/tmp/spmix_appdir_%u_%j.%s");
	snprintf(cfg->docker, sizeof(cfg->docker), "%s", "/usr/bin/docker");
	cfg->daemon_timeout_s = 600;
	cfg->pull_workers = 4;
#ifdef OCTOPUS_ENTRYPOINT_HELPER
	snprintf(cfg->entrypoint_helper, sizeof(cfg->entrypoint_helper), "%s", OCTOPUS_ENTRYPOINT_HELPER);
#endif
	for (int i = 0; i < ac; i++) {
		const char *eq = strchr(av[i], '=');
		const char *v = eq ? eq + 1 : "";
		size_t k = eq ? (size_t)(eq - av[i]) : strlen(av[i]);
		int bad = 0;
		char why[256] = "";

#define KEY(s) (k == strlen(s) && !strncmp(av[i], s, k))
		if (KEY("cache_dir") && v[0] == '/')
			bad = snprintf(cfg->cache_dir, sizeof(cfg->cache_dir), "%s", v) >= (int)sizeof(cfg->cache_dir);
		else if (KEY("runtime_dir") && v[0] == '/')
			bad = snprintf(cfg->runtime_dir, sizeof(cfg->runtime_dir), "%s", v) >= (int)sizeof(cfg->runtime_dir);
		else if (KEY("hooks_dir") && v[0] == '/')
			bad = snprintf(cfg->hooks_dir, sizeof(cfg->hooks_dir), "%s", v) >= (int)sizeof(cfg->hooks_dir);
		else if (KEY("volume_root") && v[0] == '/')
			bad = snprintf(cfg->volume_root, sizeof(cfg->volume_root), "%s", v) >= (int)sizeof(cfg->volume_root);
		else if (KEY("default_registry") && *v)
			bad = snprintf(cfg->default_registry, sizeof(cfg->default_registry), "%s", v) >=
			      (int)sizeof(cfg->default_registry);
		else if (KEY("allow_registries"))
			bad = snprintf(cfg->allow_registries, sizeof(cfg->allow_registries), "%s", v) >=
			      (int)sizeof(cfg->allow_registries);
		else if (KEY("plain_http_registries"))
			bad = snprintf(cfg->plain_http_registries, sizeof(cfg->plain_http_registries), "%s", v) >=
			      (int)sizeof(cfg->plain_http_registries);
		else if (KEY("registry_mirrors"))
			bad = !mirrors_valid(v) || snprintf(cfg->registry_mirrors, sizeof(cfg->registry_mirrors), "%s", v) >=
							    (int)sizeof(cfg->registry_mirrors);
		else if (KEY("site_mounts"))
			bad = !site_mounts_valid(v, why, sizeof(why)) ||
			      snprintf(cfg->site_mounts, sizeof(cfg->site_mounts), "%s", v) >= (int)sizeof(cfg->site_mounts);
		else if (KEY("entrypoint_helper") && v[0] == '/')
			bad = snprintf(cfg->entrypoint_helper, sizeof(cfg->entrypoint_helper), "%s", v) >=
			      (int)sizeof(cfg->entrypoint_helper);
		else if (KEY("mksquashfs") && v[0] == '/')
			bad = snprintf(cfg->mksquashfs, sizeof(cfg->mksquashfs), "%s", v) >= (int)sizeof(cfg->mksquashfs);
		else if (KEY("podman") && (!v[0] || v[0] == '/'))
			bad = snprintf(cfg->podman, sizeof(cfg->podman), "%s", v) >= (int)sizeof(cfg->podman);
		else if (KEY("docker") && (!v[0] || v[0] == '/'))
			bad = snprintf(cfg->docker, sizeof(cfg->docker), "%s", v) >= (int)sizeof(cfg->docker);
		else if (KEY("pmix_dirs"))
			bad = !pmix_dirs_valid(v, why, sizeof(why)) ||
			      snprintf(cfg->pmix_dirs, sizeof(cfg->pmix_dirs), "%s", v) >= (int)sizeof(cfg->pmix_dirs);
		else if (KEY("pull_workers"))
			bad = parse_count(v, 8, &cfg->pull_workers, why, sizeof(why));
		else if (KEY("daemon_timeout"))
			bad = parse_seconds(v, 86400, &cfg->daemon_timeout_s, why, sizeof(why));
		else if (KEY("entrypoint"))
			bad = yes_no(v, &cfg->entrypoint);
		else if (KEY("cache_max_size"))
			bad = ct_parse_size(v, &cfg->cache_max_bytes);
		else if (KEY("mount_home"))
			bad = yes_no(v, &cfg->mount_home);
		else if (KEY("writable"))
			bad = yes_no(v, &cfg->writable);
		else if (KEY("remap_root"))
			bad = yes_no(v, &cfg->remap_root);
		else if (KEY("workdir") && (!strcmp(v, "image") || !strcmp(v, "submit")))
			cfg->workdir_submit = !strcmp(v, "submit");
		else if (KEY("max_layer_size"))
			bad = ct_parse_size(v, &cfg->max_layer_bytes);
		else if (KEY("squashfs_images"))
			bad = yes_no(v, &cfg->squashfs_images);
		else if (KEY("seccomp") && (!strcmp(v, "default") || !strcmp(v, "none")))
			cfg->seccomp = !strcmp(v, "default");
		else if (KEY("cdi_devices"))
			bad = cdi_map_check(v, why, sizeof(why)) ||
			      snprintf(cfg->cdi_devices, sizeof(cfg->cdi_devices), "%s", v) >= (int)sizeof(cfg->cdi_devices);
		else if (KEY("cdi_spec_dirs"))
			bad = !abs_dir_list(v, why, sizeof(why)) ||
			      snprintf(cfg->cdi_spec_dirs, sizeof(cfg->cdi_spec_dirs), "%s", v) >=
				      (int)sizeof(cfg->cdi_spec_dirs);
		else if (KEY("hook_timeout"))
			bad = parse_seconds(v, SITE_HOOK_TIMEOUT_MAX, &cfg->hook_timeout_s, why, sizeof(why));
		else
			bad = 1;
#undef KEY
		if (bad && why[0])
			return errf(err, errlen, "plugstack.conf argument '%.300s': %s", av[i], why);
		if (bad)
			return errf(err, errlen, "plugstack.conf argument '%.300s' is not valid (keys: cache_dir=/abs "
				    "cache_max_size=SIZE runtime_dir=/abs volume_root=/abs default_registry=HOST "
				    "allow_registries=H1,H2 plain_http_registries=H1,H2 registry_mirrors=REG=MIRROR,... "
				    "site_mounts=SRC:DST[:ro|rw],... mount_home=yes|no writable=yes|no remap_root=yes|no "
				    "workdir=image|submit entrypoint=yes|no "
				    "entrypoint_helper=/abs max_layer_size=SIZE hooks_dir=/abs hook_timeout=SECONDS "
				    "cdi_devices=GRES=vendor.com/class,... cdi_spec_dirs=/abs:/abs seccomp=default|none mksquashfs=/abs squashfs_images=yes|no "
				    "podman=/abs|'' docker=/abs|'' daemon_timeout=SECONDS pull_workers=1..8 pmix_dirs=/abs/%%j.%%s,...)",
				    av[i]);
	}
	return 0;
}
