/* SPDX-License-Identifier: GPL-2.0-or-later */
/* npu_env: golden variables for each vendor, job/step/prolog, local and
 * global numbering, neuron core ranges, nothing allocated (50 cases). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "npu_env.h"

static npu_vars_t out;

/* "NAME=value NAME=value" of what was built, in order */
static const char *show(void)
{
	static char buf[8192];
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < out.n; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s=%s", i ? " " : "", out.v[i].name, out.v[i].value);
	return buf;
}

static void expect(const char *gres, npu_env_level_t level, int local, const npu_env_dev_t *d, size_t n,
		   const char *want)
{
	assert_int_equal(npu_env_build(gres, level, local, d, n, &out), 0);
	assert_string_equal(show(), want);
}

/* an 8-NPU Ascend node: GRES index = davinci number */
static const npu_env_dev_t ascend[] = {
	{ "ascend", "0", 0, 0 }, { "ascend", "1", 1, 1 }, { "ascend", "2", 2, 2 }, { "ascend", "3", 3, 3 },
	{ "ascend", "4", 4, 4 }, { "ascend", "5", 5, 5 }, { "ascend", "6", 6, 6 }, { "ascend", "7", 7, 7 },
};

static void test_ascend(void **state)
{
	const npu_env_dev_t two[] = { ascend[5], ascend[2] };

	(void)state;
	expect("npu", NPU_ENV_JOB, 1, two, 2,
	       "SLURM_JOB_NPUS=2,5 SLURM_NPUS_ON_NODE=2 ASCEND_RT_VISIBLE_DEVICES=0,1 ASCEND_VISIBLE_DEVICES=2,5");
	expect("npu", NPU_ENV_STEP, 1, two, 2,
	       "SLURM_STEP_NPUS=2,5 SLURM_NPUS_ON_NODE=2 ASCEND_RT_VISIBLE_DEVICES=0,1 ASCEND_VISIBLE_DEVICES=2,5");
	/* without ConstrainDevices the runtime sees every NPU: the node's numbers */
	expect("npu", NPU_ENV_STEP, 0, two, 2,
	       "SLURM_STEP_NPUS=2,5 SLURM_NPUS_ON_NODE=2 ASCEND_RT_VISIBLE_DEVICES=2,5 ASCEND_VISIBLE_DEVICES=2,5");
	/* prolog/epilog are outside the cgroup: always the node's numbers */
	expect("npu", NPU_ENV_PROLOG, 1, two, 2,
	       "SLURM_JOB_NPUS=2,5 SLURM_NPUS_ON_NODE=2 ASCEND_RT_VISIBLE_DEVICES=2,5 ASCEND_VISIBLE_DEVICES=2,5");
	expect("npu", NPU_ENV_JOB, 1, ascend, 8,
	       "SLURM_JOB_NPUS=0,1,2,3,4,5,6,7 SLURM_NPUS_ON_NODE=8 ASCEND_RT_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 "
	       "ASCEND_VISIBLE_DEVICES=0,1,2,3,4,5,6,7");
}

static void test_ascend_with_a_hole(void **state)
{
	/* davinci2 went away: GRES indices 0-2 are davinci 0, 1, 3 */
	const npu_env_dev_t d[] = { { "ascend", "3", 2, 3 }, { "ascend", "1", 1, 1 } };

	(void)state;
	expect("npu", NPU_ENV_JOB, 0, d, 2,
	       "SLURM_JOB_NPUS=1,2 SLURM_NPUS_ON_NODE=2 ASCEND_RT_VISIBLE_DEVICES=1,3 ASCEND_VISIBLE_DEVICES=1,3");
}

static void test_habana(void **state)
{
	const npu_env_dev_t d[] = { { "habana", "6", 3, 3 }, { "habana", "2", 0, 0 } };

	(void)state;
	expect("npu", NPU_ENV_STEP, 1, d, 2, "SLURM_STEP_NPUS=0,3 SLURM_NPUS_ON_NODE=2 HABANA_VISIBLE_MODULES=2,6");
}

