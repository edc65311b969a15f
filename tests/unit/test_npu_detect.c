/* SPDX-License-Identifier: GPL-2.0-or-later */
/* detect/ against fake nodes from tests/fixtures/gres/make-fake-tree
 * ($FAKE_TREE): one scenario per vendor, broken devices, ordering. The
 * generator makes real character devices, so these tests need root; as
 * another user they are skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "detect.h"

static npu_scan_t scan;
static npu_roots_t roots;
static char top[128];

/* A fresh fake node holding specs; the scan of kind with backends list. */
static void node(const char *specs, npu_kind_t kind, const char *list)
{
	char cmd[1024], err[256];
	const char *gen = getenv("FAKE_TREE");

	if (geteuid() != 0 || !gen)
		skip();
	snprintf(top, sizeof(top), "/tmp/npu-detect.XXXXXX");
	assert_non_null(mkdtemp(top));
	snprintf(cmd, sizeof(cmd), "'%s' '%s' %s", gen, top, specs);
	assert_int_equal(system(cmd), 0);
	snprintf(roots.sys, sizeof(roots.sys), "%s/sys", top);
	snprintf(roots.dev, sizeof(roots.dev), "%s/dev", top);
	snprintf(roots.proc, sizeof(roots.proc), "%s/proc", top);
	if (npu_detect(&roots, kind, list, &scan, err, sizeof(err)))
		fail_msg("npu_detect: %s", err);
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	if (top[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
		if (system(cmd))
			return -1;
	}
	top[0] = '\0';
	return 0;
}

/* the path below the fake root */
static const char *rel(const char *path)
{
	size_t n = strlen(top);

	return strncmp(path, top, n) ? path : path + n;
}

static void test_ascend(void **state)
{
	(void)state;
	node("ascend:4:model=d802", NPU_KIND_NPU, "all");
	assert_int_equal(scan.n, 4);
	for (size_t i = 0; i < 4; i++) {
		char want[32];

		snprintf(want, sizeof(want), "/dev/davinci%zu", i);
		assert_string_equal(rel(scan.dev[i].path), want);
		assert_string_equal(scan.dev[i].type, "ascend910b");
		assert_true(scan.dev[i].healthy);
		assert_int_equal(scan.dev[i].ncompanions, 0);
		assert_int_equal(atoi(scan.dev[i].token), (int)i);
	}
	/* every job holding an NPU needs the control nodes */
	assert_int_equal(scan.nshared, 3);
	assert_string_equal(rel(scan.shared[0]), "/dev/davinci_manager");
	assert_string_equal(scan.warnings, "");
}

static void test_ascend_broken(void **state)
{
	(void)state;
	node("ascend:4:model=d500:missing=1:badmajor=3", NPU_KIND_NPU, "ascend");
	assert_int_equal(scan.n, 3);
	assert_string_equal(scan.dev[0].type, "ascend310p");
	assert_string_equal(rel(scan.dev[1].path), "/dev/davinci2");
	assert_true(scan.dev[1].healthy);
	assert_false(scan.dev[2].healthy);
	assert_non_null(strstr(scan.dev[2].why, "but the devdrv-cdev driver has"));
	assert_non_null(strstr(scan.warnings, "4 Ascend NPUs on the PCI bus but 3 /dev/davinci nodes"));
}

static void test_ascend_without_driver(void **state)
{
	char path[256];
	FILE *f;

	(void)state;
	node("ascend:2", NPU_KIND_NPU, "ascend");
	snprintf(path, sizeof(path), "%s/proc/devices", top);
	assert_non_null(f = fopen(path, "w"));
	fputs("Character devices:\n  1 mem\n", f);
	fclose(f);
	npu_detect(&roots, NPU_KIND_NPU, "ascend", &scan, path, sizeof(path));
	assert_int_equal(scan.n, 0);
	assert_int_equal(scan.nshared, 0);
	assert_non_null(strstr(scan.warnings, "no devdrv-cdev driver is loaded"));
}

static void test_habana_and_accel_share_the_class(void **state)
{
	(void)state;
	node("habana:2:sick=1 accel:1", NPU_KIND_NPU, "all");
	assert_int_equal(scan.n, 3);
	assert_string_equal(scan.dev[0].vendor, "habana");
	assert_string_equal(scan.dev[0].type, "gaudi2");
	assert_string_equal(rel(scan.dev[0].path), "/dev/accel/accel0");
	assert_int_equal(scan.dev[0].ncompanions, 1);
	assert_string_equal(rel(scan.dev[0].companions[0]), "/dev/accel/accel_controlD0");
	assert_string_equal(scan.dev[0].bdf, "0000:10:00.0");
	assert_string_equal(scan.dev[0].token, "0");
	assert_true(scan.dev[0].healthy);
	assert_false(scan.dev[1].healthy);
	assert_string_equal(scan.dev[1].why, "accel1 status is 'Needs reset'");
	/* the Intel NPU on the same class goes to the generic backend */
	assert_string_equal(scan.dev[2].vendor, "accel");
	assert_string_equal(scan.dev[2].type, "intel_npu");
	assert_string_equal(rel(scan.dev[2].path), "/dev/accel/accel2");
}

static void test_neuron_cambricon_tenstorrent(void **state)
{
	(void)state;
	node("neuron:2:cores=8 cambricon:2 tenstorrent:3:missing=1", NPU_KIND_NPU, "all");
	assert_int_equal(scan.n, 7);
	assert_string_equal(scan.dev[0].type, "trainium2");
	assert_string_equal(scan.dev[0].token, "8");
	assert_string_equal(rel(scan.dev[1].path), "/dev/neuron1");
	assert_string_equal(scan.dev[2].vendor, "cambricon");
	assert_int_equal(scan.dev[2].ncompanions, 2);
	assert_string_equal(rel(scan.dev[3].companions[1]), "/dev/commu1");
	assert_string_equal(rel(scan.shared[0]), "/dev/cambricon_ctl");
	/* tenstorrent: the PCI address is the token; a missing node is unhealthy */
	assert_string_equal(scan.dev[4].type, "wormhole");
	assert_string_equal(scan.dev[4].token, scan.dev[4].bdf);
	assert_true(scan.dev[4].healthy);
	assert_false(scan.dev[5].healthy);
	assert_non_null(strstr(scan.dev[5].why, "/dev/tenstorrent/1: No such file or directory"));
}

static void test_fpga(void **state)
{
	(void)state;
	node("xilinx:2:model=5004 xilinx:1:vm dfl:2:sick=1", NPU_KIND_FPGA, "all");
	assert_int_equal(scan.n, 5);
	assert_string_equal(scan.dev[0].type, "u250");
	assert_string_equal(rel(scan.dev[0].path), "/dev/dri/renderD128");
	assert_int_equal(scan.dev[0].ncompanions, 1);
	assert_string_equal(rel(scan.dev[0].companions[0]), "/dev/xclmgmt1");
	assert_string_equal(scan.dev[0].token, "0000:10:00.1");
	/* a card in a VM has no management function */
	assert_int_equal(scan.dev[2].ncompanions, 0);
	assert_true(scan.dev[2].healthy);
	assert_string_equal(scan.dev[3].vendor, "dfl");
	assert_true(scan.dev[3].healthy);
	assert_false(scan.dev[4].healthy);
	assert_non_null(strstr(scan.dev[4].why, "no accelerator function loaded"));
	/* npu backends never see FPGAs */
	npu_detect(&roots, NPU_KIND_NPU, "all", &scan, NULL, 0);
	assert_int_equal(scan.n, 0);
}

static void test_backend_names(void **state)
{
	char err[256] = "";

	(void)state;
	assert_int_equal(npu_detect(&roots, NPU_KIND_FPGA, "xilinx,ascend", &scan, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown fpga backend 'ascend' (known: xilinx dfl)");
}

static void test_order_is_stable(void **state)
{
	(void)state;
	node("accel:12", NPU_KIND_NPU, "accel");
	assert_int_equal(scan.n, 12);
	/* accel10 after accel9: numeric, not by name */
	for (size_t i = 0; i < 12; i++) {
		char want[32];

		snprintf(want, sizeof(want), "/dev/accel/accel%zu", i);
		assert_string_equal(rel(scan.dev[i].path), want);
	}
}

/* A corrupt /proc/devices line (negative or out-of-range major) must not
 * become a device number for the cgroup allow list. */
static void test_ascend_corrupt_major(void **state)
{
	static const char *const lines[] = { "-5 devdrv-cdev\n", "4096 devdrv-cdev\n" };
	char path[256];
	FILE *f;

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		node("ascend:2", NPU_KIND_NPU, "ascend");
		snprintf(path, sizeof(path), "%s/proc/devices", top);
		assert_non_null(f = fopen(path, "w"));
		fprintf(f, "Character devices:\n  1 mem\n%s", lines[i]);
		fclose(f);
		npu_detect(&roots, NPU_KIND_NPU, "ascend", &scan, path, sizeof(path));
		assert_int_equal(scan.n, 0);
		assert_non_null(strstr(scan.warnings, "no devdrv-cdev driver is loaded"));
		teardown(NULL);
	}
}


/* run a shell command on the fake tree ($T is its root) */
static void on_tree(const char *sh)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "T='%s'; %s", top, sh);
	assert_int_equal(system(cmd), 0);
}

