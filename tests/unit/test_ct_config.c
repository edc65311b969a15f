/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ct_config.h"

static ct_config_t cfg;

static int parse(const char *arg, char *err, size_t len)
{
	char *av[] = { (char *)arg };

	return ct_config_parse(&cfg, 1, av, err, len);
}

static void ok(const char *arg)
{
	char err[1024];

	if (parse(arg, err, sizeof(err)))
		fail_msg("'%s' refused: %s", arg, err);
}

static void refused(const char *arg, const char *needle)
{
	char err[1024] = "";

	if (parse(arg, err, sizeof(err)) != -1)
		fail_msg("'%s' accepted", arg);
	if (!strstr(err, needle))
		fail_msg("error for '%s' is '%s', wanted '%s'", arg, err, needle);
}

static void test_defaults(void **state)
{
	(void)state;
	assert_int_equal(ct_config_parse(&cfg, 0, NULL, NULL, 0), 0);
	assert_string_equal(cfg.cache_dir, "/var/lib/octopus/containers");
	assert_int_equal(cfg.entrypoint, 0);            /* off unless asked */
	assert_int_equal(cfg.cache_max_bytes, 0);       /* no automatic collection */
	assert_int_equal(cfg.max_layer_bytes, 64ull << 30);
}

static void test_mirrors(void **state)
{
	char m[64];

	(void)state;
	ok("registry_mirrors=docker.io=mirror.site:5000,ghcr.io=10.0.0.5");
	assert_int_equal(ct_config_mirror(&cfg, "docker.io", m, sizeof(m)), 1);
	assert_string_equal(m, "mirror.site:5000");
	assert_int_equal(ct_config_mirror(&cfg, "ghcr.io", m, sizeof(m)), 1);
	assert_string_equal(m, "10.0.0.5");
	assert_int_equal(ct_config_mirror(&cfg, "docker", m, sizeof(m)), 0);     /* whole names only */
	assert_int_equal(ct_config_mirror(&cfg, "quay.io", m, sizeof(m)), 0);
	/* Docker Hub by any of its names */
	assert_int_equal(ct_config_mirror(&cfg, "registry-1.docker.io", m, sizeof(m)), 1);
	assert_string_equal(m, "mirror.site:5000");
	refused("registry_mirrors=docker.io", "registry_mirrors=docker.io");
	refused("registry_mirrors=docker.io=", "not valid");
	refused("registry_mirrors=docker.io=a/b", "not valid");
	refused("registry_mirrors=docker.io=m,", "not valid");
}

static void test_site_mounts(void **state)
{
	(void)state;
	ok("site_mounts=/opt/apps:/opt/apps:ro,/scratch");
	assert_string_equal(cfg.site_mounts, "/opt/apps:/opt/apps:ro,/scratch");
	refused("site_mounts=vol:x:/x", "site_mounts binds absolute host paths: no volumes");
	refused("site_mounts=tmpfs:/x", "site_mounts binds absolute host paths");
	refused("site_mounts=./apps:/apps", "site_mounts binds absolute host paths");
	ok("site_mounts=/opt/apps:/apps:ro+nodev");
	refused("site_mounts=rel:/x", "must be an absolute path");
	refused("site_mounts=/a/../etc:/etc", "'..'");
}

static void test_other_keys(void **state)
{
	(void)state;
	ok("entrypoint=yes");
	assert_int_equal(cfg.entrypoint, 1);
	ok("cache_max_size=20G");
	assert_int_equal(cfg.cache_max_bytes, 20ull << 30);
	ok("entrypoint_helper=/opt/octopus/libexec/octopus-entrypoint");
	assert_string_equal(cfg.entrypoint_helper, "/opt/octopus/libexec/octopus-entrypoint");
	refused("entrypoint_helper=relative", "entrypoint_helper=/abs");
	refused("entrypoint=maybe", "entrypoint=yes|no");
	refused("cache_max_size=0", "cache_max_size=SIZE");
	refused("no_such_key=1", "no_such_key");
}

