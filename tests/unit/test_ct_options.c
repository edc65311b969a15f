/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <sys/mount.h>

#include "ct_options.h"

static ct_options_t o;

static void mounts_ok(const char *spec)
{
	char err[512];

	ct_options_init(&o);
	if (ct_opt_mounts(&o, spec, err, sizeof(err)))
		fail_msg("'%s' refused: %s", spec, err);
}

static void mounts_bad(const char *spec, const char *needle)
{
	char err[512] = "";

	ct_options_init(&o);
	if (ct_opt_mounts(&o, spec, err, sizeof(err)) != -1)
		fail_msg("'%s' accepted", spec);
	if (!strstr(err, needle))
		fail_msg("error for '%s' is '%s', wanted '%s'", spec, err, needle);
}

static void test_mount_specs(void **state)
{
	(void)state;
	mounts_ok("/data:/mnt/data:ro,/scratch,vol:ckpt:/ckpt,/home/a:rw,/opt/x:ro");
	assert_int_equal(o.nmounts, 5);
	assert_string_equal(o.mounts[0].src, "/data");
	assert_string_equal(o.mounts[0].dst, "/mnt/data");
	assert_true(o.mounts[0].readonly);
	assert_string_equal(o.mounts[1].dst, "/scratch");        /* same path */
	assert_int_equal(o.mounts[2].kind, CT_MOUNT_VOLUME);
	assert_string_equal(o.mounts[2].src, "ckpt");
	assert_string_equal(o.mounts[2].dst, "/ckpt");
	assert_false(o.mounts[3].readonly);
	assert_string_equal(o.mounts[3].dst, "/home/a");          /* SRC:rw keeps the path */
	assert_true(o.mounts[4].readonly);
	mounts_ok("vol:v1:/v:ro");
	assert_true(o.mounts[0].readonly);

	mounts_bad("data:/data", "source 'data' must be an absolute path");
	mounts_bad("/a/../etc:/x", "without '..'");
	mounts_bad("/a:/b/..", "destination '/b/..'");
	mounts_bad("/a:/b:rx", "flag 'rx' is not one of ro, rw");
	mounts_bad("/a:/b:ro:x", "too many ':'");
	mounts_bad("/a:/", "over the container's /");
	mounts_bad("vol:../x:/x", "not a volume name");
	mounts_bad("vol:x", "needs a destination");
	mounts_bad("", "is empty");
}

/* The forms Pyxis takes: flags joined with '+', tmpfs, umount, relative sources, device files. */
static void test_pyxis_mount_forms(void **state)
{
	(void)state;
	mounts_ok("/tmp:/mnt:unbindable+ro,/data:/d:noexec+rslave+bind,/x:/y:rw+rprivate");
	assert_true(o.mounts[0].readonly);
	assert_int_equal(o.mounts[0].propagation, MS_UNBINDABLE);
	assert_int_equal(o.mounts[1].flags, MS_NOEXEC);
	assert_int_equal(o.mounts[1].propagation, MS_SLAVE | MS_REC);
	assert_true(o.mounts[1].nonrecursive);
	assert_false(o.mounts[2].readonly);
	assert_int_equal(o.mounts[2].propagation, MS_PRIVATE | MS_REC);
	assert_false(o.mounts[2].nonrecursive);

	mounts_ok("tmpfs:/scratch,tmpfs:/ro:ro");
	assert_int_equal(o.mounts[0].kind, CT_MOUNT_TMPFS);
	assert_string_equal(o.mounts[0].dst, "/scratch");
	assert_true(o.mounts[1].readonly);

	mounts_ok("./:/w,../data:/data:ro,./sub/dir:/s");
	assert_true(o.mounts[0].relative);
	assert_string_equal(o.mounts[0].src, "./");
	assert_true(o.mounts[1].relative);
	assert_true(o.mounts[1].readonly);
	assert_string_equal(o.mounts[2].dst, "/s");

	mounts_ok("/dev/null:/null");           /* a device file: checked on the node */
	mounts_ok("/var/lib");                  /* short form: the same path */
	assert_string_equal(o.mounts[0].dst, "/var/lib");

	mounts_bad("./x", "a relative source needs a destination");
	mounts_bad("/a:/b:ro+", "end with '+'");
	mounts_bad("/a:/b:", "empty flags");
	mounts_bad("/a:/b:private+shared", "more than one propagation flag");
	mounts_bad("umount:/tmp", "not supported yet");
	mounts_bad("/a:/b,", "an empty entry");
	mounts_bad("/a:/b,,/c", "an empty entry");
	mounts_bad("/home:../home", "destination '../home'");
	mounts_bad("tmpfs:rel", "destination 'rel'");
}