static void rescan(npu_kind_t kind, const char *list)
{
	char err[256];

	if (npu_detect(&roots, kind, list, &scan, err, sizeof(err)))
		fail_msg("npu_detect: %s", err);
}

static const npu_device_t *by_path(const char *relpath)
{
	for (size_t i = 0; i < scan.n; i++)
		if (!strcmp(rel(scan.dev[i].path), relpath))
			return &scan.dev[i];
	fail_msg("no device %s", relpath);
	return NULL;
}

static void expect_unhealthy(const char *relpath, const char *why_part)
{
	const npu_device_t *d = by_path(relpath);

	if (d->healthy || !strstr(d->why, why_part))
		fail_msg("%s: healthy=%d why='%s', wanted '%s'", relpath, d->healthy, d->why, why_part);
}

/* A node on a major that is not its driver's, in every backend */
static void test_every_backend_checks_the_major(void **state)
{
	(void)state;
	node("habana:2:badmajor=0 neuron:2:badmajor=1 tenstorrent:2:badmajor=0 cambricon:2:badmajor=1 accel:2:badmajor=1",
	     NPU_KIND_NPU, "all");
	expect_unhealthy("/dev/accel/accel0", "sysfs class/accel/accel0/dev says");
	assert_true(by_path("/dev/accel/accel1")->healthy);
	assert_true(by_path("/dev/neuron0")->healthy);
	expect_unhealthy("/dev/neuron1", "says");
	expect_unhealthy("/dev/tenstorrent/0", "says");
	assert_true(by_path("/dev/tenstorrent/1")->healthy);
	assert_true(by_path("/dev/cambricon_dev0")->healthy);
	expect_unhealthy("/dev/cambricon_dev1", "says");
	assert_true(by_path("/dev/accel/accel2")->healthy);
	expect_unhealthy("/dev/accel/accel3", "says");
	teardown(NULL);
	node("xilinx:2:badmajor=0", NPU_KIND_FPGA, "all");
	expect_unhealthy("/dev/dri/renderD128", "says");
	assert_true(by_path("/dev/dri/renderD129")->healthy);
}

