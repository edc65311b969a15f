/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "mt_request.h"

static const char catalog[] =
	"MachineType=a100x1 Gres=gpu:a100:1 CpusPerUnit=8 MemPerUnit=64G Partitions=gpu MaxUnitsPerJob=4\n"
	"MachineType=a100x4 Gres=gpu:a100:4 CpusPerUnit=32 MemPerUnit=256G Partitions=gpu,gpu-full\n"
	"MachineType=v100x1 Gres=gpu:v100:1 CpusPerUnit=4 MemPerUnit=32G Partitions=gpu\n"
	"MachineType=npu1 Gres=npu:910b:1 CpusPerUnit=16 MemPerUnit=128G Partitions=npu\n"
	"PartitionName=gpu DefaultMachineType=a100x1\n";

static int setup(void **state)
{
	mt_error_t err;

	*state = mt_catalog_parse(catalog, strlen(catalog), &err);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	mt_catalog_free(*state);
	return 0;
}

static mt_request_t req(const char *partition)
{
	mt_request_t r;

	memset(&r, 0, sizeof(r));
	r.partition = partition;
	return r;
}

static void decide(void **state, const mt_request_t *r, mt_decision_t *d)
{
	mt_request_normalize(*state, r, d);
}

static void expect_shaped(void **state, const mt_request_t *r, const char *type, uint32_t units, mt_decision_t *d)
{
	const mt_catalog_t *cat = *state;

	decide(state, r, d);
	if (d->verdict != MT_SHAPED)
		fail_msg("expected %s x%u, got verdict %d: %s", type, units, d->verdict, d->msg);
	assert_string_equal(cat->types[d->type].name, type);
	assert_int_equal(d->units, units);
}

static void expect_reject(void **state, const mt_request_t *r, const char *needle)
{
	mt_decision_t d;

	decide(state, r, &d);
	assert_int_equal(d.verdict, MT_REJECT);
	if (!strstr(d.msg, needle))
		fail_msg("message '%s' does not mention '%s'", d.msg, needle);
}

static void test_untyped_gpus_get_partition_default(void **state)
{
	mt_request_t r = req("gpu");
	mt_decision_t d;

	r.tres_per_job = "gres:gpu:2";
	expect_shaped(state, &r, "a100x1", 2, &d);
	assert_string_equal(d.tres_per_job, "gres:gpu:a100:2");
	assert_string_equal(d.cpus_per_tres, "gres:gpu:8");
	assert_string_equal(d.mem_per_tres, "gres:gpu:65536");
	assert_string_equal(d.licenses, "mt_a100x1:2");
	assert_false(d.clear_mem);
	assert_false(d.set_partition);
}

static void test_every_form(void **state)
{
	mt_request_t r = req("gpu");
	mt_decision_t d;

	r.tres_per_node = "gres:gpu:v100:2";     /* --gres, 3 nodes */
	r.min_nodes = r.max_nodes = 3;
	expect_shaped(state, &r, "v100x1", 6, &d);
	assert_string_equal(d.tres_per_node, "gres:gpu:v100:2");
	assert_string_equal(d.tres_per_job, "");

	r = req("gpu");
	r.tres_per_task = "gres:gpu:1";
	r.num_tasks = 3;
	expect_shaped(state, &r, "a100x1", 3, &d);
	assert_string_equal(d.tres_per_task, "gres:gpu:a100:1");

	r = req("gpu");
	r.tres_per_socket = "gres:gpu:a100:1";
	r.sockets_per_node = 2;
	r.min_nodes = 2;
	expect_shaped(state, &r, "a100x1", 4, &d);
	assert_string_equal(d.tres_per_socket, "gres:gpu:a100:1");

	r = req("gpu");
	r.tres_per_node = "gres:gpu";            /* --gres=gpu: one per node */
	expect_shaped(state, &r, "a100x1", 1, &d);

	r = req("gpu");
	r.tres_per_node = "gres/gpu:a100:4";     /* slurmrestd spelling */
	r.machine_type = "a100x4";
	expect_shaped(state, &r, "a100x4", 1, &d);
}

static void test_other_tres_are_kept(void **state)
{
	mt_request_t r = req("gpu");
	mt_decision_t d;

	r.tres_per_node = "gres:mps:100,gres:gpu:1,gres:shard:2";
	r.licenses = "matlab:1";
	expect_shaped(state, &r, "a100x1", 1, &d);
	assert_string_equal(d.tres_per_node, "gres:mps:100,gres:shard:2,gres:gpu:a100:1");
	assert_string_equal(d.licenses, "matlab:1,mt_a100x1:1");
}

