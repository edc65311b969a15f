/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The minter's parts: who gets a token (user_policy), rate limits, the
 * socket protocol, and the token itself checked back with libjwt. */
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
#include <jwt.h>

#include "mint_jwt.h"
#include "mint_proto.h"
#include "rate_limit.h"
#include "user_policy.h"

static void test_names(void **state)
{
	(void)state;
	assert_true(user_name_valid("alice"));
	assert_true(user_name_valid("_svc.a-1"));
	assert_false(user_name_valid(""));
	assert_false(user_name_valid("Alice"));
	assert_false(user_name_valid("1abc"));
	assert_false(user_name_valid("a b"));
	assert_false(user_name_valid("a/../root"));
	assert_false(user_name_valid("abcdefghijabcdefghijabcdefghijabc"));      /* 33 */
	assert_true(volume_name_valid("data-1.v2"));
	assert_false(volume_name_valid("../x"));
	assert_false(volume_name_valid("a..b"));
	assert_false(volume_name_valid("Data"));
	assert_false(volume_name_valid(".x"));
	assert_false(volume_name_valid(""));
	assert_false(volume_name_valid(NULL));
}

static void test_policy_refusals(void **state)
{
	user_policy_t p;
	char why[256];
	uid_t uid = 12345;

	(void)state;
	user_policy_defaults(&p);
	assert_int_equal(user_policy_check(&p, "root", &uid, why, sizeof(why)), -1);
	assert_string_equal(why, "user root has uid 0");
	/* slurmctld would take a token for a missing user as uid 99 */
	assert_int_equal(user_policy_check(&p, "no-such-user-xq", &uid, why, sizeof(why)), -1);
	assert_string_equal(why, "user no-such-user-xq does not exist on this host");
	assert_int_equal(user_policy_check(&p, "daemon", &uid, why, sizeof(why)), -1);
	assert_string_equal(why, "user daemon has uid 1, outside the users' range 1000-60000");
	assert_int_equal(user_policy_check(&p, "nobody", &uid, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "outside the users' range"));
	snprintf(p.slurm_user, sizeof(p.slurm_user), "bin");
	assert_int_equal(user_policy_check(&p, "bin", &uid, why, sizeof(why)), -1);
	assert_string_equal(why, "user bin is SlurmUser");
	assert_int_equal(user_policy_check(&p, "Bad Name", &uid, why, sizeof(why)), -1);
	assert_int_equal(uid, 12345);
}

static void test_policy_allows_and_denies(void **state)
{
	user_policy_t p;
	char why[256];
	uid_t uid = 0;

	(void)state;
	user_policy_defaults(&p);
	p.min_uid = 1;          /* daemon (uid 1) is a user here */
	assert_int_equal(user_policy_check(&p, "daemon", &uid, why, sizeof(why)), 0);
	assert_int_equal(uid, 1);
	assert_int_equal(user_policy_set_deny(&p, "bin,daemon", why, sizeof(why)), 0);
	assert_int_equal(user_policy_check(&p, "daemon", &uid, why, sizeof(why)), -1);
	assert_string_equal(why, "user daemon is on the deny list");
	assert_int_equal(user_policy_set_deny(&p, "ok,Not Ok", why, sizeof(why)), -1);
	assert_string_equal(why, "deny list: 'Not Ok' is not a login name");
}

static void test_rate_limit(void **state)
{
	rate_limit_t *rl = rate_limit_new(60, 3, 2);    /* 1 per second, bursts of 3, two users tracked */
	int64_t retry = 0;

	(void)state;
	assert_non_null(rl);
	assert_null(rate_limit_new(0, 1, 1));
	for (int i = 0; i < 3; i++)
		assert_true(rate_limit_take(rl, "alice", 1000, NULL));
	assert_false(rate_limit_take(rl, "alice", 1000, &retry));
	assert_in_range(retry, 990, 1001);
	/* another user has a bucket of their own */
	assert_true(rate_limit_take(rl, "bob", 1000, NULL));
	assert_true(rate_limit_take(rl, "alice", 2001, NULL));
	assert_false(rate_limit_take(rl, "alice", 2001, NULL));
	/* a third name takes the slot idle longest (bob's); alice keeps hers */
	assert_true(rate_limit_take(rl, "carol", 2002, NULL));
	assert_false(rate_limit_take(rl, "alice", 2003, NULL));
	rate_limit_free(rl);
}