static void test_neuron_cores(void **state)
{
	/* trn1: 2 cores per device */
	const npu_env_dev_t d[] = { { "neuron", "2", 1, 1 }, { "neuron", "2", 2, 2 }, { "neuron", "2", 5, 5 } };

	(void)state;
	expect("npu", NPU_ENV_STEP, 0, d, 2, "SLURM_STEP_NPUS=1,2 SLURM_NPUS_ON_NODE=2 NEURON_RT_VISIBLE_CORES=2-5");
	expect("npu", NPU_ENV_STEP, 0, d, 3,
	       "SLURM_STEP_NPUS=1,2,5 SLURM_NPUS_ON_NODE=3 NEURON_RT_VISIBLE_CORES=2-5,10-11");
	expect("npu", NPU_ENV_STEP, 1, d, 3, "SLURM_STEP_NPUS=1,2,5 SLURM_NPUS_ON_NODE=3 NEURON_RT_VISIBLE_CORES=0-5");
	{
		const npu_env_dev_t one[] = { { "neuron", "1", 4, 4 } };

		expect("npu", NPU_ENV_JOB, 0, one, 1, "SLURM_JOB_NPUS=4 SLURM_NPUS_ON_NODE=1 NEURON_RT_VISIBLE_CORES=4");
	}
}

static void test_cambricon_tenstorrent(void **state)
{
	const npu_env_dev_t d[] = { { "cambricon", "3", 3, 3 }, { "cambricon", "1", 1, 1 } };
	const npu_env_dev_t t[] = { { "tenstorrent", "0000:41:00.0", 1, 1 }, { "tenstorrent", "0000:21:00.0", 0, 0 } };

	(void)state;
	expect("npu", NPU_ENV_STEP, 1, d, 2, "SLURM_STEP_NPUS=1,3 SLURM_NPUS_ON_NODE=2 MLU_VISIBLE_DEVICES=0,1");
	expect("npu", NPU_ENV_STEP, 0, d, 2, "SLURM_STEP_NPUS=1,3 SLURM_NPUS_ON_NODE=2 MLU_VISIBLE_DEVICES=1,3");
	expect("npu", NPU_ENV_STEP, 1, t, 2,
	       "SLURM_STEP_NPUS=0,1 SLURM_NPUS_ON_NODE=2 TT_VISIBLE_DEVICES=0000:21:00.0,0000:41:00.0");
}

static void test_mixed_node(void **state)
{
	/* one gres/npu with two vendors: each variable covers its own devices */
	const npu_env_dev_t d[] = { { "habana", "0", 2, 0 }, { "ascend", "1", 1, 1 } };

	(void)state;
	expect("npu", NPU_ENV_JOB, 1, d, 2,
	       "SLURM_JOB_NPUS=1,2 SLURM_NPUS_ON_NODE=2 ASCEND_RT_VISIBLE_DEVICES=0 ASCEND_VISIBLE_DEVICES=1 "
	       "HABANA_VISIBLE_MODULES=0");
}

static void test_fpga(void **state)
{
	const npu_env_dev_t d[] = { { "xilinx", "0000:3b:00.1", 1, 1 }, { "dfl", "0000:5e:00.0", 2, 0 } };

	(void)state;
	/* XILINX_VISIBLE_DEVICES is read on the host: XRT's numbers, even when local */
	expect("fpga", NPU_ENV_STEP, 1, d, 2,
	       "SLURM_STEP_FPGAS=1,2 SLURM_FPGAS_ON_NODE=2 OCTOPUS_FPGA_BDFS=0000:3b:00.1,0000:5e:00.0 "
	       "XILINX_VISIBLE_DEVICES=1");
	expect("fpga", NPU_ENV_PROLOG, 1, d, 1,
	       "SLURM_JOB_FPGAS=1 SLURM_FPGAS_ON_NODE=1 OCTOPUS_FPGA_BDFS=0000:3b:00.1 XILINX_VISIBLE_DEVICES=1");
}

