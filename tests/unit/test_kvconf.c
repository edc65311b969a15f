/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "kvconf.h"

static kv_doc_t *parse_ok(const char *text)
{
	kv_doc_t *doc = NULL;
	kv_error_t err;

	if (kv_parse(text, strlen(text), &doc, &err) != 0)
		fail_msg("unexpected parse error at line %u: %s", err.line, err.msg);
	return doc;
}

static void expect_error(const char *text, unsigned line, const char *needle)
{
	kv_doc_t *doc = (kv_doc_t *)0x1;
	kv_error_t err;

	assert_int_equal(kv_parse(text, strlen(text), &doc, &err), -1);
	assert_null(doc);
	assert_int_equal(err.line, line);
	if (!strstr(err.msg, needle))
		fail_msg("error '%s' does not mention '%s'", err.msg, needle);
}

static void test_records_and_pairs(void **state)
{
	kv_doc_t *doc = parse_ok("# catalog\n"
				 "MachineType=a100x1 CPUs=8 Gres=gpu:a100:1\n"
				 "\n"
				 "  MachineType=cpu4   CPUs=4  # trailing comment\n");
	assert_int_equal(doc->nrecords, 2);
	assert_int_equal(doc->records[0].lineno, 2);
	assert_int_equal(doc->records[0].npairs, 3);
	assert_string_equal(doc->records[0].pairs[0].key, "MachineType");
	assert_string_equal(doc->records[0].pairs[0].value, "a100x1");
	assert_string_equal(kv_record_get(&doc->records[0], "gres"), "gpu:a100:1");
	assert_int_equal(doc->records[1].lineno, 4);
	assert_string_equal(kv_record_get(&doc->records[1], "CPUS"), "4");
	assert_null(kv_record_get(&doc->records[1], "Gres"));
	kv_doc_free(doc);
}

static void test_quotes_keep_spaces_and_hashes(void **state)
{
	kv_doc_t *doc = parse_ok("MachineType=x Description=\"8 cores # and a GPU\" Empty=\n");
	assert_string_equal(kv_record_get(&doc->records[0], "Description"), "8 cores # and a GPU");
	assert_string_equal(kv_record_get(&doc->records[0], "Empty"), "");
	kv_doc_free(doc);
}

static void test_continuation_joins_lines(void **state)
{
	kv_doc_t *doc = parse_ok("MachineType=x \\\n   CPUs=2\nOther=y\n");
	assert_int_equal(doc->nrecords, 2);
	assert_int_equal(doc->records[0].lineno, 1);
	assert_string_equal(kv_record_get(&doc->records[0], "CPUs"), "2");
	assert_int_equal(doc->records[1].lineno, 3);
	kv_doc_free(doc);
}

static void test_crlf_and_no_final_newline(void **state)
{
	kv_doc_t *doc = parse_ok("A=1\r\nB=2");
	assert_int_equal(doc->nrecords, 2);
	assert_string_equal(kv_record_get(&doc->records[0], "A"), "1");
	assert_string_equal(kv_record_get(&doc->records[1], "B"), "2");
	kv_doc_free(doc);
}

static void test_errors_name_line_and_fix(void **state)
{
	expect_error("A=1\nMachineType=x CPUs\n", 2, "'CPUs'");
	expect_error("A=1\n\nB=\"open\n", 3, "unterminated quote");
	expect_error("A=1 B=2 a=3\n", 1, "given twice");
	expect_error("A=ab\"c\"\n", 1, "stray quote");
	expect_error("A=\"x\"y\n", 1, "after closing quote");
	expect_error("=5\n", 1, "Key=Value");
}

static void test_nul_byte_rejected(void **state)
{
	const char text[] = "A=1\nB=\0\n";
	kv_doc_t *doc;
	kv_error_t err;

	assert_int_equal(kv_parse(text, sizeof(text) - 1, &doc, &err), -1);
	assert_int_equal(err.line, 2);
}

static void test_bounds(void **state)
{
	size_t n = KV_MAX_LINE + 10;
	char *big = malloc(n + 1);
	kv_doc_t *doc;
	kv_error_t err;

	memset(big, 'a', n);
	big[0] = 'A';
	big[1] = '=';
	big[n] = '\0';
	assert_int_equal(kv_parse(big, n, &doc, &err), -1);
	assert_non_null(strstr(err.msg, "longer than"));
	free(big);

	/* KV_MAX_PAIRS + 1 pairs on one line */
	char line[KV_MAX_PAIRS * 8 + 16] = "";
	for (int i = 0; i <= KV_MAX_PAIRS; i++) {
		char kv[16];
		snprintf(kv, sizeof(kv), "K%d=1 ", i);
		strcat(line, kv);
	}
	expect_error(line, 1, "more than");
	assert_int_equal(kv_parse("x", KV_MAX_INPUT + 1, &doc, &err), -1);
}

static void test_parse_file(void **state)
{
	char path[] = "/tmp/octo-kvconf-XXXXXX";
	int fd = mkstemp(path);
	kv_doc_t *doc;
	kv_error_t err;
	const char *text = "PartitionDefault=gpu Type=a100x1\n";

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(kv_parse_file(path, &doc, &err), 0);
	assert_string_equal(kv_record_get(&doc->records[0], "type"), "a100x1");
	kv_doc_free(doc);
	unlink(path);

	assert_int_equal(kv_parse_file(path, &doc, &err), -1);
	assert_non_null(strstr(err.msg, "cannot open"));
	assert_int_equal(kv_parse_file("/tmp", &doc, &err), -1);
	assert_non_null(strstr(err.msg, "not a regular file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records_and_pairs),
		cmocka_unit_test(test_quotes_keep_spaces_and_hashes),
		cmocka_unit_test(test_continuation_joins_lines),
		cmocka_unit_test(test_crlf_and_no_final_newline),
		cmocka_unit_test(test_errors_name_line_and_fix),
		cmocka_unit_test(test_nul_byte_rejected),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_parse_file),
	};
	return cmocka_run_group_tests_name("kvconf", tests, NULL, NULL);
}
