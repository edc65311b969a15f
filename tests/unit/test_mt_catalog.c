/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mt_catalog.h"

static const char good[] =
	"# test catalog\n"
	"MachineType=a100x1 Gres=gpu:a100:1 CpusPerUnit=8 MemPerUnit=64G Partitions=gpu MaxUnitsPerJob=8 Description=\"one A100\"\n"
	"MachineType=a100x8 Gres=gpu:a100:8 CpusPerUnit=96 MemPerUnit=960000 Partitions=gpu-full,gpu\n"
	"PartitionName=gpu DefaultMachineType=a100x1\n"
	"OnNoGrant=pend\n"
	"OnGrantEnd=reject ExemptUsers=root,slurm\n"
	"GrantIndex=/var/lib/octopus/grants.idx\n";

static mt_catalog_t *parse(const char *text, mt_error_t *err)
{
	return mt_catalog_parse(text, strlen(text), err);
}

static void test_good_catalog(void **state)
{
	mt_error_t err;
	mt_catalog_t *cat = parse(good, &err);
	const mt_partition_t *p;

	if (!cat)
		fail_msg("line %u: %s", err.line, err.msg);
	assert_int_equal(cat->ntypes, 2);
	assert_string_equal(cat->types[0].gres_name, "gpu");
	assert_string_equal(cat->types[0].gres_type, "a100");
	assert_int_equal(cat->types[0].gres_per_unit, 1);
	assert_int_equal(cat->types[0].mem_mb_per_unit, 64 * 1024);
	assert_int_equal(cat->types[0].max_units_per_job, 8);
	assert_string_equal(cat->types[0].description, "one A100");
	assert_int_equal(cat->types[1].mem_mb_per_unit, 960000);
	assert_int_equal(cat->types[1].npartitions, 2);
	assert_int_equal(cat->npartitions, 2);
	p = mt_catalog_find_partition(cat, "gpu");
	assert_non_null(p);
	assert_int_equal(p->default_type, 0);
	assert_int_equal(mt_catalog_find_partition(cat, "gpu-full")->default_type, -1);
	assert_int_equal(cat->on_no_grant, MT_NOGRANT_PEND);
	assert_int_equal(cat->on_grant_end, MT_END_REJECT);
	assert_true(mt_catalog_user_exempt(cat, "slurm"));
	assert_false(mt_catalog_user_exempt(cat, "alice"));
	assert_string_equal(cat->grant_index, "/var/lib/octopus/grants.idx");
	mt_catalog_free(cat);
}

static void test_defaults(void **state)
{
	mt_error_t err;
	mt_catalog_t *cat = parse("MachineType=n1 Gres=npu:910b:1 CpusPerUnit=4 MemPerUnit=1T Partitions=npu\n", &err);

	assert_non_null(cat);
	assert_int_equal(cat->on_no_grant, MT_NOGRANT_REJECT);
	assert_int_equal(cat->on_grant_end, MT_END_DEADLINE);
	assert_true(cat->exempt_operators);
	assert_null(cat->grant_index);
	assert_int_equal(cat->types[0].mem_mb_per_unit, 1024 * 1024);
	mt_catalog_free(cat);
}

/* Each broken input names its line and the key to fix. */
static void expect_error(const char *text, unsigned line, const char *needle)
{
	mt_error_t err;
	mt_catalog_t *cat = parse(text, &err);

	assert_null(cat);
	assert_int_equal(err.line, line);
	if (!strstr(err.msg, needle))
		fail_msg("error '%s' does not mention '%s'", err.msg, needle);
}

#define T1 "MachineType=a Gres=gpu:a100:1 CpusPerUnit=8 MemPerUnit=8G Partitions=gpu\n"

