/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gres/npu's entry points against Slurm's own libslurmfull, on a fake node
 * ($FAKE_TREE, so root only; skipped otherwise): node_config_load a hundred
 * times over, send/recv_stepd round trips, every truncation of the stepd
 * message, and job/step environments. The plugin's sources are compiled
 * into this test, so the sanitizer build (--enable-sanitizers) checks them
 * for leaks and bad accesses while they run inside real Slurm code.
 */
#include "npu_shim.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

int init(void);
int fini(void);
int gres_p_node_config_load(list_t *gres_conf_list, node_config_load_t *cfg);
void gres_p_job_set_env(char ***env, bitstr_t *alloc, uint64_t cnt, gres_internal_flags_t flags);
void gres_p_step_set_env(char ***env, bitstr_t *alloc, uint64_t cnt, gres_internal_flags_t flags);
void gres_p_send_stepd(buf_t *buffer);
void gres_p_recv_stepd(buf_t *buffer);
list_t *gres_p_get_devices(void);

#define ROUNDS 100

static char top[128];

/* slurmd's mapping on a node whose CPUs are numbered as hwloc numbers them */
static int mac_to_abs(char *mac, char **abs)
{
	*abs = xstrdup(mac);
	return SLURM_SUCCESS;
}

static node_config_load_t cfg = { .cpu_cnt = 4, .in_slurmd = true, .xcpuinfo_mac_to_abs = mac_to_abs };

static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd))
		fail_msg("failed: %s", cmd);
}

/* 4 Gaudi (PCI, with companions) + 2 Ascend (no locality) on two packages of
 * two cores: Gaudi 0,1 next to package 0, Gaudi 2,3 next to package 1. */
static int setup(void **state)
{
	const char *gen = getenv("FAKE_TREE"), *topo = getenv("MAKE_TOPOLOGY");
	char conf[256];
	FILE *f;

	(void)state;
	if (geteuid() != 0 || !gen || !topo)
		return 0;
	snprintf(top, sizeof(top), "/tmp/npu-plugin.XXXXXX");
	if (!mkdtemp(top))
		return -1;
	sh("'%s' '%s' habana:4 ascend:2", gen, top);
	sh("'%s' '%s/topo.xml' 2 2 0000:10:00.0@0 0000:11:00.0@0 0000:12:00.0@1 0000:13:00.0@1", topo, top);
	snprintf(conf, sizeof(conf), "%s/gres_npu.conf", top);
	if (!(f = fopen(conf, "w")))
		return -1;
	fprintf(f, "SysfsRoot=%s/sys\nDevRoot=%s/dev\nProcRoot=%s/proc\nHwlocXml=%s/topo.xml\n"
		"ControlDevices=restrict\n", top, top, top, top);
	fclose(f);
	setenv("OCTOPUS_NPU_CONF", conf, 1);
	return init();
}

static int teardown(void **state)
{
	(void)state;
	fini();
	if (top[0])
		sh("rm -rf '%s'", top);
	return 0;
}

static void need_tree(void)
{
	if (!top[0])
		skip();
}

/* gres.conf as slurmd's parser leaves it: the two Ascend devices with
 * Cores=3, the four Gaudi without (their locality comes from hwloc) */
static list_t *conf_list(void)
{
	list_t *l = list_create(destroy_gres_slurmd_conf);
	bitstr_t *mac = bit_alloc(cfg.cpu_cnt);
	char file[256];

	snprintf(file, sizeof(file), "%s/dev/davinci[0-1]", top);
	bit_set(mac, 3);
	npu_add_gres(l, "npu", 2, cfg.cpu_cnt, "3", mac, file, "ascend910b", GRES_CONF_HAS_FILE | GRES_CONF_HAS_TYPE);
	FREE_NULL_BITMAP(mac);
	snprintf(file, sizeof(file), "%s/dev/accel/accel[0-3]", top);
	npu_add_gres(l, "npu", 4, cfg.cpu_cnt, NULL, NULL, file, "gaudi", GRES_CONF_HAS_FILE | GRES_CONF_HAS_TYPE);
	return l;
}

static gres_slurmd_conf_t *record(list_t *l, int i)
{
	list_itr_t *it = list_iterator_create(l);
	gres_slurmd_conf_t *p;

	while ((p = list_next(it)) && i--)
		;
	list_iterator_destroy(it);
	return p;
}

/* "index:path:major:minor;" for every device node, in list order */
static void devices_str(char *out, size_t len)
{
	list_t *l = gres_p_get_devices();
	list_itr_t *it;
	gres_device_t *g;
	size_t n = 0;

	out[0] = '\0';
	if (!l)
		return;
	it = list_iterator_create(l);
	while ((g = list_next(it)) && n < len)
		n += (size_t)snprintf(out + n, len - n, "%d:%s:%u:%u;", g->index, g->path + strlen(top),
				      g->dev_desc.major, g->dev_desc.minor);
	list_iterator_destroy(it);
}

