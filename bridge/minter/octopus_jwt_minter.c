/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * octopus-jwt-minter - the only process that reads Slurm's HS256 key. It
 * answers on a unix socket (mode 0600, owned by the one uid allowed to
 * connect: the bridge's) with a short token for one named user, after the
 * same refusals the bridge makes (root, SlurmUser, system uids, the deny
 * list, users this host does not know), per-user rate limits, and a log
 * line for every mint and every refusal.
 *
 *   octopus-jwt-minter --key FILE --socket PATH --client-user USER
 *                      [--user NAME] [--lifespan S] [--min-uid N] [--max-uid N]
 *                      [--slurm-user NAME] [--deny a,b] [--rate N]
 *
 * Started as root, it reads the key and binds the socket (0600, owned by
 * the client user), then becomes --user (the key's owner, or any other
 * unprivileged user): the key lives on in memory only. Every connection is
 * also checked by its peer uid.
 */
#define _GNU_SOURCE     /* struct ucred, setresuid */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "mint_jwt.h"
#include "mint_proto.h"
#include "priv_drop.h"
#include "rate_limit.h"
#include "unix_service.h"
#include "user_policy.h"

#define MAX_LIFESPAN 300        /* the bound; Slurm's default is 1800 */

static void usage(FILE *f)
{
	fprintf(f, "usage: octopus-jwt-minter --key FILE --socket PATH --client-user USER [--user RUN-AS]\n"
		   "           [--lifespan SECONDS (<= %d, default %d)] [--min-uid N] [--max-uid N]\n"
		   "           [--slurm-user NAME] [--deny USER,...] [--rate MINTS-PER-MINUTE-PER-USER]\n",
		MAX_LIFESPAN, MAX_LIFESPAN);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct {
	unsigned char key[MINT_KEY_MAX];
	size_t keylen;
	int lifespan;
	uid_t client_uid;
	user_policy_t policy;
	rate_limit_t *rate;
} minter_t;

static void serve(int fd, void *arg)
{
	minter_t *m = arg;
	char req[MINT_REQ_MAX + 1], user[UP_NAME_MAX], why[256], token[MINT_REPLY_MAX - 64];
	struct ucred cred;
	size_t got;
	int64_t retry = 0, now;
	uid_t uid;

	if (!svc_peer_ok(fd, m->client_uid, &cred)) {
		svc_log("refused a connection from uid %d: only uid %u may ask", (int)cred.uid, (unsigned)m->client_uid);
		svc_say(fd, "ERR refused this socket serves uid %u only\n", (unsigned)m->client_uid);
		return;
	}
	/* one short line within 2 s: a stuck client cannot hold the minter */
	got = svc_read_line(fd, req, sizeof(req), 2000);
	if (mint_parse_request(req, got, user, sizeof(user))) {
		svc_say(fd, "ERR bad_request expected 'MINT <user>\\n'\n");
		svc_log("bad request from pid %d (%zu bytes)", (int)cred.pid, got);
		return;
	}
	if (user_policy_check(&m->policy, user, &uid, why, sizeof(why))) {
		svc_say(fd, "ERR refused %s\n", why);
		svc_log("refused %s (pid %d): %s", user, (int)cred.pid, why);
		return;
	}
	if (!rate_limit_take(m->rate, user, now_ms(), &retry)) {
		svc_say(fd, "ERR rate_limited too many tokens for %s; next in %lld ms\n", user, (long long)retry);
		svc_log("rate-limited %s", user);
		return;
	}
	now = (int64_t)time(NULL);
	if (mint_token(m->key, m->keylen, user, now, m->lifespan, token, sizeof(token))) {
		svc_say(fd, "ERR internal could not sign the token\n");
		svc_log("signing a token for %s failed", user);
		return;
	}
	svc_say(fd, "OK %lld %s\n", (long long)(now + m->lifespan), token);
	svc_log("minted for %s uid=%u exp=%lld (pid %d)", user, (unsigned)uid, (long long)(now + m->lifespan),
	      (int)cred.pid);
}

/* Become user for good: no way back to root, no supplementary groups. */
static int drop_to(const char *user)
{
	struct passwd *pw = getpwnam(user);

	if (!pw) {
		svc_log("--user %s does not exist", user);
		return -1;
	}
	if (!pw->pw_uid) {
		svc_log("--user %s is root: name an unprivileged user", user);
		return -1;
	}
	if (priv_drop(pw, 0)) {
		if (errno == EPERM && !geteuid())
			svc_log("--user %s: root could be regained; refusing to run", user);
		else
			svc_log("--user %s: %s (start the minter as root to use --user)", user, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, 0, 'k' },        { "socket", required_argument, 0, 's' },
		{ "client-user", required_argument, 0, 'c' }, { "lifespan", required_argument, 0, 'l' },
		{ "min-uid", required_argument, 0, 'm' },     { "max-uid", required_argument, 0, 'M' },
		{ "slurm-user", required_argument, 0, 'u' },  { "deny", required_argument, 0, 'd' },
		{ "rate", required_argument, 0, 'r' },        { "help", no_argument, 0, 'h' },
		{ "user", required_argument, 0, 'U' },
		{ 0, 0, 0, 0 },
	};
	static minter_t m;
	const char *key = NULL, *sock = NULL, *client = NULL, *run_as = NULL;
	unsigned rate = 60;
	char why[512];
	int c, lfd;

	m.lifespan = MAX_LIFESPAN;
	user_policy_defaults(&m.policy);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *e = NULL;
		long v = 0;

		if (strchr("lmMr", c)) {
			v = strtol(optarg, &e, 10);
			if (*e || v < 0 || v > 10000000) {
				const char *name = "?";

				for (const struct option *o = opts; o->name; o++)
					if (o->val == c)
						name = o->name;
				fprintf(stderr, "octopus-jwt-minter: --%s takes a number, not '%s'\n", name, optarg);
				return 2;
			}
		}
		switch (c) {
		case 'k': key = optarg; break;
		case 's': sock = optarg; break;
		case 'c': client = optarg; break;
		case 'U': run_as = optarg; break;
		case 'l':
			if (v < 10 || v > MAX_LIFESPAN) {
				fprintf(stderr, "octopus-jwt-minter: --lifespan is 10 to %d seconds\n", MAX_LIFESPAN);
				return 2;
			}
			m.lifespan = (int)v;
			break;
		case 'm': m.policy.min_uid = (uid_t)v; break;
		case 'M': m.policy.max_uid = (uid_t)v; break;
		case 'r': rate = (unsigned)v; break;
		case 'u':
			if (!user_name_valid(optarg)) {
				fprintf(stderr, "octopus-jwt-minter: --slurm-user '%s' is not a login name\n", optarg);
				return 2;
			}
			snprintf(m.policy.slurm_user, sizeof(m.policy.slurm_user), "%s", optarg);
			break;
		case 'd':
			if (user_policy_set_deny(&m.policy, optarg, why, sizeof(why))) {
				fprintf(stderr, "octopus-jwt-minter: --deny: %s\n", why);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!key || !sock || !client || optind != argc) {
		usage(stderr);
		return 2;
	}
	{
		struct passwd *pw = getpwnam(client);

		if (!pw) {
			fprintf(stderr, "octopus-jwt-minter: --client-user %s does not exist\n", client);
			return 2;
		}
		m.client_uid = pw->pw_uid;
	}
	if (mint_key_load(key, m.key, &m.keylen, why, sizeof(why))) {
		fprintf(stderr, "octopus-jwt-minter: --key: %s\n", why);
		return 1;
	}
	if (!(m.rate = rate_limit_new(rate ? rate : 1, rate ? rate : 1, 4096))) {
		fprintf(stderr, "octopus-jwt-minter: --rate must be at least 1\n");
		return 2;
	}
	svc_init("octopus-jwt-minter");
	if ((lfd = svc_listen(sock, m.client_uid)) < 0)
		return 1;
	if (run_as && drop_to(run_as))
		return 1;
	svc_log("serving %s for uid %u (%s); tokens live %d s; users uid %u-%u, not %s%s", sock,
	      (unsigned)m.client_uid, client, m.lifespan, (unsigned)m.policy.min_uid, (unsigned)m.policy.max_uid,
	      m.policy.slurm_user, m.policy.ndeny ? ", not the deny list" : "");
	svc_loop(lfd, sock, serve, NULL, &m);
	memset(m.key, 0, sizeof(m.key));
	rate_limit_free(m.rate);
	svc_log("stopped");
	return 0;
}
