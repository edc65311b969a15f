/* SPDX-License-Identifier: GPL-2.0-or-later */
/* npu_topo: device locality from hwloc XML topologies made by
 * tests/fixtures/gres/make-topology ($MAKE_TOPOLOGY), and the sysfs
 * local_cpulist fallback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "npu_topo.h"

static char xml[64];

static npu_topo_t *topology(const char *args)
{
	char cmd[1024], err[256];
	const char *gen = getenv("MAKE_TOPOLOGY");
	npu_topo_t *t;
	int fd;

	if (!gen)
		skip();
	snprintf(xml, sizeof(xml), "/tmp/npu-topo.XXXXXX");
	assert_true((fd = mkstemp(xml)) >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "'%s' '%s' %s", gen, xml, args);
	assert_int_equal(system(cmd), 0);
	if (!(t = npu_topo_open(xml, err, sizeof(err))))
		fail_msg("%s", err);
	return t;
}

static int teardown(void **state)
{
	(void)state;
	if (xml[0])
		unlink(xml);
	xml[0] = '\0';
	return 0;
}

static void local(npu_topo_t *t, const char *bdf, int rc, const char *cpus)
{
	char out[256];

	assert_int_equal(npu_topo_local_cpus(t, bdf, out, sizeof(out)), rc);
	assert_string_equal(out, cpus);
}

static void test_one_numa_node_is_no_locality(void **state)
{
	npu_topo_t *t = topology("1 8 0000:10:00.0@0");
	char all[64];

	(void)state;
	npu_topo_all_cpus(t, all, sizeof(all));
	assert_string_equal(all, "0-7");
	local(t, "0000:10:00.0", 0, "");
	npu_topo_close(t);
}

static void test_two_sockets(void **state)
{
	npu_topo_t *t = topology("2 4 0000:10:00.0@0 0000:81:00.0@1");

	(void)state;
	local(t, "0000:10:00.0", 1, "0-3");
	local(t, "0000:81:00.0", 1, "4-7");
	local(t, "0000:99:00.0", -1, "");       /* not in this topology */
	npu_topo_close(t);
}

static void test_four_numa_nodes(void **state)
{
	npu_topo_t *t = topology("4 2 0000:10:00.0@0 0000:20:00.0@1 0000:30:00.0@2 0000:40:00.0@3");

	(void)state;
	local(t, "0000:10:00.0", 1, "0-1");
	local(t, "0000:20:00.0", 1, "2-3");
	local(t, "0000:30:00.0", 1, "4-5");
	local(t, "0000:40:00.0", 1, "6-7");
	npu_topo_close(t);
}

static void test_device_on_the_machine(void **state)
{
	npu_topo_t *t = topology("2 4 0000:10:00.0@machine 0000:11:00.0@1");

	(void)state;
	local(t, "0000:10:00.0", 0, "");
	local(t, "0000:11:00.0", 1, "4-7");
	npu_topo_close(t);
}

static void test_sysfs_fallback(void **state)
{
	char dir[] = "/tmp/npu-topo-sys.XXXXXX", path[256], out[64];
	npu_roots_t r;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(r.sys, sizeof(r.sys), "%s", dir);
	snprintf(path, sizeof(path), "%s/bus", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/bus/pci", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/bus/pci/devices", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/0000:3b:00.0", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/0000:3b:00.0/local_cpulist", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("8-15,24-31\n", f);
	fclose(f);
	assert_int_equal(npu_topo_sysfs_cpus(&r, "0000:3b:00.0", "0-31", out, sizeof(out)), 1);
	assert_string_equal(out, "8-15,24-31");
	assert_int_equal(npu_topo_sysfs_cpus(&r, "0000:3b:00.0", "8-15,24-31", out, sizeof(out)), 0);
	assert_int_equal(npu_topo_sysfs_cpus(&r, "0000:3c:00.0", "0-31", out, sizeof(out)), -1);
	unlink(path);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_one_numa_node_is_no_locality, teardown),
		cmocka_unit_test_teardown(test_two_sockets, teardown),
		cmocka_unit_test_teardown(test_four_numa_nodes, teardown),
		cmocka_unit_test_teardown(test_device_on_the_machine, teardown),
		cmocka_unit_test(test_sysfs_fallback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