static void test_env_workdir_name(void **state)
{
	char err[256];

	(void)state;
	ct_options_init(&o);
	assert_int_equal(ct_opt_env(&o, "PATH,LD_LIBRARY_PATH,_X1", err, sizeof(err)), 0);
	assert_int_equal(o.nenv, 3);
	assert_true(ct_env_listed(&o, "LD_LIBRARY_PATH", 15));
	assert_false(ct_env_listed(&o, "LD_LIBRARY", 10));
	assert_int_equal(ct_opt_env(&o, "1BAD", err, sizeof(err)), -1);
	assert_int_equal(ct_opt_env(&o, "A-B", err, sizeof(err)), -1);
	assert_int_equal(ct_opt_workdir(&o, "/srv/w", err, sizeof(err)), 0);
	assert_int_equal(ct_opt_workdir(&o, "srv", err, sizeof(err)), -1);
	assert_int_equal(ct_opt_name(&o, "train-1.a", err, sizeof(err)), 0);
	assert_int_equal(ct_opt_name(&o, "../x", err, sizeof(err)), -1);
	assert_int_equal(ct_opt_image(&o, "oci:rel", NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "absolute path"));
	assert_int_equal(ct_opt_image(&o, "nvcr.io#nvidia/pytorch:24.01-py3", NULL, err, sizeof(err)), 0);
	assert_string_equal(o.ref.registry, "nvcr.io");
}

