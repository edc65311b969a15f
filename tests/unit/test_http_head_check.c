// SPDX-License-Identifier: GPL-2.0-or-later
/* http_head_check: every head libmicrohttpd would answer with its own HTML
 * page is refused here with the status it would have used (or a stricter
 * one) and a message naming the fix; every well-formed head passes, and a
 * head cut short is "more", never a refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "http_head_check.h"

static const head_limits_t lim = { .max_head = 1024, .max_line = 256, .max_fields = 10 };

static int check(const char *s, head_verdict_t *v)
{
	return http_head_check(s, strlen(s), &lim, v);
}

#define REFUSED(head, want_status, want_code, want_words)                                                     \
	do {                                                                                                  \
		head_verdict_t v_;                                                                            \
		int rc_ = check(head, &v_);                                                                   \
		if (rc_ != HEAD_REFUSE)                                                                       \
			fail_msg("%s: not refused (%d)", #head, rc_);                                         \
		assert_int_equal(v_.status, want_status);                                                     \
		assert_string_equal(v_.code, want_code);                                                      \
		if (!strstr(v_.message, want_words))                                                          \
			fail_msg("%s: message '%s' lacks '%s'", #head, v_.message, want_words);               \
	} while (0)

static void test_good_heads_pass(void **state)
{
	static const char *const ok[] = {
		"GET /api/v1/me HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}",
		"GET / HTTP/1.0\r\n\r\n",                                       /* 1.0 needs no Host */
		"GET /a HTTP/1.1\nHost: x\n\n",                                 /* bare LF lines */
		"\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n",                       /* RFC 9112 2.2 */
		"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET http://x/api/v1/me HTTP/1.1\r\nHost: x\r\n\r\n",           /* absolute form */
		"GET /a?b=%20c HTTP/1.1\r\nHost: x\r\nX-Name: caf\xc3\xa9\tok \r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n",
		"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n",        /* a pipelined second one */
		"M-SEARCH /a HTTP/1.1\r\nHost: x\r\nX-Empty:\r\n\r\n",
	};
	head_verdict_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (check(ok[i], &v) != HEAD_OK)
			fail_msg("refused %s: %d %s", ok[i], v.status, v.message);
}

static void test_cut_heads_want_more(void **state)
{
	static const char whole[] = "POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n";
	head_verdict_t v;

	(void)state;
	for (size_t n = 0; n < sizeof(whole) - 1; n++)
		if (http_head_check(whole, n, &lim, &v) != HEAD_MORE)
			fail_msg("a head cut at %zu bytes is not 'more'", n);
	assert_int_equal(http_head_check(whole, sizeof(whole) - 1, &lim, &v), HEAD_OK);
}