/* /dev/accel/accel0 that is really accel1's numbers: sysfs dev disagrees */
static void test_node_with_another_devices_numbers(void **state)
{
	(void)state;
	node("accel:2 habana:2", NPU_KIND_NPU, "all");
	on_tree("cd $T/dev/accel && rm accel0 && mknod -m 666 accel0 c $(cat $T/major) "
		"$(cut -d: -f2 $T/sys/class/accel/accel1/dev)");
	on_tree("cd $T/dev/accel && rm accel_controlD3 && mknod -m 666 accel_controlD3 c 1 3");
	rescan(NPU_KIND_NPU, "all");
	expect_unhealthy("/dev/accel/accel0", "the node is");
	assert_true(by_path("/dev/accel/accel1")->healthy);
	/* its companion points at /dev/null: the Gaudi goes, /dev/null is not its identity */
	expect_unhealthy("/dev/accel/accel3", "companion node /dev/accel/accel_controlD3");
	assert_true(by_path("/dev/accel/accel3")->id_known);
	assert_int_not_equal(by_path("/dev/accel/accel3")->id_major, 1);
}

/* Neuron and Tenstorrent nodes whose driver is not in /proc/devices */
static void test_driver_absent_from_proc_devices(void **state)
{
	(void)state;
	node("neuron:1 tenstorrent:1", NPU_KIND_NPU, "all");
	on_tree("sed -i '/neuron\\|tenstorrent/d' $T/proc/devices");
	rescan(NPU_KIND_NPU, "all");
	expect_unhealthy("/dev/neuron0", "not its driver's in /proc/devices");
	expect_unhealthy("/dev/tenstorrent/0", "not its driver's in /proc/devices");
}

