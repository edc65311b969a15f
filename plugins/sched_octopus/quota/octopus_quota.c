/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * octopus-quota - machine-type grants for admins and users.
 *
 * Admins grant, revoke and extend time-bounded grants in the ledger;
 * `sync` (run every 30 s by contrib/systemd/octopus-quota-sync.timer)
 * applies them to slurmdbd as GrpTRES=license/mt_<type>=N and writes the
 * grant index job_submit/octopus reads. Users see their grants (`show`)
 * and why a job waits (`why`).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "grant_ledger.h"
#include "mt_catalog.h"
#include "quota_cmds.h"
#include "quota_init.h"

#ifndef OCTOPUS_SLURM_CONFDIR
#define OCTOPUS_SLURM_CONFDIR "/etc/slurm"
#endif
#ifndef OCTOPUS_LEDGER_DEFAULT
#define OCTOPUS_LEDGER_DEFAULT "/var/lib/octopus/grants.db"
#endif

static const char *ledger_path = OCTOPUS_LEDGER_DEFAULT;
static char conf_path[4096];

static void usage(FILE *f)
{
	fprintf(f,
		"usage: octopus-quota [--ledger DB] [--conf octopus.conf] COMMAND ...\n"
		"\n"
		"for everyone:\n"
		"  types                      machine types and their shapes\n"
		"  show [USER]                grants, units in use and end dates (default: you)\n"
		"  why JOBID                  why a job waits, in machine-type terms\n"
		"for admins:\n"
		"  grant USER TYPE UNITS --account ACCT (--days N | --minutes N | --end DATE)\n"
		"        [--start DATE] [--reason TEXT]\n"
		"  revoke ID [--reason TEXT]\n"
		"  extend ID (--days N | --minutes N | --end DATE)\n"
		"  list [--user USER] [--all] grants (active and future ones unless --all)\n"
		"  history ID                 the grant's audit trail\n"
		"  sync [--noop]              apply the ledger to slurmdbd; write the grant index\n"
		"  init [--group GROUP]       create the ledger for the bridge: 0660 root:GROUP in a\n"
		"                             2770 root:GROUP directory (default group: " QUOTA_LEDGER_GROUP ")\n"
		"\n"
		"DATE is YYYY-MM-DD or YYYY-MM-DDTHH:MM (local time).\n"
		"Defaults: --ledger %s, --conf $(dirname $SLURM_CONF)/octopus.conf or %s/octopus.conf\n",
		OCTOPUS_LEDGER_DEFAULT, OCTOPUS_SLURM_CONFDIR);
}