static void test_request_line(void **state)
{
	(void)state;
	REFUSED("GARBAGE\r\n\r\n", 400, "malformed_request", "METHOD SP /path SP HTTP/1.1");
	REFUSED("GET /a\r\nHost: x\r\n\r\n", 400, "malformed_request", "no HTTP version");
	REFUSED("GET  /a HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed_request", "one space each");
	REFUSED("GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed_request", "%20");
	REFUSED("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed_request", "percent-encode");
	REFUSED("GET a HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed_request", "starting with /");
	REFUSED("G(T /a HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed_request", "METHOD");
	REFUSED("GET /a HTTP/1.1x\r\nHost: x\r\n\r\n", 400, "malformed_request", "HTTP/1.1 or HTTP/1.0");
	REFUSED("GET /a http/1.1\r\nHost: x\r\n\r\n", 400, "malformed_request", "HTTP/1.1 or HTTP/1.0");
	REFUSED("GET /a HTTP/2.0\r\nHost: x\r\n\r\n", 505, "http_version_not_supported", "HTTP/2.0");
	REFUSED("GET /a HTTP/0.9\r\n\r\n", 505, "http_version_not_supported", "use HTTP/1.1");
	REFUSED("GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "malformed_request", "control byte");
	/* binary on the port: refused at once, not after the timeout */
	REFUSED("\x16\x03\x01\x02\x00\x01", 400, "malformed_request", "TLS");
}

static void test_fields(void **state)
{
	(void)state;
	REFUSED("GET /a HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400, "malformed_request", "folded");
	REFUSED("GET /a HTTP/1.1\r\nHost : x\r\n\r\n", 400, "malformed_request", "no space before it");
	REFUSED("GET /a HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400, "malformed_request", "'NoColon'");
	REFUSED("GET /a HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n", 400, "malformed_request", "Name: value");
	REFUSED("GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\x01z\r\n\r\n", 400, "malformed_request", "X-A header holds a control byte");
	REFUSED("GET /a HTTP/1.1\r\nAccept: */*\r\n\r\n", 400, "malformed_request", "needs a Host header");
	REFUSED("GET /a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400, "malformed_request", "Host is given 2 times");
	REFUSED("GET /a HTTP/1.0\r\nHost: x\r\nhost: y\r\n\r\n", 400, "malformed_request", "Host is given 2 times");
}

static void test_body_framing(void **state)
{
	(void)state;
	REFUSED("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1e3\r\n\r\n", 400, "malformed_request", "Content-Length");
	REFUSED("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400, "malformed_request", "Content-Length");
	REFUSED("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", 400, "malformed_request", "Content-Length");
	REFUSED("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 1234567890123456789\r\n\r\n", 413, "body_too_large",
		"1234567890123456789");
	REFUSED("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400, "malformed_request",
		"different values");
	REFUSED("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 411, "length_required",
		"send the body with Content-Length");
	/* both: the request-smuggling shape */
	REFUSED("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400,
		"malformed_request", "Transfer-Encoding");
}

static void test_sizes(void **state)
{
	char big[2048];
	head_verdict_t v;
	int n;

	(void)state;
	/* a request line over max_line, whole or still arriving */
	n = snprintf(big, sizeof(big), "GET /%0300d HTTP/1.1\r\nHost: x\r\n\r\n", 0);
	assert_true(n > 0);
	REFUSED(big, 414, "uri_too_long", "over 256 bytes");
	big[200] = '\0';
	assert_int_equal(check(big, &v), HEAD_MORE);
	n = snprintf(big, sizeof(big), "GET /%0300d", 0);
	REFUSED(big, 414, "uri_too_long", "shorten the path");
	/* fields over max_head, whole or still arriving */
	n = snprintf(big, sizeof(big), "GET /a HTTP/1.1\r\nHost: x\r\nX-Big: %01100d\r\n\r\n", 0);
	REFUSED(big, 431, "headers_too_large", "over 1024 bytes");
	big[n - 4] = '\0';
	REFUSED(big, 431, "headers_too_large", "fewer or shorter");
	/* exactly at the limit passes, one byte over does not */
	n = snprintf(big, sizeof(big), "GET /a HTTP/1.1\r\nHost: x\r\nX: %0*d\r\n\r\n", 1024 - 33, 0);
	assert_int_equal(n, 1024);
	assert_int_equal(check(big, &v), HEAD_OK);
	n = snprintf(big, sizeof(big), "GET /a HTTP/1.1\r\nHost: x\r\nX: %0*d\r\n\r\n", 1025 - 33, 0);
	REFUSED(big, 431, "headers_too_large", "over 1024");
	/* too many fields */
	strcpy(big, "GET /a HTTP/1.1\r\nHost: x\r\n");
	for (int i = 0; i < 10; i++)
		strcat(big, "X: y\r\n");
	strcat(big, "\r\n");
	REFUSED(big, 431, "headers_too_large", "over 10 header fields");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_heads_pass), cmocka_unit_test(test_cut_heads_want_more),
		cmocka_unit_test(test_request_line),    cmocka_unit_test(test_fields),
		cmocka_unit_test(test_body_framing),    cmocka_unit_test(test_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