static void test_proto(void **state)
{
	char user[UP_NAME_MAX], tok[512], code[32], msg[128];
	int64_t exp = 0;

	(void)state;
	assert_int_equal(mint_parse_request("MINT alice\n", 11, user, sizeof(user)), 0);
	assert_string_equal(user, "alice");
	assert_int_equal(mint_parse_request("MINT alice", 10, user, sizeof(user)), -1);
	assert_int_equal(mint_parse_request("MINT \n", 6, user, sizeof(user)), -1);
	assert_int_equal(mint_parse_request("MINT ../x\n", 10, user, sizeof(user)), -1);
	assert_int_equal(mint_parse_request("MINT a\nb\n", 9, user, sizeof(user)), -1);
	assert_int_equal(mint_parse_request("mint alice\n", 11, user, sizeof(user)), -1);
	assert_int_equal(mint_parse_reply("OK 1700000300 aaa.bbb.ccc\n", 26, &exp, tok, sizeof(tok), code, sizeof(code),
					  msg, sizeof(msg)), 1);
	assert_int_equal(exp, 1700000300);
	assert_string_equal(tok, "aaa.bbb.ccc");
	assert_int_equal(mint_parse_reply("ERR refused user root has uid 0\n", 32, &exp, tok, sizeof(tok), code,
					  sizeof(code), msg, sizeof(msg)), 0);
	assert_string_equal(code, "refused");
	assert_string_equal(msg, "user root has uid 0");
	assert_int_equal(mint_parse_reply("OK x y\n", 7, &exp, tok, sizeof(tok), code, sizeof(code), msg,
					  sizeof(msg)), -1);
	assert_int_equal(mint_parse_reply("OK 5 a b\n", 9, &exp, tok, sizeof(tok), code, sizeof(code), msg,
					  sizeof(msg)), -1);
	assert_int_equal(mint_parse_reply("HELLO\n", 6, &exp, tok, sizeof(tok), code, sizeof(code), msg,
					  sizeof(msg)), -1);
}

static void test_token_round_trip(void **state)
{
	unsigned char key[32], other[32];
	char tok[2048];
	jwt_t *jwt = NULL;

	(void)state;
	memset(key, 7, sizeof(key));
	memset(other, 8, sizeof(other));
	assert_int_equal(mint_token(key, sizeof(key), "alice", 1700000000, 300, tok, sizeof(tok)), 0);
	assert_int_equal(jwt_decode(&jwt, tok, key, sizeof(key)), 0);
	assert_int_equal(jwt_get_alg(jwt), JWT_ALG_HS256);
	assert_string_equal(jwt_get_grant(jwt, "sun"), "alice");
	assert_int_equal(jwt_get_grant_int(jwt, "iat"), 1700000000);
	assert_int_equal(jwt_get_grant_int(jwt, "exp"), 1700000300);
	jwt_free(jwt);
	jwt = NULL;
	/* another key does not verify it */
	assert_int_not_equal(jwt_decode(&jwt, tok, other, sizeof(other)), 0);
	assert_int_equal(mint_token(key, sizeof(key), "alice", 1700000000, 300, tok, 20), -1);
}

static void test_key_file(void **state)
{
	char path[] = "/tmp/mint-key.XXXXXX", why[256];
	unsigned char key[MINT_KEY_MAX];
	size_t len = 0;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "0123456789abcdef0123456789abcdef", 32), 32);
	close(fd);
	chmod(path, 0600);
	assert_int_equal(mint_key_load(path, key, &len, why, sizeof(why)), 0);
	assert_int_equal(len, 32);
	chmod(path, 0640);
	assert_int_equal(mint_key_load(path, key, &len, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "readable by its owner only"));
	chmod(path, 0600);
	assert_int_equal(truncate(path, 8), 0);
	assert_int_equal(mint_key_load(path, key, &len, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "holds 8 bytes"));
	unlink(path);
	assert_int_equal(mint_key_load(path, key, &len, why, sizeof(why)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_policy_refusals),
		cmocka_unit_test(test_policy_allows_and_denies),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_proto),
		cmocka_unit_test(test_token_round_trip),
		cmocka_unit_test(test_key_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