static void test_cdi_keys(void **state)
{
	(void)state;
	ok("cdi_devices=gpu=nvidia.com/gpu");
	assert_string_equal(cfg.cdi_devices, "gpu=nvidia.com/gpu");
	assert_string_equal(cfg.cdi_spec_dirs, "/etc/cdi:/var/run/cdi");   /* the CDI spec's default */
	ok("cdi_spec_dirs=/opt/cdi:/run/cdi");
	assert_string_equal(cfg.cdi_spec_dirs, "/opt/cdi:/run/cdi");
	refused("cdi_devices=gpu:nvidia.com/gpu", "'gpu:nvidia.com/gpu' is not GRES=vendor.com/class");
	refused("cdi_devices=gpu=nvidia", "is not GRES=vendor.com/class");
	refused("cdi_spec_dirs=/etc/cdi:relative", "absolute directories");
	refused("cdi_spec_dirs=/etc/cdi:", "ends with ':'");
	assert_int_equal(cfg.seccomp, 0);       /* optional: off unless the site says */
	ok("seccomp=default");
	assert_int_equal(cfg.seccomp, 1);
	ok("seccomp=none");
	assert_int_equal(cfg.seccomp, 0);
	refused("seccomp=strict", "seccomp=default|none");
	assert_int_equal(cfg.squashfs_images, 1);
	ok("squashfs_images=no");
	assert_int_equal(cfg.squashfs_images, 0);
}

/* the keys this session added: local daemons, parallel pulls, PMIx directories */
static void test_import_and_mpi_keys(void **state)
{
	(void)state;
	ok("cache_dir=/var/lib/x");
	assert_string_equal(cfg.podman, "/usr/bin/podman");
	assert_string_equal(cfg.docker, "/usr/bin/docker");
	assert_int_equal(cfg.daemon_timeout_s, 600);
	assert_int_equal(cfg.pull_workers, 4);
	assert_string_equal(cfg.pmix_dirs, "/var/spool/slurmd/pmix.%j.%s,/tmp/spmix_appdir_%j.%s,/tmp/spmix_appdir_%u_%j.%s");
	ok("podman=");
	assert_string_equal(cfg.podman, "");    /* refused per step, with the key named */
	ok("docker=/opt/docker/bin/docker");
	assert_string_equal(cfg.docker, "/opt/docker/bin/docker");
	refused("podman=podman", "is not valid");
	ok("daemon_timeout=30");
	assert_int_equal(cfg.daemon_timeout_s, 30);
	refused("daemon_timeout=0", "whole seconds from 1 to 86400");
	refused("daemon_timeout=86401", "whole seconds from 1 to 86400");
	ok("pull_workers=1");
	assert_int_equal(cfg.pull_workers, 1);
	ok("pull_workers=8");
	refused("pull_workers=9", "from 1 to 8");
	refused("pull_workers=two", "from 1 to 8");
	ok("pmix_dirs=/srv/spool/%n/pmix.%j.%s,/scratch/spmix_appdir_%u_%j.%s");
	assert_string_equal(cfg.pmix_dirs, "/srv/spool/%n/pmix.%j.%s,/scratch/spmix_appdir_%u_%j.%s");
	ok("pmix_dirs=");
	assert_string_equal(cfg.pmix_dirs, "");
	refused("pmix_dirs=spool/pmix.%j.%s", "absolute");
	refused("pmix_dirs=/spool/pmix.%x", "only %j (job), %s (step), %u (uid) and %n (node)");
	refused("pmix_dirs=/spool/pmix.%", "only %j");
	refused("pmix_dirs=/a,,/b", "absolute");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_mirrors),
		cmocka_unit_test(test_site_mounts),
		cmocka_unit_test(test_other_keys),
		cmocka_unit_test(test_cdi_keys),
		cmocka_unit_test(test_import_and_mpi_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