static void test_env_trailing_comma(void **state)
{
	char err[256] = "";

	(void)state;
	ct_options_init(&o);
	assert_int_equal(ct_opt_env(&o, "FOO,", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ends with ','"));
	assert_int_equal(ct_opt_env(&o, ",FOO", err, sizeof(err)), -1);
	assert_int_equal(ct_opt_env(&o, "A,,B", err, sizeof(err)), -1);
}

static void test_flag_pairs(void **state)
{
	char err[256] = "";

	(void)state;
	ct_options_init(&o);
	assert_int_equal(o.flags[CT_F_WRITABLE], -1);
	assert_int_equal(CT_FLAG(&o, CT_F_WRITABLE, 1), 1);
	/* Slurm may call a callback twice with the same option */
	assert_int_equal(ct_opt_flag(&o, CT_F_WRITABLE, 0, err, sizeof(err)), 0);
	assert_int_equal(ct_opt_flag(&o, CT_F_WRITABLE, 0, err, sizeof(err)), 0);
	assert_int_equal(CT_FLAG(&o, CT_F_WRITABLE, 1), 0);
	assert_int_equal(ct_opt_flag(&o, CT_F_WRITABLE, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--container-writable"));
	assert_non_null(strstr(err, "--container-readonly"));
	assert_int_equal(ct_opt_flag(&o, CT_F_REMAP_ROOT, 1, err, sizeof(err)), 0);
	assert_int_equal(ct_opt_flag(&o, CT_F_REMAP_ROOT, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--no-container-remap-root"));
}

static void test_name_flags(void **state)
{
	char err[256] = "";

	(void)state;
	ct_options_init(&o);
	assert_int_equal(ct_opt_name(&o, "dev", err, sizeof(err)), 0);
	assert_string_equal(o.name, "dev");
	assert_int_equal(o.name_flag, CT_NAME_AUTO);
	assert_int_equal(ct_opt_name(&o, "dev:no_exec", err, sizeof(err)), 0);
	assert_string_equal(o.name, "dev");
	assert_int_equal(o.name_flag, CT_NAME_NO_EXEC);
	assert_int_equal(ct_opt_name(&o, "dev:exec", err, sizeof(err)), 0);
	assert_int_equal(o.name_flag, CT_NAME_EXEC);
	assert_int_equal(ct_opt_name(&o, "dev:create", err, sizeof(err)), 0);
	assert_int_equal(o.name_flag, CT_NAME_CREATE);
	assert_int_equal(ct_opt_name(&o, "dev:auto", err, sizeof(err)), 0);
	assert_int_equal(o.name_flag, CT_NAME_AUTO);
	assert_int_equal(ct_opt_name(&o, "dev:", err, sizeof(err)), -1);
	assert_int_equal(ct_opt_name(&o, "dev:run", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "auto, create, exec or no_exec"));
	assert_int_equal(ct_opt_name(&o, ":exec", err, sizeof(err)), -1);
	assert_int_equal(ct_opt_name(&o, "a:b:exec", err, sizeof(err)), -1);
}

typedef struct {
	const char *kv[8];
} fake_env_t;

static const char *fake_get(const char *name, void *arg)
{
	fake_env_t *e = arg;
	size_t n = strlen(name);

	for (size_t i = 0; e->kv[i]; i++)
		if (!strncmp(e->kv[i], name, n) && e->kv[i][n] == '=')
			return e->kv[i] + n + 1;
	return NULL;
}

static void test_from_env(void **state)
{
	char err[256] = "";
	fake_env_t env = { { "OCTOPUS_CONTAINER_WRITABLE=0", "PYXIS_CONTAINER_MOUNT_HOME=no",
			     "PYXIS_CONTAINER_IMAGE=pyxis/img:1", "OCTOPUS_CONTAINER_IMAGE=octo/img:2",
			     "PYXIS_CONTAINER_READONLY=1", "PYXIS_CONTAINER_NAME=box:no_exec", NULL } };

	(void)state;
	/* the command line said writable: the variable saying "off" does not undo it */
	ct_options_init(&o);
	assert_int_equal(ct_opt_flag(&o, CT_F_WRITABLE, 1, err, sizeof(err)), 0);
	assert_int_equal(ct_opt_from_env(&o, fake_get, &env, "reg.example", err, sizeof(err)), 0);
	assert_int_equal(o.flags[CT_F_WRITABLE], 1);
	assert_int_equal(o.flags[CT_F_MOUNT_HOME], 0);
	/* OCTOPUS_ names come before PYXIS_ ones */
	assert_string_equal(o.image, "octo/img:2");
	assert_string_equal(o.name, "box");
	assert_int_equal(o.name_flag, CT_NAME_NO_EXEC);

	/* nothing on the command line: the first variable decides, READONLY inverts */
	ct_options_init(&o);
	env.kv[0] = "PYXIS_CONTAINER_ENTRYPOINT=1";
	assert_int_equal(ct_opt_from_env(&o, fake_get, &env, NULL, err, sizeof(err)), 0);
	assert_int_equal(o.flags[CT_F_WRITABLE], 0);
	assert_int_equal(o.flags[CT_F_ENTRYPOINT], 1);

	/* a bad value names the variable */
	ct_options_init(&o);
	env.kv[0] = "OCTOPUS_CONTAINER_REMAP_ROOT=maybe";
	assert_int_equal(ct_opt_from_env(&o, fake_get, &env, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "OCTOPUS_CONTAINER_REMAP_ROOT"));
	ct_options_init(&o);
	env.kv[0] = "PYXIS_CONTAINER_MOUNTS=relative:/x";
	assert_int_equal(ct_opt_from_env(&o, fake_get, &env, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "PYXIS_CONTAINER_MOUNTS"));
}

static void test_save(void **state)
{
	char err[256] = "";
	fake_env_t env = { { "PYXIS_CONTAINER_SAVE=/scratch/from-env.sqsh", NULL } };

	(void)state;
	ct_options_init(&o);
	assert_int_equal(ct_opt_save(&o, "./out.sqsh", err, sizeof(err)), 0);
	assert_string_equal(o.save, "./out.sqsh");
	/* the command line's wins over the variable */
	assert_int_equal(ct_opt_from_env(&o, fake_get, &env, NULL, err, sizeof(err)), 0);
	assert_string_equal(o.save, "./out.sqsh");
	ct_options_init(&o);
	assert_int_equal(ct_opt_from_env(&o, fake_get, &env, NULL, err, sizeof(err)), 0);
	assert_string_equal(o.save, "/scratch/from-env.sqsh");
	assert_int_equal(ct_opt_save(&o, "", err, sizeof(err)), -1);
	assert_int_equal(ct_opt_save(&o, "/scratch/dir/", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "must name a file"));
	assert_int_equal(ct_opt_save(&o, "/x\ny.sqsh", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "control character"));
}

static void test_unshare(void **state)
{
	char err[256] = "";

	(void)state;
	ct_options_init(&o);
	assert_int_equal(ct_opt_unshare(&o, "net", err, sizeof(err)), 0);
	assert_int_equal(o.unshare, ROOTFS_NET);
	assert_int_equal(ct_opt_unshare(&o, "uts,net,ipc", err, sizeof(err)), 0);
	assert_int_equal(o.unshare, ROOTFS_NET | ROOTFS_IPC | ROOTFS_UTS);
	assert_int_equal(ct_opt_unshare(&o, NULL, err, sizeof(err)), 0);   /* the plain form */
	assert_int_equal(o.unshare, ROOTFS_NET | ROOTFS_IPC | ROOTFS_UTS);
	assert_int_equal(ct_opt_unshare(&o, "foo", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown namespace 'foo'"));
	assert_int_equal(ct_opt_unshare(&o, "net,foo", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown namespace"));
	assert_int_equal(ct_opt_unshare(&o, "net,", err, sizeof(err)), -1);
	assert_int_equal(ct_opt_unshare(&o, "pid", err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mount_specs),
		cmocka_unit_test(test_env_workdir_name),
		cmocka_unit_test(test_pyxis_mount_forms),
		cmocka_unit_test(test_env_trailing_comma),
		cmocka_unit_test(test_flag_pairs),
		cmocka_unit_test(test_name_flags),
		cmocka_unit_test(test_from_env),
		cmocka_unit_test(test_unshare),
		cmocka_unit_test(test_save),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