static void test_machine_type_option(void **state)
{
	mt_request_t r = req("debug");
	mt_decision_t d;

	/* no GPU request, no partition given: the type decides both */
	r.partition_implicit = 1;
	r.machine_type = "a100x4:2";
	expect_shaped(state, &r, "a100x4", 2, &d);
	assert_true(d.set_partition);
	assert_string_equal(d.partition, "gpu,gpu-full");
	assert_string_equal(d.tres_per_job, "gres:gpu:a100:8");
	assert_string_equal(d.cpus_per_tres, "gres:gpu:8");

	r = req("debug");
	r.machine_type = "a100x1";
	expect_reject(state, &r, "runs in partition(s) gpu, not in debug");

	r = req("gpu");
	r.machine_type = "a100x1:2";
	r.tres_per_job = "gres:gpu:3";
	expect_reject(state, &r, "asks for 2 unit(s) but the --gpus request gives 3");

	r = req("npu");
	r.tres_per_job = "gres:npu:2";
	expect_shaped(state, &r, "npu1", 2, &d);
	assert_string_equal(d.cpus_per_tres, "gres:npu:16");
}

static void test_pass_through(void **state)
{
	mt_request_t r = req("debug");
	mt_decision_t d;

	r.tres_per_job = "gres:gpu:1";           /* GPUs outside policy partitions */
	decide(state, &r, &d);
	assert_int_equal(d.verdict, MT_PASS);
	r.tres_per_job = NULL;
	decide(state, &r, &d);
	assert_int_equal(d.verdict, MT_PASS);
}

static void test_rejections(void **state)
{
	mt_request_t r = req("gpu");
	mt_decision_t d;

	r.machine_type = "h100";
	expect_reject(state, &r, "unknown machine type 'h100'; valid types: a100x1, a100x4, v100x1, npu1");
	r.machine_type = "../../x";
	expect_reject(state, &r, "is not a machine type name");
	r.machine_type = "a100x1:0";
	expect_reject(state, &r, "unit count");

	r = req("gpu");
	r.tres_per_job = "gres:gpu:a100:3";
	r.machine_type = "a100x4";
	expect_reject(state, &r, "comes in units of 4 gpu; the job asks for 3");

	r = req("gpu");
	r.tres_per_job = "gres:gpu:5";
	expect_reject(state, &r, "at most 4 unit(s) per job");

	/* one kind in two forms, as Slurm allows: both kept, typed */
	r = req("gpu");
	r.tres_per_job = "gres:gpu:2";
	r.tres_per_node = "gres:gpu:1";
	r.min_nodes = r.max_nodes = 2;
	expect_shaped(state, &r, "a100x1", 2, &d);
	assert_string_equal(d.tres_per_job, "gres:gpu:a100:2");
	assert_string_equal(d.tres_per_node, "gres:gpu:a100:1");

	r = req("gpu");
	r.tres_per_job = "gres:gpu:a100:1";
	r.tres_per_node = "gres:gpu:v100:1";
	expect_reject(state, &r, "one accelerator kind");

	r = req("gpu");
	r.tres_per_node = "gres:gpu:a100:1,gres:gpu:v100:1";
	expect_reject(state, &r, "one accelerator kind");

	r = req("gpu");
	r.tres_per_job = "gres:gpu:h100:1";
	expect_reject(state, &r, "no machine type in partition gpu offers gpu:h100");

	r = req("gpu");
	r.tres_per_job = "gres:gpu:a100:2k";
	expect_reject(state, &r, "cannot read the accelerator request");

	r = req("gpu");
	r.tres_per_node = "gres:gpu:1";
	r.min_nodes = 1;
	r.max_nodes = 4;
	expect_reject(state, &r, "no fixed unit count");

	r = req("gpu");
	r.tres_per_task = "gres:gpu:1";
	expect_reject(state, &r, "needs -n/--ntasks");

	r = req("gpu");
	r.tres_per_socket = "gres:gpu:1";
	expect_reject(state, &r, "needs --sockets-per-node");

	r = req("gpu");
	r.tres_per_job = "gres:gpu:0";
	expect_reject(state, &r, "asks for 0 gpu");

	r = req("gpu");
	r.licenses = "foo:1,mt_a100x1:1";
	expect_reject(state, &r, "mt_* licenses are set by the machine-type policy");

	r = req("gpu-full");
	expect_reject(state, &r, "partition gpu-full runs machine types only: add --machine-type=TYPE (valid: a100x4)");

	r = req("gpu,debug");
	r.machine_type = "a100x1";
	expect_reject(state, &r, "not in gpu,debug");

	r = req("gpu");
	r.tres_per_job = "gres:gpu:1";
	r.min_cpus = 9;
	expect_reject(state, &r, "asks for 9 CPUs but 1 unit(s) of a100x1 give 8");

	r = req("gpu");
	r.tres_per_job = "gres:gpu:1";
	r.mem_per_node_mb = 70000;
	expect_reject(state, &r, "MB of memory");
}

