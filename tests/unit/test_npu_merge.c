/* SPDX-License-Identifier: GPL-2.0-or-later */
/* npu_merge: gres.conf against detection -- autodetect alone, Type filters,
 * File lines, unhealthy and missing devices leaving whole records, devices
 * detection does not know. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "npu_merge.h"

static npu_scan_t scan;
static npu_merged_t out;

static void device(const char *vendor, const char *type, const char *path, int healthy)
{
	npu_device_t *d = &scan.dev[scan.n++];

	memset(d, 0, sizeof(*d));
	snprintf(d->vendor, sizeof(d->vendor), "%s", vendor);
	snprintf(d->type, sizeof(d->type), "%s", type);
	snprintf(d->path, sizeof(d->path), "%s", path);
	d->healthy = healthy;
	if (!healthy)
		snprintf(d->why, sizeof(d->why), "status is 'Needs reset'");
}

static int setup(void **state)
{
	(void)state;
	memset(&scan, 0, sizeof(scan));
	device("ascend", "ascend910b", "/dev/davinci0", 1);
	device("ascend", "ascend910b", "/dev/davinci1", 1);
	device("ascend", "ascend910b", "/dev/davinci2", 0);
	device("ascend", "ascend910b", "/dev/davinci3", 1);
	return 0;
}

static const char *paths(void)
{
	static char buf[1024];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < out.n; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s:%s", i ? " " : "", out.rec[i].dev.path,
				      out.rec[i].dev.type);
	return buf;
}

static void test_autodetect_alone(void **state)
{
	(void)state;
	npu_merge(NULL, 0, &scan, &out);
	assert_string_equal(paths(), "/dev/davinci0:ascend910b /dev/davinci1:ascend910b /dev/davinci3:ascend910b");
	assert_int_equal(out.nlog, 1);
	assert_string_equal(out.log[0], "/dev/davinci2 left out: status is 'Needs reset'");
}

static void test_type_without_files(void **state)
{
	npu_conf_rec_t c[] = { { "910B", "", "0-15" } };
	npu_conf_rec_t wrong[] = { { "310p", "", "" } };

	(void)state;
	npu_merge(c, 1, &scan, &out);
	/* the admin's name for the type is what jobs ask for */
	assert_string_equal(paths(), "/dev/davinci0:910B /dev/davinci1:910B /dev/davinci3:910B");
	assert_string_equal(out.rec[0].cores, "0-15");
	npu_merge(wrong, 1, &scan, &out);
	assert_int_equal(out.n, 0);
	assert_string_equal(out.log[0], "/dev/davinci0 left out: gres.conf says Type=310p, the device is ascend910b");
}

static void test_file_lines(void **state)
{
	npu_conf_rec_t c[] = {
		{ "910b", "/dev/davinci0", "0-7" },
		{ "910b", "/dev/davinci1", "0-7" },
		{ "910b", "/dev/davinci2", "8-15" },     /* unhealthy: the whole record goes */
		{ "910b", "/dev/davinci1", "0-7" },      /* named twice */
	};

	(void)state;
	npu_merge(c, 4, &scan, &out);
	assert_string_equal(paths(), "/dev/davinci0:910b /dev/davinci1:910b");
	assert_string_equal(out.rec[1].cores, "0-7");
	assert_int_equal(out.nlog, 2);
	assert_string_equal(out.log[0], "/dev/davinci2 left out: status is 'Needs reset'");
	/* davinci3 was found, but only the listed devices are used */
	assert_string_equal(out.log[1], "/dev/davinci3 found but no File= line names it: not used");
}

static void test_devices_detection_does_not_know(void **state)
{
	npu_conf_rec_t c[] = {
		{ "", "/dev/davinci0", "" },
		{ "vendorx", "/dev/null", "" },          /* a character device: kept on the admin's word */
		{ "vendorx", "/dev/octopus-missing9", "" },
		{ "vendorx", "/etc/hostname", "" },
	};

	(void)state;
	npu_merge(c, 4, &scan, &out);
	assert_string_equal(paths(), "/dev/davinci0:ascend910b /dev/null:vendorx");
	assert_true(out.rec[1].conf_only);
	assert_int_equal(out.rec[1].dev.major, 1);
	assert_int_equal(out.rec[1].dev.minor, 3);
	assert_string_equal(out.log[0], "/dev/octopus-missing9 left out: gres.conf names it but it is missing");
	assert_string_equal(out.log[1], "/etc/hostname left out: gres.conf names it but it is not a character device");
}

/* The 128 cap comes after health: unhealthy devices early in the order do
 * not push healthy ones out, and what the cap leaves out is logged. */
static void test_cap_applies_last_and_is_logged(void **state)
{
	char path[32];

	(void)state;
	memset(&scan, 0, sizeof(scan));
	for (int i = 0; i < NPU_MAX_DEVICES + 10; i++) {
		snprintf(path, sizeof(path), "/dev/accel/accel%d", i);
		device("accel", "intel_npu", path, i >= 5);   /* the first five are sick */
	}
	npu_merge(NULL, 0, &scan, &out);
	assert_int_equal(out.n, NPU_MAX_DEVICES);
	assert_string_equal(out.rec[0].dev.path, "/dev/accel/accel5");
	assert_string_equal(out.rec[NPU_MAX_DEVICES - 1].dev.path, "/dev/accel/accel132");
	assert_int_equal(out.nlog, 10);
	assert_string_equal(out.log[5], "/dev/accel/accel133 left out: more than 128 usable devices on this node");
	assert_string_equal(out.log[9], "/dev/accel/accel137 left out: more than 128 usable devices on this node");
	assert_int_equal(out.nlog_dropped, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_autodetect_alone, setup),
		cmocka_unit_test_setup(test_type_without_files, setup),
		cmocka_unit_test_setup(test_file_lines, setup),
		cmocka_unit_test_setup(test_devices_detection_does_not_know, setup),
		cmocka_unit_test(test_cap_applies_last_and_is_logged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
