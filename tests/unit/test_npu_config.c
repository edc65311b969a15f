/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gres_npu.conf: defaults, every key, refusals that name the key and the
 * fix (and keep nothing of a bad file), the test roots from the environment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "npu_config.h"

static npu_config_t c;

static void ok(const char *text)
{
	char err[512];

	if (npu_config_parse(text, strlen(text), &c, err, sizeof(err)))
		fail_msg("'%s' refused: %s", text, err);
}

static void refused(const char *text, const char *needle)
{
	char err[512] = "";

	if (npu_config_parse(text, strlen(text), &c, err, sizeof(err)) != -1)
		fail_msg("'%s' accepted", text);
	if (!strstr(err, needle))
		fail_msg("error for '%s' is '%s', wanted '%s'", text, err, needle);
	/* a broken file leaves the defaults, never half of it */
	assert_string_equal(c.roots.sys, "/sys");
	assert_string_equal(c.npu_backends, "all");
}

static void test_defaults(void **state)
{
	(void)state;
	ok("# nothing but a comment\n");
	assert_string_equal(c.roots.sys, "/sys");
	assert_string_equal(c.roots.dev, "/dev");
	assert_string_equal(c.roots.proc, "/proc");
	assert_string_equal(c.hwloc_xml, "");
	assert_string_equal(c.fpga_backends, "all");
	assert_int_equal(c.restrict_control, 0);
}

static void test_keys(void **state)
{
	(void)state;
	ok("SysfsRoot=/srv/fake/sys DevRoot=/srv/fake/dev\nProcRoot=/srv/fake/proc\n"
	   "HwlocXml=/etc/slurm/topo.xml\nNpuBackends=ascend,habana\nfpgabackends=xilinx\nControlDevices=restrict\n");
	assert_string_equal(c.roots.sys, "/srv/fake/sys");
	assert_string_equal(c.roots.dev, "/srv/fake/dev");
	assert_string_equal(c.roots.proc, "/srv/fake/proc");
	assert_string_equal(c.hwloc_xml, "/etc/slurm/topo.xml");
	assert_string_equal(c.npu_backends, "ascend,habana");
	assert_string_equal(c.fpga_backends, "xilinx");
	assert_int_equal(c.restrict_control, 1);
}

static void test_refusals(void **state)
{
	(void)state;
	refused("SysfsRoot=/sys\nDevRoot=relative\n", "line 2: DevRoot=relative must be an absolute path");
	refused("SysfsRoot=/a/../etc\n", "without '..'");
	refused("NpuBackends=Ascend\n", "NpuBackends=Ascend: use all, or backend names separated by commas");
	refused("ControlDevices=maybe\n", "ControlDevices=maybe: use allow or restrict");
	refused("AutoDetect=npu\n", "unknown key 'AutoDetect' (keys: SysfsRoot");
	refused("SysfsRoot=\"/unterminated\n", "line 1");
}

static const char *fake_env(const char *name)
{
	if (!strcmp(name, "OCTOPUS_NPU_DEV_ROOT"))
		return "/tmp/fake/dev";
	if (!strcmp(name, "OCTOPUS_NPU_SYSFS_ROOT"))
		return "relative/ignored";
	return NULL;
}

static void test_environment(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(npu_config_load("/nonexistent/gres_npu.conf", &c, err, sizeof(err)), 0);
	npu_config_env(&c, fake_env);
	assert_string_equal(c.roots.dev, "/tmp/fake/dev");
	assert_string_equal(c.roots.sys, "/sys");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_environment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
