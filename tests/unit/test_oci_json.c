/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "oci_json.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static const char index_json[] =
	"{\"schemaVersion\":2,\"manifests\":["
	"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D1 "\",\"size\":500,"
	"\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"},\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}},"
	"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D2 "\",\"size\":501,"
	"\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"},\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}";

static void test_index_pick(void **state)
{
	oci_blob_t b;
	char err[256];

	(void)state;
	assert_int_equal(oci_index_pick(index_json, strlen(index_json), "v1", NULL, &b, err, sizeof(err)), 0);
	assert_string_equal(b.digest, D1);
	assert_int_equal(b.size, 500);
	assert_int_equal(b.media, OCI_MT_MANIFEST);
	assert_int_equal(oci_index_pick(index_json, strlen(index_json), NULL, "amd64", &b, err, sizeof(err)), 0);
	assert_string_equal(b.digest, D2);
	assert_int_equal(oci_index_pick(index_json, strlen(index_json), "v9", NULL, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no manifest named 'v9'"));
	assert_int_equal(oci_index_pick(index_json, strlen(index_json), NULL, "s390x", &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "linux/s390x"));
	assert_int_equal(oci_index_pick(index_json, strlen(index_json), NULL, NULL, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "lists 2 manifests"));
}

static const char manifest_json[] =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" D1 "\",\"size\":300},"
	"\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" D2 "\",\"size\":1000},"
	"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\",\"digest\":\"" D3 "\",\"size\":2000}]}";

static void test_manifest(void **state)
{
	oci_manifest_t m;
	char err[256], bad[1024];

	(void)state;
	assert_int_equal(oci_manifest_parse(manifest_json, strlen(manifest_json), &m, err, sizeof(err)), 0);
	assert_string_equal(m.config.digest, D1);
	assert_int_equal(m.nlayers, 2);
	assert_string_equal(m.layers[0].digest, D2);
	assert_int_equal(m.layers[0].media, OCI_MT_LAYER_GZIP);
	assert_int_equal(m.layers[1].media, OCI_MT_LAYER_ZSTD);
	assert_int_equal(m.layers[1].size, 2000);

	snprintf(bad, sizeof(bad), "%s", manifest_json);
	memcpy(strstr(bad, "tar+zstd"), "tar+lzma", 8);
	assert_int_equal(oci_manifest_parse(bad, strlen(bad), &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "layer 1: unsupported media type"));
	snprintf(bad, sizeof(bad), "%s", manifest_json);
	memcpy(strstr(bad, D3), "sha256:../../..", 15);
	assert_int_equal(oci_manifest_parse(bad, strlen(bad), &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "layer 1: missing or invalid digest"));
	assert_int_equal(oci_manifest_parse("{\"schemaVersion\":1}", 19, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "schema version 2"));
	assert_int_equal(oci_manifest_parse("{\"a\":", 5, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not valid JSON"));
	assert_int_equal(oci_manifest_parse("{} {}", 5, &m, err, sizeof(err)), -1);
}

static void test_config(void **state)
{
	static const char cfg[] =
		"{\"architecture\":\"amd64\",\"config\":{\"Env\":[\"PATH=/usr/local/bin:/usr/bin:/bin\",\"LANG=C.UTF-8\"],"
		"\"WorkingDir\":\"/workspace\",\"Entrypoint\":[\"/init\"],\"Cmd\":[\"sh\",\"-c\",\"echo hi\"]}}";
	oci_config_t c;
	char err[256];

	(void)state;
	assert_int_equal(oci_config_parse(cfg, strlen(cfg), &c, err, sizeof(err)), 0);
	assert_int_equal(c.nenv, 2);
	assert_string_equal(c.env[0], "PATH=/usr/local/bin:/usr/bin:/bin");
	assert_null(c.env[2]);
	assert_string_equal(c.workdir, "/workspace");
	assert_string_equal(c.entrypoint[0], "/init");
	assert_string_equal(c.cmd[2], "echo hi");
	oci_config_free(&c);

	assert_int_equal(oci_config_parse("{\"rootfs\":{}}", 13, &c, err, sizeof(err)), 0);
	assert_null(c.env);
	assert_null(c.workdir);
	assert_int_equal(oci_config_parse("{\"config\":{\"Env\":[\"=x\"]}}", 25, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not NAME=VALUE"));
	assert_int_equal(oci_config_parse("{\"config\":{\"WorkingDir\":\"rel\"}}", 31, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not absolute"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_pick),
		cmocka_unit_test(test_manifest),
		cmocka_unit_test(test_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