/* Every vendor at every level in both index modes. A device is
 * { vendor, token, GRES index, node number }; GRES indices and node numbers
 * differ on purpose where the vendor lets them. */
#define DEVS(...) ((const npu_env_dev_t[]){ __VA_ARGS__ }), sizeof((const npu_env_dev_t[]){ __VA_ARGS__ }) / sizeof(npu_env_dev_t)
#define ASC { "ascend", "3", 3, 3 }, { "ascend", "6", 6, 6 }
#define HAB { "habana", "5", 1, 1 }, { "habana", "0", 4, 4 }
#define NEU { "neuron", "4", 2, 2 }, { "neuron", "4", 3, 3 }
#define NEU_GAP { "neuron", "4", 0, 0 }, { "neuron", "4", 2, 2 }, { "neuron", "4", 3, 3 }
#define NEU_ONE_CORE { "neuron", "1", 1, 1 }, { "neuron", "1", 3, 3 }
#define CAM { "cambricon", "7", 2, 7 }, { "cambricon", "4", 0, 4 }
#define TT { "tenstorrent", "0000:c1:00.0", 1, 1 }, { "tenstorrent", "0000:81:00.0", 0, 0 }
#define ACC { "accel", "0", 0, 0 }
#define MIX { "cambricon", "0", 2, 0 }, { "ascend", "1", 1, 1 }
#define XIL { "xilinx", "0000:af:00.1", 3, 1 }, { "xilinx", "0000:3b:00.1", 1, 0 }
#define DFL { "dfl", "0000:5e:00.0", 0, 0 }