/* Cambricon pairs each node with the function its class link names */
static void test_cambricon_pairs_by_link(void **state)
{
	(void)state;
	/* the first MLU function on the bus has no driver: cambricon_dev0 is the second */
	node("cambricon:3:unbound=0", NPU_KIND_NPU, "cambricon");
	assert_int_equal(scan.n, 2);
	/* functions 0000:10 (unbound), 11, 12 */
	assert_string_equal(by_path("/dev/cambricon_dev0")->bdf, "0000:11:00.0");
	assert_string_equal(by_path("/dev/cambricon_dev1")->bdf, "0000:12:00.0");
}

/* Type names: one spelling in every backend */
static void test_type_names_are_normalized(void **state)
{
	(void)state;
	node("habana:1:type=GAUDI_SEC neuron:1:model=Trainium_2", NPU_KIND_NPU, "all");
	assert_string_equal(by_path("/dev/accel/accel0")->type, "gaudi_sec");
	assert_string_equal(by_path("/dev/neuron0")->type, "trainium_2");
}

/* Unknown health is not health */
static void test_unknown_health_is_unhealthy(void **state)
{
	(void)state;
	node("habana:3:novendor=0:nostatus=1", NPU_KIND_NPU, "all");
	/* no vendor: not the habana backend's, and the accel backend refuses it */
	expect_unhealthy("/dev/accel/accel0", "no readable PCI vendor");
	assert_string_equal(by_path("/dev/accel/accel0")->vendor, "accel");
	expect_unhealthy("/dev/accel/accel1", "no readable status");
	assert_true(by_path("/dev/accel/accel2")->healthy);
	teardown(NULL);
	node("xilinx:2:nouser=1", NPU_KIND_FPGA, "xilinx");
	assert_true(by_path("/dev/dri/renderD128")->healthy);
	expect_unhealthy("/dev/xclmgmt3", "management function without its user function");
	assert_true(by_path("/dev/xclmgmt3")->id_known);
}

/* A FIFO where an attribute should be, and an over-long /proc/devices line */
static void test_hostile_files(void **state)
{
	(void)state;
	node("habana:2 ascend:2", NPU_KIND_NPU, "all");
	on_tree("f=$(readlink -f $T/sys/class/accel/accel0/device)/status; rm $f; mkfifo $f");
	/* a line longer than any buffer, whose tail reads like another driver's major */
	on_tree("sed -i \"s/^Character devices:$/Character devices:\\n  9 $(printf 'a%.0s' $(seq 1 125))$(( $(cat $T/major) + 1 )) devdrv-cdev/\" "
		"$T/proc/devices");
	alarm(20);      /* a blocking open would end the test here */
	rescan(NPU_KIND_NPU, "all");
	alarm(0);
	expect_unhealthy("/dev/accel/accel0", "no readable status");
	assert_true(by_path("/dev/accel/accel1")->healthy);
	assert_true(by_path("/dev/davinci0")->healthy);
	assert_true(by_path("/dev/davinci1")->healthy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_ascend, teardown),
		cmocka_unit_test_teardown(test_ascend_broken, teardown),
		cmocka_unit_test_teardown(test_ascend_without_driver, teardown),
		cmocka_unit_test(test_ascend_corrupt_major),
		cmocka_unit_test_teardown(test_habana_and_accel_share_the_class, teardown),
		cmocka_unit_test_teardown(test_neuron_cambricon_tenstorrent, teardown),
		cmocka_unit_test_teardown(test_fpga, teardown),
		cmocka_unit_test(test_backend_names),
		cmocka_unit_test_teardown(test_order_is_stable, teardown),
		cmocka_unit_test_teardown(test_every_backend_checks_the_major, teardown),
		cmocka_unit_test_teardown(test_node_with_another_devices_numbers, teardown),
		cmocka_unit_test_teardown(test_driver_absent_from_proc_devices, teardown),
		cmocka_unit_test_teardown(test_cambricon_pairs_by_link, teardown),
		cmocka_unit_test_teardown(test_type_names_are_normalized, teardown),
		cmocka_unit_test_teardown(test_unknown_health_is_unhealthy, teardown),
		cmocka_unit_test_teardown(test_hostile_files, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