/* What a plain job (no accelerator, no unit count) on a policy partition becomes */
static void test_plain_jobs_take_units_from_what_they_ask(void **state)
{
	mt_request_t r = req("gpu");
	mt_decision_t d;

	expect_shaped(state, &r, "a100x1", 1, &d);
	assert_string_equal(d.tres_per_job, "gres:gpu:a100:1");

	r = req("gpu");         /* sbatch -N3: one unit on each node */
	r.min_nodes = r.max_nodes = 3;
	r.min_cpus = 3;
	expect_shaped(state, &r, "a100x1", 3, &d);
	assert_string_equal(d.tres_per_node, "gres:gpu:a100:1");
	assert_string_equal(d.tres_per_job, "");

	r = req("gpu");         /* srun -n10: enough units for its CPUs */
	r.num_tasks = 10;
	r.min_cpus = 10;
	expect_shaped(state, &r, "a100x1", 2, &d);
	assert_string_equal(d.tres_per_job, "gres:gpu:a100:2");

	r = req("gpu");         /* -N2 -n20: spread evenly */
	r.min_nodes = r.max_nodes = 2;
	r.min_cpus = 20;
	expect_shaped(state, &r, "a100x1", 4, &d);
	assert_string_equal(d.tres_per_node, "gres:gpu:a100:2");

	r = req("gpu");
	r.min_nodes = 2;
	r.max_nodes = 4;
	decide(state, &r, &d);
	assert_int_equal(d.verdict, MT_REJECT);
	assert_int_equal(d.err, MT_ERR_CONFIG);
	assert_non_null(strstr(d.msg, "node range"));

	r = req("gpu");         /* more CPUs than MaxUnitsPerJob can give */
	r.min_cpus = 40;
	expect_reject(state, &r, "at most 4 unit(s) per job");
}

/* The job's own CPU and memory values stay when they fit its units */
static void test_explicit_cpus_and_memory(void **state)
{
	mt_request_t r = req("gpu");
	mt_decision_t d;

	r.tres_per_job = "gres:gpu:1";
	r.cpus_per_tres = "gres:gpu:2";                 /* --cpus-per-gpu=2 */
	expect_shaped(state, &r, "a100x1", 1, &d);
	assert_string_equal(d.cpus_per_tres, "gres:gpu:2");
	r.cpus_per_tres = "gres:gpu:9";
	decide(state, &r, &d);
	assert_int_equal(d.verdict, MT_REJECT);
	assert_int_equal(d.err, MT_ERR_CONFIG);
	assert_non_null(strstr(d.msg, "gives 8 CPU(s) per gpu; the job asks --cpus-per-gpu=9"));

	r = req("gpu");
	r.tres_per_job = "gres:gpu:1";
	r.mem_per_node_mb = 13;                         /* --mem=13: kept, no per-GPU memory */
	expect_shaped(state, &r, "a100x1", 1, &d);
	assert_false(d.clear_mem);
	assert_string_equal(d.mem_per_tres, "");
	r.mem_per_node_mb = 999999;
	decide(state, &r, &d);
	assert_int_equal(d.verdict, MT_REJECT);
	assert_int_equal(d.err, MT_ERR_MEMORY);

	r = req("gpu");
	r.tres_per_job = "gres:gpu:1";
	r.mem_per_tres = "gres:gpu:1000";               /* --mem-per-gpu=1000 */
	expect_shaped(state, &r, "a100x1", 1, &d);
	assert_string_equal(d.mem_per_tres, "gres:gpu:1000");
	r.mem_per_tres = "gres:gpu:100000";
	decide(state, &r, &d);
	assert_int_equal(d.err, MT_ERR_MEMORY);

	r = req("gpu");
	r.tres_per_job = "gres:gpu:1";
	r.mem_per_cpu_mb = 4096;                        /* --mem-per-cpu: a100x1 has 8192 MB per CPU */
	expect_shaped(state, &r, "a100x1", 1, &d);
	assert_string_equal(d.mem_per_tres, "");
	r.mem_per_cpu_mb = 9000;
	decide(state, &r, &d);
	assert_int_equal(d.verdict, MT_REJECT);
	assert_int_equal(d.err, MT_ERR_MEMORY);
}

static void test_license_helpers(void **state)
{
	char out[64];

	assert_true(mt_licenses_name_machine_type("a:1,mt_x:2"));
	assert_true(mt_licenses_name_machine_type("a|mt_x"));
	assert_false(mt_licenses_name_machine_type("a:1,xmt_x:2"));
	assert_false(mt_licenses_name_machine_type(NULL));
	mt_licenses_strip("mt_a100x1:2,matlab:1,mt_v:1,ansys", out, sizeof(out));
	assert_string_equal(out, "matlab:1,ansys");
	mt_licenses_strip("mt_a100x1:2", out, sizeof(out));
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_untyped_gpus_get_partition_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_form, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_tres_are_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_machine_type_option, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pass_through, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plain_jobs_take_units_from_what_they_ask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_explicit_cpus_and_memory, setup, teardown),
		cmocka_unit_test(test_license_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