static const struct golden {
	const char *gres;
	npu_env_level_t level;
	int local;
	const npu_env_dev_t *devs;
	size_t n;
	const char *want;
} goldens[] = {
	{ "npu", NPU_ENV_JOB, 1, DEVS(ASC),
	  "SLURM_JOB_NPUS=3,6 SLURM_NPUS_ON_NODE=2 ASCEND_RT_VISIBLE_DEVICES=0,1 ASCEND_VISIBLE_DEVICES=3,6" },
	{ "npu", NPU_ENV_JOB, 0, DEVS(ASC),
	  "SLURM_JOB_NPUS=3,6 SLURM_NPUS_ON_NODE=2 ASCEND_RT_VISIBLE_DEVICES=3,6 ASCEND_VISIBLE_DEVICES=3,6" },
	{ "npu", NPU_ENV_STEP, 1, DEVS(ASC),
	  "SLURM_STEP_NPUS=3,6 SLURM_NPUS_ON_NODE=2 ASCEND_RT_VISIBLE_DEVICES=0,1 ASCEND_VISIBLE_DEVICES=3,6" },
	{ "npu", NPU_ENV_PROLOG, 1, DEVS(ASC),
	  "SLURM_JOB_NPUS=3,6 SLURM_NPUS_ON_NODE=2 ASCEND_RT_VISIBLE_DEVICES=3,6 ASCEND_VISIBLE_DEVICES=3,6" },
	/* module ids, in the node's order, whatever the index mode */
	{ "npu", NPU_ENV_JOB, 1, DEVS(HAB), "SLURM_JOB_NPUS=1,4 SLURM_NPUS_ON_NODE=2 HABANA_VISIBLE_MODULES=5,0" },
	{ "npu", NPU_ENV_JOB, 0, DEVS(HAB), "SLURM_JOB_NPUS=1,4 SLURM_NPUS_ON_NODE=2 HABANA_VISIBLE_MODULES=5,0" },
	{ "npu", NPU_ENV_STEP, 0, DEVS(HAB), "SLURM_STEP_NPUS=1,4 SLURM_NPUS_ON_NODE=2 HABANA_VISIBLE_MODULES=5,0" },
	{ "npu", NPU_ENV_PROLOG, 1, DEVS(HAB), "SLURM_JOB_NPUS=1,4 SLURM_NPUS_ON_NODE=2 HABANA_VISIBLE_MODULES=5,0" },
	/* Neuron: contiguous devices give one range ... */
	{ "npu", NPU_ENV_STEP, 0, DEVS(NEU), "SLURM_STEP_NPUS=2,3 SLURM_NPUS_ON_NODE=2 NEURON_RT_VISIBLE_CORES=8-15" },
	{ "npu", NPU_ENV_STEP, 1, DEVS(NEU), "SLURM_STEP_NPUS=2,3 SLURM_NPUS_ON_NODE=2 NEURON_RT_VISIBLE_CORES=0-7" },
	{ "npu", NPU_ENV_PROLOG, 1, DEVS(NEU), "SLURM_JOB_NPUS=2,3 SLURM_NPUS_ON_NODE=2 NEURON_RT_VISIBLE_CORES=8-15" },
	/* ... a gap gives a list of ranges (runtime 2.16.18 and later) */
	{ "npu", NPU_ENV_JOB, 0, DEVS(NEU_GAP),
	  "SLURM_JOB_NPUS=0,2,3 SLURM_NPUS_ON_NODE=3 NEURON_RT_VISIBLE_CORES=0-3,8-15" },
	{ "npu", NPU_ENV_JOB, 1, DEVS(NEU_GAP), "SLURM_JOB_NPUS=0,2,3 SLURM_NPUS_ON_NODE=3 NEURON_RT_VISIBLE_CORES=0-11" },
	{ "npu", NPU_ENV_STEP, 0, DEVS(NEU_ONE_CORE), "SLURM_STEP_NPUS=1,3 SLURM_NPUS_ON_NODE=2 NEURON_RT_VISIBLE_CORES=1,3" },
	{ "npu", NPU_ENV_STEP, 1, DEVS(NEU_ONE_CORE), "SLURM_STEP_NPUS=1,3 SLURM_NPUS_ON_NODE=2 NEURON_RT_VISIBLE_CORES=0-1" },
	{ "npu", NPU_ENV_JOB, 0, DEVS(CAM), "SLURM_JOB_NPUS=0,2 SLURM_NPUS_ON_NODE=2 MLU_VISIBLE_DEVICES=4,7" },
	{ "npu", NPU_ENV_JOB, 1, DEVS(CAM), "SLURM_JOB_NPUS=0,2 SLURM_NPUS_ON_NODE=2 MLU_VISIBLE_DEVICES=0,1" },
	{ "npu", NPU_ENV_PROLOG, 1, DEVS(CAM), "SLURM_JOB_NPUS=0,2 SLURM_NPUS_ON_NODE=2 MLU_VISIBLE_DEVICES=4,7" },
	/* PCI addresses in both modes */
	{ "npu", NPU_ENV_JOB, 1, DEVS(TT),
	  "SLURM_JOB_NPUS=0,1 SLURM_NPUS_ON_NODE=2 TT_VISIBLE_DEVICES=0000:81:00.0,0000:c1:00.0" },
	{ "npu", NPU_ENV_STEP, 0, DEVS(TT),
	  "SLURM_STEP_NPUS=0,1 SLURM_NPUS_ON_NODE=2 TT_VISIBLE_DEVICES=0000:81:00.0,0000:c1:00.0" },
	/* /sys/class/accel devices have no runtime variable: Slurm's only */
	{ "npu", NPU_ENV_STEP, 1, DEVS(ACC), "SLURM_STEP_NPUS=0 SLURM_NPUS_ON_NODE=1" },
	{ "npu", NPU_ENV_PROLOG, 0, DEVS(ACC), "SLURM_JOB_NPUS=0 SLURM_NPUS_ON_NODE=1" },
	{ "npu", NPU_ENV_JOB, 1, DEVS(MIX),
	  "SLURM_JOB_NPUS=1,2 SLURM_NPUS_ON_NODE=2 ASCEND_RT_VISIBLE_DEVICES=0 ASCEND_VISIBLE_DEVICES=1 "
	  "MLU_VISIBLE_DEVICES=0" },
	{ "npu", NPU_ENV_JOB, 0, DEVS(MIX),
	  "SLURM_JOB_NPUS=1,2 SLURM_NPUS_ON_NODE=2 ASCEND_RT_VISIBLE_DEVICES=1 ASCEND_VISIBLE_DEVICES=1 "
	  "MLU_VISIBLE_DEVICES=0" },
	{ "fpga", NPU_ENV_STEP, 1, DEVS(XIL),
	  "SLURM_STEP_FPGAS=1,3 SLURM_FPGAS_ON_NODE=2 OCTOPUS_FPGA_BDFS=0000:3b:00.1,0000:af:00.1 "
	  "XILINX_VISIBLE_DEVICES=0,1" },
	{ "fpga", NPU_ENV_JOB, 0, DEVS(XIL),
	  "SLURM_JOB_FPGAS=1,3 SLURM_FPGAS_ON_NODE=2 OCTOPUS_FPGA_BDFS=0000:3b:00.1,0000:af:00.1 "
	  "XILINX_VISIBLE_DEVICES=0,1" },
	/* the second card alone is still XRT's card 1 */
	{ "fpga", NPU_ENV_STEP, 1, DEVS({ "xilinx", "0000:af:00.1", 3, 1 }),
	  "SLURM_STEP_FPGAS=3 SLURM_FPGAS_ON_NODE=1 OCTOPUS_FPGA_BDFS=0000:af:00.1 XILINX_VISIBLE_DEVICES=1" },
	{ "fpga", NPU_ENV_PROLOG, 1, DEVS({ "xilinx", "0000:af:00.1", 3, 1 }),
	  "SLURM_JOB_FPGAS=3 SLURM_FPGAS_ON_NODE=1 OCTOPUS_FPGA_BDFS=0000:af:00.1 XILINX_VISIBLE_DEVICES=1" },
	{ "fpga", NPU_ENV_STEP, 0, DEVS(DFL), "SLURM_STEP_FPGAS=0 SLURM_FPGAS_ON_NODE=1 OCTOPUS_FPGA_BDFS=0000:5e:00.0" },
	{ "fpga", NPU_ENV_JOB, 1, DEVS(DFL), "SLURM_JOB_FPGAS=0 SLURM_FPGAS_ON_NODE=1 OCTOPUS_FPGA_BDFS=0000:5e:00.0" },
	{ "fpga", NPU_ENV_STEP, 1, NULL, 0, "" },
};