static void test_errors(void **state)
{
	expect_error("", 0, "no MachineType defined");
	expect_error("MachineType=A100 Gres=gpu:a100:1 CpusPerUnit=8 MemPerUnit=8G Partitions=gpu\n", 1, "MachineType='A100'");
	expect_error(T1 "MachineType=b Gres=gpu CpusPerUnit=8 MemPerUnit=8G Partitions=gpu\n", 2, "Gres= must be NAME:TYPE:COUNT");
	expect_error(T1 "MachineType=b Gres=gpu:a100:2 CpusPerUnit=3 MemPerUnit=8G Partitions=gpu\n", 2, "not a multiple");
	expect_error(T1 "MachineType=b Gres=gpu:a100:1 CpusPerUnit=0 MemPerUnit=8G Partitions=gpu\n", 2, "CpusPerUnit=");
	expect_error(T1 "MachineType=b Gres=gpu:a100:1 CpusPerUnit=1 MemPerUnit=8X Partitions=gpu\n", 2, "MemPerUnit=");
	expect_error(T1 "MachineType=b Gres=gpu:a100:1 CpusPerUnit=1 MemPerUnit=8G\n", 2, "Partitions=");
	expect_error(T1 "MachineType=b Gres=gpu:a100:1 CpusPerUnit=1 MemPerUnit=8G Partitions=gpu,,x\n", 2, "Partitions=");
	expect_error(T1 "MachineType=a Gres=gpu:a100:1 CpusPerUnit=1 MemPerUnit=8G Partitions=gpu\n", 2, "defined twice");
	expect_error(T1 "MachineType=b Gres=gpu:a100:1 CpusPerUnit=1 MemPerUnit=8G Partitions=gpu Cpus=4\n", 2, "unknown key 'Cpus'");
	expect_error(T1 "PartitionName=gpu DefaultMachineType=zz\n", 2, "DefaultMachineType=zz is not a MachineType");
	expect_error(T1 "PartitionName=other DefaultMachineType=a\n", 2, "does not list other");
	expect_error(T1 "OnNoGrant=maybe\n", 2, "OnNoGrant=maybe: use reject or pend");
	expect_error(T1 "OnGrantEnd=later\n", 2, "OnGrantEnd=later");
	expect_error(T1 "GrantIndex=relative/path\n", 2, "absolute path");
	expect_error(T1 "OnNoGrant=pend\nOnNoGrant=reject\n", 3, "set twice");
	expect_error(T1 "Colour=blue\n", 2, "unknown key 'Colour'");
	expect_error(T1 "ExemptUsers=a,,b\n", 2, "ExemptUsers");
	expect_error(T1 "MachineType=b Gres=gpu:a100:1 CpusPerUnit=1 MemPerUnit=8G Partitions=gpu Description=\"caf\xe9\"\n",
		     2, "Description= is not valid UTF-8");
}

static void test_names(void **state)
{
	assert_true(mt_valid_name("a100x1"));
	assert_true(mt_valid_name("h100.sxm-80g"));
	assert_false(mt_valid_name(""));
	assert_false(mt_valid_name("A100"));
	assert_false(mt_valid_name("-x"));
	assert_false(mt_valid_name("../etc"));
	assert_false(mt_valid_name("a b"));
	assert_false(mt_valid_name("abcdefghijabcdefghijabcdefghijab"));
}

static void test_describe_and_list(void **state)
{
	mt_error_t err;
	mt_catalog_t *cat = parse(good, &err);
	char buf[4096], list[64], tiny[8];

	assert_non_null(cat);
	mt_catalog_describe(cat, buf, sizeof(buf));
	assert_non_null(strstr(buf, "a100x8"));
	assert_non_null(strstr(buf, "gpu:a100:8"));
	assert_non_null(strstr(buf, "gpu-full,gpu"));
	mt_catalog_type_list(cat, "gpu-full", list, sizeof(list));
	assert_string_equal(list, "a100x8");
	mt_catalog_type_list(cat, NULL, list, sizeof(list));
	assert_string_equal(list, "a100x1, a100x8");
	mt_catalog_type_list(cat, NULL, tiny, sizeof(tiny));
	assert_int_equal(strlen(tiny), 7);
	mt_catalog_free(cat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_catalog),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_describe_and_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
