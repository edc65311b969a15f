/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "image_ref.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void expect_ref(const char *in, const char *canonical)
{
	img_ref_t r;
	char err[IMG_ERR_MAX] = "", buf[2048];

	if (img_ref_parse(in, NULL, &r, err, sizeof(err)))
		fail_msg("'%s' refused: %s", in, err);
	assert_int_equal(img_ref_format(&r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, canonical);
}

static void expect_error(const char *in, const char *needle)
{
	img_ref_t r;
	char err[IMG_ERR_MAX] = "";

	if (img_ref_parse(in, NULL, &r, err, sizeof(err)) != -1)
		fail_msg("'%s' accepted", in);
	if (!strstr(err, needle))
		fail_msg("error for '%s' is '%s', wanted '%s'", in, err, needle);
}

static void test_docker_hub_names(void **state)
{
	(void)state;
	expect_ref("ubuntu", "docker://registry-1.docker.io/library/ubuntu:latest");
	expect_ref("ubuntu:22.04", "docker://registry-1.docker.io/library/ubuntu:22.04");
	expect_ref("docker://busybox:1.36", "docker://registry-1.docker.io/library/busybox:1.36");
	expect_ref("nvidia/cuda:12.2.0-base-ubuntu22.04",
		   "docker://registry-1.docker.io/nvidia/cuda:12.2.0-base-ubuntu22.04");
	expect_ref("busybox@sha256:" D64, "docker://registry-1.docker.io/library/busybox@sha256:" D64);
	expect_ref("busybox:1.36@sha256:" D64, "docker://registry-1.docker.io/library/busybox:1.36@sha256:" D64);
	/* Docker Hub's other names are the same registry */
	expect_ref("docker.io/busybox", "docker://registry-1.docker.io/library/busybox:latest");
	expect_ref("docker://index.docker.io/nvidia/cuda:12", "docker://registry-1.docker.io/nvidia/cuda:12");
	expect_ref("docker.io#library/ubuntu", "docker://registry-1.docker.io/library/ubuntu:latest");
	assert_true(img_registry_is_hub("Docker.IO", 9));
	assert_false(img_registry_is_hub("docker.io.evil.org", 18));
	assert_false(img_registry_is_hub("docker.i", 8));
}

static void test_registries(void **state)
{
	(void)state;
	expect_ref("nvcr.io/nvidia/pytorch:24.01-py3", "docker://nvcr.io/nvidia/pytorch:24.01-py3");
	expect_ref("nvcr.io#nvidia/pytorch:24.01-py3", "docker://nvcr.io/nvidia/pytorch:24.01-py3");
	expect_ref("127.0.0.1:5000/test/busybox", "docker://127.0.0.1:5000/test/busybox:latest");
	expect_ref("localhost/app:v1", "docker://localhost/app:v1");
	expect_ref("myreg#team/app", "docker://myreg#team/app:latest");  /* a bare host name stays unambiguous */
	expect_ref("docker://harbor.example.org:8443/proj/a.b_c__d-e--f:T_1.x",
		   "docker://harbor.example.org:8443/proj/a.b_c__d-e--f:T_1.x");
	/* a site default replaces Docker Hub, without its library/ prefix */
	{
		img_ref_t r;
		char err[IMG_ERR_MAX];

		assert_int_equal(img_ref_parse("alpine", "mirror.site:5000", &r, err, sizeof(err)), 0);
		assert_string_equal(r.registry, "mirror.site:5000");
		assert_string_equal(r.repo, "alpine");
		assert_int_equal(img_ref_parse("alpine", "bad host", &r, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "default_registry="));
	}
}

static void test_local_images(void **state)
{
	img_ref_t r;
	char err[IMG_ERR_MAX];

	(void)state;
	expect_ref("oci:/srv/images/busybox", "oci:/srv/images/busybox");
	expect_ref("oci:/srv/images/busybox:v2", "oci:/srv/images/busybox:v2");
	expect_ref("oci-archive:/tmp/b.tar:latest", "oci-archive:/tmp/b.tar:latest");
	assert_int_equal(img_ref_parse("oci-archive:/tmp/b.tar", NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.source, IMG_OCI_ARCHIVE);
	assert_string_equal(r.path, "/tmp/b.tar");
	assert_string_equal(r.tag, "");
	expect_error("oci:relative/dir", "absolute path");
	/* a path is a squashfs file, as Pyxis takes it; relative ones are the job's directory's */
	expect_ref("/images/x.sqsh", "/images/x.sqsh");
	assert_int_equal(img_ref_parse("./image.sqsh", NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.source, IMG_SQUASHFS);
	assert_string_equal(r.path, "./image.sqsh");
	expect_ref("../up/x.sqsh", "../up/x.sqsh");
	expect_error(".hidden.sqsh", "a squashfs file is /path or ./path");
	expect_error("/images/dir/", "not a directory");
	expect_error("/images/x\n.sqsh", "control character");
	expect_error("oci:/a/b\x01", "control character");
}

/* enroot's local daemons: the name goes to the daemon as one argument, never an option */
static void test_daemon_images(void **state)
{
	img_ref_t r;
	char err[IMG_ERR_MAX];

	(void)state;
	expect_ref("podman://ubuntu:22.04", "podman://ubuntu:22.04");
	expect_ref("dockerd://nvcr.io/nvidia/pytorch:24.01-py3", "dockerd://nvcr.io/nvidia/pytorch:24.01-py3");
	assert_int_equal(img_ref_parse("podman://localhost/mine@sha256:" D64, NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.source, IMG_PODMAN);
	assert_string_equal(r.path, "localhost/mine@sha256:" D64);
	assert_string_equal(r.registry, "");
	assert_int_equal(img_ref_parse("dockerd://busybox", NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(r.source, IMG_DOCKERD);
	expect_error("podman://", "name the image");
	expect_error("dockerd://--help", "must start with a letter or digit");
	expect_error("podman://a b", "' ' is not allowed");
	expect_error("podman://a;reboot", "';' is not allowed");
	expect_error("dockerd://a\nb", "is not allowed");
	expect_error("podman://a$(id)", "'$' is not allowed");
	{
		char longname[300];

		memcpy(longname, "podman://", 9);
		memset(longname + 9, 'a', 256);
		longname[265] = '\0';
		expect_error(longname, "longer than 255 characters");
		longname[9 + 255] = '\0';
		expect_ref(longname, longname);
	}
}

static void test_bad_references(void **state)
{
	(void)state;
	expect_error("", "is empty");
	expect_error("Ubuntu", "not a repository name");
	expect_error("ubuntu:", "not a valid tag");
	expect_error("ubuntu:-x", "not a valid tag");
	expect_error("ubuntu:a/b", "not a registry");      /* "ubuntu:a" reads as host:port */
	expect_error("a..b/c", "not a registry");
	expect_error("reg.io:0/x", "not a registry");
	expect_error("reg.io:70000/x", "not a registry");
	expect_error("-reg.io/x", "not a registry");
	expect_error("reg.io/x/", "not a repository name");
	expect_error("reg.io//x", "not a repository name");
	expect_error("reg.io/x__-y", "not a repository name");
	expect_error("busybox@sha256:abc", "not a digest");
	expect_error("busybox@sha256:" D64 "0", "not a digest");
	expect_error("busybox@md5:" D64, "not a digest");
	expect_error("busybox@SHA256:" D64, "not a digest");
	expect_error("ba_d#x", "not a registry");
	expect_error("busy box", "not a repository name");
	expect_error("busybox:x\ny", "not a valid tag");
}

static void test_digests(void **state)
{
	(void)state;
	assert_true(img_digest_valid("sha256:" D64));
	assert_true(img_digest_valid("sha512:" D64 D64));
	assert_false(img_digest_valid("sha512:" D64));
	assert_false(img_digest_valid("sha256:" D64 "a"));
	assert_false(img_digest_valid("sha256:"));
	assert_false(img_digest_valid("sha256:../../../../etc/passwd"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_hub_names),
		cmocka_unit_test(test_registries),
		cmocka_unit_test(test_local_images),
		cmocka_unit_test(test_daemon_images),
		cmocka_unit_test(test_bad_references),
		cmocka_unit_test(test_digests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