static void test_goldens(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		const struct golden *g = &goldens[i];

		assert_int_equal(npu_env_build(g->gres, g->level, g->local, g->devs, g->n, &out), 0);
		if (strcmp(show(), g->want))
			fail_msg("golden %zu (%s, level %d, local %d):\n got: %s\nwant: %s", i, g->gres, (int)g->level,
				 g->local, show(), g->want);
	}
}

static void test_nothing_allocated(void **state)
{
	const char *const *names = npu_env_names("npu");
	int seen = 0;

	(void)state;
	expect("npu", NPU_ENV_STEP, 1, NULL, 0, "");
	/* what the caller unsets covers every variable a build can set */
	for (; *names; names++)
		seen += !strcmp(*names, "NEURON_RT_VISIBLE_CORES") || !strcmp(*names, "SLURM_STEP_NPUS");
	assert_int_equal(seen, 2);
	assert_string_equal(npu_env_names("fpga")[0], "SLURM_JOB_FPGAS");
}

static void test_bad_token(void **state)
{
	const npu_env_dev_t d[] = { { "neuron", "", 0, 0 } };

	(void)state;
	assert_int_equal(npu_env_build("npu", NPU_ENV_STEP, 1, d, 1, &out), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascend),
		cmocka_unit_test(test_ascend_with_a_hole),
		cmocka_unit_test(test_habana),
		cmocka_unit_test(test_neuron_cores),
		cmocka_unit_test(test_cambricon_tenstorrent),
		cmocka_unit_test(test_mixed_node),
		cmocka_unit_test(test_fpga),
		cmocka_unit_test(test_goldens),
		cmocka_unit_test(test_nothing_allocated),
		cmocka_unit_test(test_bad_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