static int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int die(const char *fmt, ...)
{
	va_list ap;

	fputs("octopus-quota: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static void default_conf_path(void)
{
	const char *sc = getenv("SLURM_CONF");
	const char *slash = sc ? strrchr(sc, '/') : NULL;

	if (slash)
		snprintf(conf_path, sizeof(conf_path), "%.*s/octopus.conf", (int)(slash - sc), sc);
	else
		snprintf(conf_path, sizeof(conf_path), "%s/octopus.conf", OCTOPUS_SLURM_CONFDIR);
}

static mt_catalog_t *load_catalog(void)
{
	mt_error_t err;
	mt_catalog_t *cat = mt_catalog_load(conf_path, &err);

	if (!cat)
		die("%s line %u: %s", conf_path, err.line, err.msg);
	return cat;
}

static ledger_t *open_ledger(void)
{
	char err[512];
	struct stat st;
	ledger_t *l;

	/* a new ledger gets the owner, group and modes the bridge needs, where
	 * the group exists (as root); otherwise as before, with a note */
	if (stat(ledger_path, &st) && errno == ENOENT && geteuid() == 0 && getgrnam(QUOTA_LEDGER_GROUP) &&
	    quota_ledger_prepare(ledger_path, QUOTA_LEDGER_GROUP, 0, 0))
		return NULL;
	l = ledger_open(ledger_path, err, sizeof(err));

	if (!l)
		die("%s", err);
	return l;
}

static const char *me(void)
{
	struct passwd *pw = getpwuid(getuid());

	return pw ? pw->pw_name : "unknown";
}

static int parse_date(const char *s, int64_t *out)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	tm.tm_isdst = -1;
	if ((end = strptime(s, "%Y-%m-%dT%H:%M", &tm)) && !*end)
		goto ok;
	memset(&tm, 0, sizeof(tm));
	tm.tm_isdst = -1;
	if ((end = strptime(s, "%Y-%m-%d", &tm)) && !*end)
		goto ok;
	return -1;
ok:
	*out = (int64_t)mktime(&tm);
	return *out == -1 ? -1 : 0;
}

static int parse_num(const char *s, long min, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return (errno || *end || !*s || *out < min || *out > max) ? -1 : 0;
}

static void fmt_time(char *buf, size_t len, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M", &tm))
		snprintf(buf, len, "-");
}

/* --days/--minutes/--end into an end time relative to start. */
typedef struct {
	const char *account, *reason, *end, *start, *user;
	long days, minutes;
	int all, noop;
} opts_t;

static int parse_opts(int argc, char **argv, opts_t *o)
{
	static const struct option lo[] = {
		{ "account", required_argument, NULL, 'a' }, { "reason", required_argument, NULL, 'r' },
		{ "end", required_argument, NULL, 'e' },     { "start", required_argument, NULL, 's' },
		{ "days", required_argument, NULL, 'd' },    { "minutes", required_argument, NULL, 'm' },
		{ "user", required_argument, NULL, 'u' },    { "all", no_argument, NULL, 'A' },
		{ "noop", no_argument, NULL, 'n' },          { NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->days = o->minutes = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", lo, NULL)) != -1) {
		switch (c) {
		case 'a': o->account = optarg; break;
		case 'r': o->reason = optarg; break;
		case 'e': o->end = optarg; break;
		case 's': o->start = optarg; break;
		case 'u': o->user = optarg; break;
		case 'A': o->all = 1; break;
		case 'n': o->noop = 1; break;
		case 'd':
			if (parse_num(optarg, 1, 3650, &o->days))
				return die("--days takes a number of days from 1 to 3650");
			break;
		case 'm':
			if (parse_num(optarg, 1, 5256000, &o->minutes))
				return die("--minutes takes a number of minutes");
			break;
		default:
			return die("unknown option (see octopus-quota --help)");
		}
	}
	return 0;
}

static int end_from_opts(const opts_t *o, int64_t start, int64_t *end)
{
	int given = (o->days > 0) + (o->minutes > 0) + (o->end != NULL);

	if (given != 1)
		return die("give exactly one of --days N, --minutes N or --end DATE");
	if (o->days > 0)
		*end = start + (int64_t)o->days * 86400;
	else if (o->minutes > 0)
		*end = start + (int64_t)o->minutes * 60;
	else if (parse_date(o->end, end))
		return die("--end %s: use YYYY-MM-DD or YYYY-MM-DDTHH:MM", o->end);
	if (*end <= start)
		return die("the grant must end after it starts");
	return 0;
}

static int cmd_types(void)
{
	mt_catalog_t *cat = load_catalog();
	static char buf[64 * 1024];

	if (!cat)
		return 1;
	mt_catalog_describe(cat, buf, sizeof(buf));
	fputs(buf, stdout);
	mt_catalog_free(cat);
	return 0;
}

static int cmd_grant(int argc, char **argv)
{
	opts_t o;
	gl_grant_t g;
	mt_catalog_t *cat;
	ledger_t *l;
	long units;
	int64_t id;

	if (argc < 4)
		return die("usage: grant USER TYPE UNITS --account ACCT (--days N | --minutes N | --end DATE)");
	if (parse_opts(argc - 3, argv + 3, &o))
		return 1;
	if (!o.account)
		return die("grant: --account ACCT is required (the Slurm account the units are charged to)");
	if (parse_num(argv[3], 1, 100000, &units))
		return die("grant: UNITS must be a number from 1 to 100000 (got '%s')", argv[3]);
	if (!(cat = load_catalog()))
		return 1;
	if (mt_catalog_find_type(cat, argv[2]) < 0) {
		char list[512];

		mt_catalog_type_list(cat, NULL, list, sizeof(list));
		mt_catalog_free(cat);
		return die("grant: unknown machine type '%s' (valid: %s)", argv[2], list);
	}
	mt_catalog_free(cat);
	if (!getpwnam(argv[1]))
		return die("grant: no such user '%s'", argv[1]);

	memset(&g, 0, sizeof(g));
	snprintf(g.user, sizeof(g.user), "%s", argv[1]);
	snprintf(g.machine_type, sizeof(g.machine_type), "%s", argv[2]);
	snprintf(g.account, sizeof(g.account), "%s", o.account);
	snprintf(g.reason, sizeof(g.reason), "%s", o.reason ? o.reason : "");
	snprintf(g.approver, sizeof(g.approver), "%s", me());
	g.units = (uint32_t)units;
	g.start = time(NULL);
	if (o.start && parse_date(o.start, &g.start))
		return die("--start %s: use YYYY-MM-DD or YYYY-MM-DDTHH:MM", o.start);
	if (end_from_opts(&o, g.start, &g.end))
		return 1;
	if (!(l = open_ledger()))
		return 1;
	id = ledger_grant(l, &g, me());
	if (id < 0) {
		int rc = die("grant: %s", ledger_errmsg(l));

		ledger_close(l);
		return rc;
	}
	ledger_close(l);
	printf("grant %" PRId64 ": %s may use %" PRIu32 " x %s on account %s until ", id, g.user, g.units,
	       g.machine_type, g.account);
	{
		char t[32];

		fmt_time(t, sizeof(t), g.end);
		printf("%s (takes effect at the next sync)\n", t);
	}
	return 0;
}

static int cmd_revoke_extend(int argc, char **argv, int extend)
{
	opts_t o;
	ledger_t *l;
	long id;
	int rc;

	if (argc < 2 || parse_num(argv[1], 1, INT32_MAX, &id))
		return die("usage: %s ID ...", argv[0]);
	if (parse_opts(argc - 1, argv + 1, &o) || !(l = open_ledger()))
		return 1;
	if (extend) {
		gl_grant_t g;
		int64_t end;

		if (ledger_get(l, id, &g) || end_from_opts(&o, g.end, &end)) {
			rc = g.id ? 1 : die("%s", ledger_errmsg(l));
			ledger_close(l);
			return rc;
		}
		/* --end is absolute; --days/--minutes extend the current end */
		rc = ledger_extend(l, id, end, me());
	} else {
		rc = ledger_revoke(l, id, me(), o.reason ? o.reason : "");
	}
	if (rc)
		rc = die("%s: %s", argv[0], ledger_errmsg(l));
	else
		printf("grant %ld %s (takes effect at the next sync)\n", id, extend ? "extended" : "revoked");
	ledger_close(l);
	return rc;
}

static int print_grant(const gl_grant_t *g, void *arg)
{
	const opts_t *o = arg;
	int64_t now = time(NULL);
	const char *state = g->status == GL_REVOKED ? "revoked" : g->end <= now ? "expired" : g->start > now ? "future" : "active";
	char s[32], e[32];

	if (!o->all && strcmp(state, "active") && strcmp(state, "future"))
		return 0;
	fmt_time(s, sizeof(s), g->start);
	fmt_time(e, sizeof(e), g->end);
	printf("%-6" PRId64 " %-12s %-12s %-14s %5" PRIu32 "  %-16s %-16s %-8s %-10s %s\n", g->id, g->user, g->account,
	       g->machine_type, g->units, s, e, state, g->approver, g->reason);
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	opts_t o;
	ledger_t *l;
	int rc;

	if (parse_opts(argc, argv, &o) || !(l = open_ledger()))
		return 1;
	printf("%-6s %-12s %-12s %-14s %5s  %-16s %-16s %-8s %-10s %s\n", "ID", "USER", "ACCOUNT", "TYPE", "UNITS",
	       "START", "END", "STATE", "APPROVER", "REASON");
	rc = ledger_foreach(l, o.user, print_grant, &o) ? die("%s", ledger_errmsg(l)) : 0;
	ledger_close(l);
	return rc;
}

static int print_history(int64_t at, const char *actor, const char *action, const char *detail, void *arg)
{
	char t[32];

	(void)arg;
	fmt_time(t, sizeof(t), at);
	printf("%s %-10s %-8s %s\n", t, actor, action, detail);
	return 0;
}

static int cmd_history(int argc, char **argv)
{
	ledger_t *l;
	long id;
	gl_grant_t g;
	int rc = 0;

	if (argc < 2 || parse_num(argv[1], 1, INT32_MAX, &id))
		return die("usage: history ID");
	if (!(l = open_ledger()))
		return 1;
	if (ledger_get(l, id, &g))
		rc = die("%s", ledger_errmsg(l));
	else
		ledger_history(l, id, print_history, NULL);
	ledger_close(l);
	return rc;
}

static int cmd_sync(int argc, char **argv)
{
	opts_t o;
	ledger_t *l;
	mt_catalog_t *cat;
	char lockpath[4200];
	int lockfd, rc;

	if (parse_opts(argc, argv, &o))
		return 1;
	if (!(cat = load_catalog()))
		return 1;
	/* one sync at a time: the timer and an admin may overlap */
	snprintf(lockpath, sizeof(lockpath), "%s.lock", ledger_path);
	if ((lockfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0 || flock(lockfd, LOCK_EX)) {
		mt_catalog_free(cat);
		if (lockfd >= 0)
			close(lockfd);
		return die("cannot lock %s: %s", lockpath, strerror(errno));
	}
	if (!(l = open_ledger())) {
		mt_catalog_free(cat);
		close(lockfd);
		return 1;
	}
	rc = quota_sync(l, cat, o.noop, time(NULL));
	ledger_close(l);
	mt_catalog_free(cat);
	close(lockfd);
	return rc;
}

static int cmd_show(int argc, char **argv)
{
	mt_catalog_t *cat = load_catalog();
	int rc;

	if (!cat)
		return 1;
	rc = quota_show(cat, argc > 1 ? argv[1] : me());
	mt_catalog_free(cat);
	return rc;
}

static int cmd_why(int argc, char **argv)
{
	mt_catalog_t *cat;
	long id;
	int rc;

	if (argc < 2 || parse_num(argv[1], 1, INT32_MAX, &id))
		return die("usage: why JOBID");
	if (!(cat = load_catalog()))
		return 1;
	rc = quota_why(cat, argv[1]);
	mt_catalog_free(cat);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "ledger", required_argument, NULL, 'l' }, { "conf", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 }
	};
	int c;

	default_conf_path();
	while ((c = getopt_long(argc, argv, "+h", lo, NULL)) != -1) {
		switch (c) {
		case 'l': ledger_path = optarg; break;
		case 'c': snprintf(conf_path, sizeof(conf_path), "%s", optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[0], "types"))
		return cmd_types();
	if (!strcmp(argv[0], "grant"))
		return cmd_grant(argc, argv);
	if (!strcmp(argv[0], "revoke"))
		return cmd_revoke_extend(argc, argv, 0);
	if (!strcmp(argv[0], "extend"))
		return cmd_revoke_extend(argc, argv, 1);
	if (!strcmp(argv[0], "list"))
		return cmd_list(argc, argv);
	if (!strcmp(argv[0], "history"))
		return cmd_history(argc, argv);
	if (!strcmp(argv[0], "sync"))
		return cmd_sync(argc, argv);
	if (!strcmp(argv[0], "init")) {
		const char *group = QUOTA_LEDGER_GROUP;

		if (argc == 3 && !strcmp(argv[1], "--group"))
			group = argv[2];
		else if (argc != 1)
			return die("usage: octopus-quota [--ledger DB] init [--group GROUP]");
		return quota_ledger_prepare(ledger_path, group, 1, 1) ? 1 : 0;
	}
	if (!strcmp(argv[0], "show"))
		return cmd_show(argc, argv);
	if (!strcmp(argv[0], "why"))
		return cmd_why(argc, argv);
	usage(stderr);
	return 2;
}