static void test_node_config_load_repeated(void **state)
{
	char first[8192], now[8192];

	(void)state;
	need_tree();
	first[0] = '\0';
	for (int round = 0; round < ROUNDS; round++) {
		list_t *l = conf_list();

		assert_int_equal(gres_p_node_config_load(l, &cfg), SLURM_SUCCESS);
		assert_int_equal(list_count(l), 6);
		/* sorted by vendor: Ascend first, its Cores from gres.conf */
		assert_string_equal(record(l, 0)->type_name, "ascend910b");
		assert_string_equal(record(l, 0)->cpus, "3");
		assert_true(bit_test(record(l, 1)->cpus_bitmap, 3));
		assert_int_equal(bit_set_count(record(l, 1)->cpus_bitmap), 1);
		/* gres.conf's Type= is the one slurm.conf schedules by */
		assert_string_equal(record(l, 2)->type_name, "gaudi");
		assert_string_equal(record(l, 2)->cpus, "0-1");
		assert_string_equal(record(l, 3)->cpus, "0-1");
		assert_string_equal(record(l, 4)->cpus, "2-3");
		assert_string_equal(record(l, 5)->cpus, "2-3");
		assert_true(bit_test(record(l, 5)->cpus_bitmap, 3));
		assert_false(bit_test(record(l, 5)->cpus_bitmap, 0));
		devices_str(now, sizeof(now));
		if (!round)
			memcpy(first, now, sizeof(first));
		/* the same node loaded again maps every index to the same nodes */
		assert_string_equal(now, first);
		list_destroy(l);
	}
	/* davinci0, its three shared nodes (restrict), accel0 + controlD0 ... */
	assert_non_null(strstr(first, "0:/dev/davinci0:"));
	assert_non_null(strstr(first, "0:/dev/davinci_manager:"));
	assert_non_null(strstr(first, "2:/dev/accel/accel0:"));
	assert_non_null(strstr(first, "2:/dev/accel/accel_controlD0:"));
	assert_non_null(strstr(first, "5:/dev/accel/accel_controlD3:"));
}

static void test_stepd_round_trip(void **state)
{
	char sent[8192], got[8192];
	list_t *l = conf_list();

	(void)state;
	need_tree();
	assert_int_equal(gres_p_node_config_load(l, &cfg), SLURM_SUCCESS);
	list_destroy(l);
	devices_str(sent, sizeof(sent));
	for (int round = 0; round < ROUNDS; round++) {
		buf_t *b = init_buf(0);

		gres_p_send_stepd(b);
		set_buf_offset(b, 0);
		gres_p_recv_stepd(b);
		free_buf(b);
		devices_str(got, sizeof(got));
		assert_string_equal(got, sent);
	}
}

/* slurmstepd gets a cut message: it keeps nothing rather than half a list */
static void test_stepd_truncated(void **state)
{
	char sent[8192], got[8192];
	list_t *l = conf_list();
	buf_t *whole = init_buf(0);
	uint32_t size;

	(void)state;
	need_tree();
	assert_int_equal(gres_p_node_config_load(l, &cfg), SLURM_SUCCESS);
	list_destroy(l);
	devices_str(sent, sizeof(sent));
	gres_p_send_stepd(whole);
	size = get_buf_offset(whole);
	for (uint32_t cut = 0; cut < size; cut++) {
		char *head = xmalloc(cut ? cut : 1);
		buf_t *b;

		memcpy(head, get_buf_data(whole), cut);
		b = create_buf(head, cut);
		gres_p_recv_stepd(b);
		free_buf(b);
		devices_str(got, sizeof(got));
		assert_string_equal(got, "");
	}
	/* and a version it does not know */
	set_buf_offset(whole, 0);
	pack32(99, whole);
	set_buf_offset(whole, 0);
	gres_p_recv_stepd(whole);
	devices_str(got, sizeof(got));
	assert_string_equal(got, "");
	free_buf(whole);
	(void)sent;
}

static const char *env_of(char **env, const char *name)
{
	size_t n = strlen(name);

	for (; env && *env; env++)
		if (!strncmp(*env, name, n) && (*env)[n] == '=')
			return *env + n + 1;
	return NULL;
}

static void test_environment(void **state)
{
	list_t *l = conf_list();
	bitstr_t *alloc = bit_alloc(6);
	char **env = NULL;

	(void)state;
	need_tree();
	assert_int_equal(gres_p_node_config_load(l, &cfg), SLURM_SUCCESS);
	list_destroy(l);
	for (int round = 0; round < ROUNDS; round++) {
		bit_set(alloc, 1);
		bit_set(alloc, 3);
		bit_set(alloc, 5);
		env_array_overwrite(&env, "HABANA_VISIBLE_MODULES", "stale");
		gres_p_job_set_env(&env, alloc, 3, GRES_INTERNAL_FLAG_NONE);
		assert_string_equal(env_of(env, "SLURM_JOB_NPUS"), "1,3,5");
		/* without ConstrainDevices the node's own numbers */
		assert_string_equal(env_of(env, "ASCEND_RT_VISIBLE_DEVICES"), "1");
		assert_string_equal(env_of(env, "HABANA_VISIBLE_MODULES"), "1,3");
		gres_p_step_set_env(&env, alloc, 3, GRES_INTERNAL_FLAG_NONE);
		assert_string_equal(env_of(env, "SLURM_STEP_NPUS"), "1,3,5");
		/* --gres=none: the step loses them */
		bit_clear_all(alloc);
		gres_p_step_set_env(&env, alloc, 0, GRES_INTERNAL_FLAG_NONE);
		assert_null(env_of(env, "SLURM_STEP_NPUS"));
		assert_null(env_of(env, "HABANA_VISIBLE_MODULES"));
		env_array_free(env);
		env = NULL;
	}
	FREE_NULL_BITMAP(alloc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_config_load_repeated),
		cmocka_unit_test(test_stepd_round_trip),
		cmocka_unit_test(test_stepd_truncated),
		cmocka_unit_test(test_environment),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
