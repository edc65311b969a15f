/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CDI: from GRES to device names (cdi_select), and specs in YAML and JSON
 * to the edits a container gets (cdi_spec). */
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

#include "cdi/cdi_select.h"
#include "cdi/cdi_spec.h"

static const char *const *env_now;

static const char *get(const char *name, void *arg)
{
	size_t n = strlen(name);

	(void)arg;
	for (const char *const *e = env_now; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static void test_select(void **state)
{
	static const char *const step_env[] = { "SLURM_STEP_GPUS=0,2", "SLURM_STEP_NPUS=1-3", "SLURM_JOB_GPUS=0,1,2,3",
						NULL };
	static const char *const batch_env[] = { "SLURM_JOB_GPUS=3", NULL };
	char names[8][CDI_NAME_MAX], err[256];
	size_t n = 0;

	(void)state;
	env_now = step_env;
	assert_int_equal(cdi_select("gpu=nvidia.com/gpu,npu=example.com/npu,fpga=x.org/fpga", 0, get, NULL, names, 8, &n,
				    err, sizeof(err)), 0);
	assert_int_equal(n, 5);
	assert_string_equal(names[0], "nvidia.com/gpu=0");
	assert_string_equal(names[1], "nvidia.com/gpu=2");
	assert_string_equal(names[2], "example.com/npu=1");
	assert_string_equal(names[4], "example.com/npu=3");
	/* the batch step holds the job's */
	env_now = batch_env;
	assert_int_equal(cdi_select("gpu=nvidia.com/gpu", 1, get, NULL, names, 8, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "nvidia.com/gpu=3");
	/* a step without the GRES (srun --gres=none in a GPU job) holds none, whatever the job holds */
	assert_int_equal(cdi_select("gpu=nvidia.com/gpu", 0, get, NULL, names, 8, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	/* more than fit, and lists Slurm does not write */
	env_now = step_env;
	assert_int_equal(cdi_select("npu=example.com/npu", 0, get, NULL, names, 2, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 2"));
	static const char *const bad_env[] = { "SLURM_STEP_GPUS=0,../x", NULL };
	env_now = bad_env;
	assert_int_equal(cdi_select("gpu=nvidia.com/gpu", 0, get, NULL, names, 8, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "SLURM_STEP_GPUS=0,../x: not a list of device numbers"));
}

static void test_map_and_names(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(cdi_map_check("gpu=nvidia.com/gpu,npu=huawei.com/npu", err, sizeof(err)), 0);
	assert_int_equal(cdi_map_check("gpu", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'gpu' is not GRES=vendor.com/class"));
	assert_int_equal(cdi_map_check("gpu=nvidia.com", err, sizeof(err)), -1);
	assert_int_equal(cdi_map_check("GPU=nvidia.com/gpu", err, sizeof(err)), -1);
	assert_int_equal(cdi_map_check("gpu=nvidia.com/gpu/x", err, sizeof(err)), -1);
	assert_int_equal(cdi_map_check("gpu=nvidia.com/gpu,", err, sizeof(err)), 0);
	assert_true(cdi_name_valid("nvidia.com/gpu=0"));
	assert_true(cdi_name_valid("vendor.example/dev-class=all"));
	assert_false(cdi_name_valid("nvidia.com/gpu"));
	assert_false(cdi_name_valid("nvidia.com/gpu=a b"));
	assert_false(cdi_name_valid("nvidia.com/gpu=../../x"));
	assert_false(cdi_name_valid("/gpu=0"));
}

static const char yaml_spec[] =
	"cdiVersion: 0.6.0\n"
	"kind: nvidia.com/gpu\n"
	"devices:\n"
	"- name: \"0\"\n"
	"  containerEdits:\n"
	"    deviceNodes:\n"
	"    - path: /dev/nvidia0\n"
	"  env: [IGNORED=at the wrong level]\n"
	"- name: 1\n"                         /* unquoted: a YAML integer, still the name "1" */
	"  containerEdits:\n"
	"    env: [ONE=1]\n"
	"    deviceNodes:\n"
	"    - {path: /dev/nvidia1, hostPath: /dev/nvidia1, major: 195, minor: 1}\n"
	"containerEdits:\n"
	"  env:\n"
	"  - NVIDIA_VISIBLE_DEVICES=void\n"
	"  deviceNodes:\n"
	"  - path: /dev/nvidiactl\n"
	"  mounts:\n"
	"  - hostPath: /usr/lib/x86_64-linux-gnu/libcuda.so.550.1\n"
	"    containerPath: /usr/lib/x86_64-linux-gnu/libcuda.so.550.1\n"
	"    options: [ro, nosuid, nodev, bind]\n"
	"  hooks:\n"
	"  - hookName: createContainer\n"
	"    path: /usr/bin/nvidia-ctk\n"
	"    args: [nvidia-ctk, hook, update-ldcache, --folder, /usr/lib/x86_64-linux-gnu]\n"
	"  - hookName: poststop\n"
	"    path: /usr/bin/ignored\n";

static void test_yaml_spec(void **state)
{
	const char *want[] = { "nvidia.com/gpu=1" };
	int found[1] = { 0 };
	cdi_edits_t *e = calloc(1, sizeof(*e));
	char err[512] = "";

	(void)state;
	assert_int_equal(cdi_collect_text(yaml_spec, sizeof(yaml_spec) - 1, "nv.yaml", want, 1, found, e, err, sizeof(err)),
			 0);
	assert_int_equal(found[0], 1);
	/* device 1's edits, then the spec's once; not device 0's */
	assert_int_equal(e->nenv, 2);
	assert_string_equal(e->env[0], "ONE=1");
	assert_string_equal(e->env[1], "NVIDIA_VISIBLE_DEVICES=void");
	assert_int_equal(e->nnodes, 2);
	assert_string_equal(e->nodes[0].path, "/dev/nvidia1");
	assert_string_equal(e->nodes[1].path, "/dev/nvidiactl");
	assert_string_equal(e->nodes[1].host_path, "/dev/nvidiactl");   /* no hostPath: the same path */
	assert_int_equal(e->nmounts, 1);
	assert_string_equal(e->mounts[0].options, "ro+nosuid+nodev+bind");
	assert_string_equal(e->mounts[0].type, "bind");
	assert_int_equal(e->nhooks, 1);                                 /* poststop is not run */
	assert_string_equal(e->hooks[0].path, "/usr/bin/nvidia-ctk");
	assert_string_equal(e->hooks[0].argv[2], "update-ldcache");
	assert_null(e->hooks[0].argv[5]);
	assert_null(e->hooks[0].env[0]);
	cdi_edits_free(e);
	free(e);
}

static void test_json_spec_and_refusals(void **state)
{
	const char json[] = "{\"cdiVersion\":\"0.5.0\",\"kind\":\"example.com/npu\",\"devices\":[{\"name\":\"0\","
			    "\"containerEdits\":{\"env\":[\"NPU=0\"],\"mounts\":[{\"containerPath\":\"/scratch\",\"type\":\"tmpfs\"}],"
			    "\"hooks\":[{\"hookName\":\"createContainer\",\"path\":\"/bin/true\",\"timeout\":5}]}}]}";
	const char *want[] = { "example.com/npu=0" };
	int found[1] = { 0 };
	cdi_edits_t *e = calloc(1, sizeof(*e));
	char err[512] = "";

	(void)state;
	assert_int_equal(cdi_collect_text(json, sizeof(json) - 1, "n.json", want, 1, found, e, err, sizeof(err)), 0);
	assert_int_equal(e->nenv, 1);
	assert_string_equal(e->mounts[0].type, "tmpfs");
	assert_string_equal(e->hooks[0].argv[0], "/bin/true");           /* no args: argv[0] is the path */
	assert_int_equal(e->hooks[0].timeout_s, 5);
	cdi_edits_free(e);
	memset(e, 0, sizeof(*e));

	struct {
		const char *text, *needle;
	} bad[] = {
		{ "kind: example.com/npu\ndevices: []\n", "cdiVersion, kind (vendor/class) and devices are required" },
		{ "{\"cdiVersion\":\"0.5.0\"", "not JSON" },
		{ "{\"cdiVersion\":\"0.5.0\",\"kind\":\"example.com/npu\",\"devices\":[]} x", "text after the object" },
		{ "cdiVersion: 0.5.0\nkind: example.com/npu\ndevices:\n- name: \"0\"\n  containerEdits:\n    mounts:\n"
		  "    - {hostPath: lib, containerPath: /lib}\n", "mounts[0]: hostPath and containerPath must be absolute" },
		{ "cdiVersion: 0.5.0\nkind: example.com/npu\ndevices:\n- name: \"0\"\n  containerEdits:\n    mounts:\n"
		  "    - {hostPath: /x, containerPath: /x, type: overlay}\n", "type overlay is not supported" },
		{ "cdiVersion: 0.5.0\nkind: example.com/npu\ndevices:\n- name: \"0\"\n  containerEdits:\n    env: [NOEQUALS]\n",
		  "env must be a list of NAME=VALUE" },
		{ "cdiVersion: 0.5.0\nkind: example.com/npu\ndevices:\n- name: \"0\"\n  containerEdits:\n    deviceNodes:\n"
		  "    - path: dev/x\n", "deviceNodes[0]: path and hostPath must be absolute" },
		{ "a: [unclosed\n", "not YAML: line" },
		/* a billion laughs: aliases that expand without end */
		{ "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
		  "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
		  "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n", "more than 200000 nodes" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		found[0] = 0;
		err[0] = '\0';
		if (cdi_collect_text(bad[i].text, strlen(bad[i].text), "b.yaml", want, 1, found, e, err, sizeof(err)) != -1)
			fail_msg("accepted: %s", bad[i].text);
		if (!strstr(err, bad[i].needle))
			fail_msg("error '%s', wanted '%s'", err, bad[i].needle);
		cdi_edits_free(e);
		memset(e, 0, sizeof(*e));
	}
	free(e);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void test_collect_dirs(void **state)
{
	char etc[] = "/tmp/test_cdi_etc.XXXXXX", run[] = "/tmp/test_cdi_run.XXXXXX", err[1024] = "";
	const char *dirs[2], *one[] = { "example.com/npu=0" }, *missing[] = { "example.com/npu=7" };
	cdi_edits_t *e;

	(void)state;
	if (geteuid() != 0)
		skip();         /* specs are trusted only when root's: this needs root-owned files */
	e = calloc(1, sizeof(*e));
	assert_non_null(mkdtemp(etc));
	assert_non_null(mkdtemp(run));
	dirs[0] = etc;
	dirs[1] = run;
	write_file(etc, "npu.yaml", "cdiVersion: 0.5.0\nkind: example.com/npu\ndevices:\n- name: \"0\"\n  containerEdits:\n"
				    "    env: [FROM=etc]\n");
	write_file(run, "npu.json", "{\"cdiVersion\":\"0.5.0\",\"kind\":\"example.com/npu\",\"devices\":[{\"name\":\"0\","
				    "\"containerEdits\":{\"env\":[\"FROM=run\"]}}]}");
	write_file(etc, "broken.yaml", "cdiVersion: [\n");
	write_file(etc, "README", "not a spec: not read");
	assert_int_equal(cdi_collect(dirs, 2, one, 1, e, err, sizeof(err)), 0);
	/* /var/run/cdi (the later directory) wins over /etc/cdi for the same device */
	assert_int_equal(e->nenv, 1);
	assert_string_equal(e->env[0], "FROM=run");
	/* another vendor's broken file does not stop this device; it is noted for the log */
	assert_non_null(strstr(e->notes, "broken.yaml skipped: CDI spec"));
	cdi_edits_free(e);
	/* a spec anyone may write is not trusted: /etc/cdi's copy is used, and the skip noted */
	char path[600];
	snprintf(path, sizeof(path), "%s/npu.json", run);
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(cdi_collect(dirs, 2, one, 1, e, err, sizeof(err)), 0);
	assert_string_equal(e->env[0], "FROM=etc");
	assert_non_null(strstr(e->notes, "npu.json skipped: not root's, or writable by others than root"));
	cdi_edits_free(e);
	assert_int_equal(chmod(path, 0644), 0);
	/* likewise a directory anyone may write into */
	assert_int_equal(chmod(run, 0777), 0);
	assert_int_equal(cdi_collect(dirs, 2, one, 1, e, err, sizeof(err)), 0);
	assert_string_equal(e->env[0], "FROM=etc");
	cdi_edits_free(e);
	assert_int_equal(chmod(run, 0755), 0);
	assert_int_equal(cdi_collect(dirs, 2, missing, 1, e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "CDI device example.com/npu=7 is in no spec in"));
	assert_non_null(strstr(err, etc));
	cdi_edits_free(e);
	/* a broken spec of a device asked for stops the step */
	write_file(run, "npu.json", "{\"cdiVersion\":\"0.5.0\",\"kind\":\"example.com/npu\",\"devices\":[{\"name\":\"0\","
				    "\"containerEdits\":{\"env\":[\"=bad\"]}}]}");
	assert_int_equal(cdi_collect(dirs, 2, one, 1, e, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "device example.com/npu=0: env must be"));
	cdi_edits_free(e);
	free(e);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", etc, run);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_map_and_names),
		cmocka_unit_test(test_yaml_spec),
		cmocka_unit_test(test_json_spec_and_refusals),
		cmocka_unit_test(test_collect_dirs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
