/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "policy_state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctld_shim.h"
#include "latency.h"

#define WATCH_PERIOD_S 1

static pthread_rwlock_t state_lock = PTHREAD_RWLOCK_INITIALIZER;
static policy_t *current;
static grantidx_t *current_gi;

static pthread_mutex_t watch_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t watch_cond = PTHREAD_COND_INITIALIZER;
static pthread_t watch_thread;
static bool watch_running, watch_stop;

static char *conf_path;
static char *last_good_path;      /* StateSaveLocation/octopus.conf.last-good, or NULL */
static time_t seen_conf_update;
/* octopus.conf as last read: a second reconfigure within the same second
 * leaves last_update unchanged, so the file itself is compared too */
static struct stat seen_conf_st;
static struct timespec seen_gi_mtime;
static ino_t seen_gi_ino;
static char seen_gi_path[4096];

static void policy_free(policy_t *p)
{
	if (!p)
		return;
	mt_catalog_free(p->cat);
	free(p);
}

static policy_t *policy_build(mt_catalog_t *cat)
{
	policy_t *p = calloc(1, sizeof(*p));

	if (!p) {
		mt_catalog_free(cat);
		return NULL;
	}
	p->cat = cat;
	/* names resolve to uids here, off the submit path */
	for (size_t i = 0; i < cat->nexempt; i++) {
		struct passwd pw, *res = NULL;
		char buf[4096];

		if (getpwnam_r(cat->exempt_users[i], &pw, buf, sizeof(buf), &res) || !res) {
			error("octopus: ExemptUsers: no such user '%s' (ignored)", cat->exempt_users[i]);
			continue;
		}
		p->exempt_uids[p->nexempt++] = res->pw_uid;
	}
	return p;
}

#define CONF_COPY_MAX (4 << 20)

/* Copy src to dst (created 0600, not through a link): 0, or -1. */
static int copy_file(const char *src, const char *dst)
{
	char buf[65536];
	int in = open(src, O_RDONLY | O_CLOEXEC), out;
	size_t total = 0;
	ssize_t n = 0;

	if (in < 0)
		return -1;
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		return -1;
	}
	while (total <= CONF_COPY_MAX && (n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
		total += (size_t)n;
	}
	close(in);
	if (close(out) || n < 0 || total > CONF_COPY_MAX) {
		unlink(dst);
		return -1;
	}
	return 0;
}

/*
 * The catalog of octopus.conf. What loads is what was copied first, and
 * the copy becomes the last good one (StateSaveLocation): from 23.11 a
 * reconfigure restarts slurmctld, so init() sees a broken file with no
 * catalog in memory, and only this copy keeps the controller up.
 */
static mt_catalog_t *load_conf(mt_error_t *err)
{
	char tmp[PATH_MAX];
	mt_catalog_t *cat;

	if (!last_good_path || snprintf(tmp, sizeof(tmp), "%s.new", last_good_path) >= (int)sizeof(tmp) ||
	    copy_file(conf_path, tmp))
		return mt_catalog_load(conf_path, err);
	if ((cat = mt_catalog_load(tmp, err)) && rename(tmp, last_good_path))
		error("octopus: cannot keep a copy of %s as %s: %m", conf_path, last_good_path);
	unlink(tmp);
	return cat;
}

/* Returns 0 when a new catalog is in force. */
static int reload_conf(bool first)
{
	mt_error_t err, err2;
	mt_catalog_t *cat;
	policy_t *p, *old;
	const char *from = conf_path;

	if (stat(conf_path, &seen_conf_st))
		memset(&seen_conf_st, 0, sizeof(seen_conf_st));
	cat = load_conf(&err);

	if (!cat && first && last_good_path && (cat = mt_catalog_load(last_good_path, &err2))) {
		error("octopus: %s line %u: %s; keeping the previous machine-type catalog (%s, the last copy that loaded): fix the file and reconfigure",
		      conf_path, err.line, err.msg, last_good_path);
		from = last_good_path;
	} else if (!cat) {
		if (first)
			error("octopus: %s line %u: %s", conf_path, err.line, err.msg);
		else
			error("octopus: %s line %u: %s; keeping the previous machine-type catalog",
			      conf_path, err.line, err.msg);
		return -1;
	}
	if (!(p = policy_build(cat))) {
		error("octopus: out of memory loading %s", conf_path);
		return -1;
	}
	pthread_rwlock_wrlock(&state_lock);
	old = current;
	current = p;
	pthread_rwlock_unlock(&state_lock);
	policy_free(old);
	info("octopus: loaded %zu machine type(s), %zu policy partition(s) from %s",
	     p->cat->ntypes, p->cat->npartitions, from);
	return 0;
}

/* Reload the grant index when its path, inode or mtime changed. */
static void reload_grantidx(void)
{
	char path[sizeof(seen_gi_path)] = "";
	struct stat st;
	grantidx_t *gi, *old;
	char err[256];

	pthread_rwlock_rdlock(&state_lock);
	if (current && current->cat->grant_index)
		snprintf(path, sizeof(path), "%s", current->cat->grant_index);
	pthread_rwlock_unlock(&state_lock);

	if (!path[0] || stat(path, &st)) {
		if (path[0] && errno != ENOENT)
			error("octopus: GrantIndex %s: %s", path, strerror(errno));
		if (!path[0] || errno == ENOENT) {
			pthread_rwlock_wrlock(&state_lock);
			old = current_gi;
			current_gi = NULL;
			pthread_rwlock_unlock(&state_lock);
			gi_free(old);
			seen_gi_path[0] = '\0';
		}
		return;
	}
	if (!strcmp(path, seen_gi_path) && st.st_ino == seen_gi_ino &&
	    st.st_mtim.tv_sec == seen_gi_mtime.tv_sec && st.st_mtim.tv_nsec == seen_gi_mtime.tv_nsec)
		return;
	if (!(gi = gi_load(path, err, sizeof(err)))) {
		error("octopus: GrantIndex %s: %s; keeping the previous index", path, err);
	} else {
		pthread_rwlock_wrlock(&state_lock);
		old = current_gi;
		current_gi = gi;
		pthread_rwlock_unlock(&state_lock);
		gi_free(old);
		debug("octopus: grant index %s: %zu entries", path, gi_count(gi));
	}
	snprintf(seen_gi_path, sizeof(seen_gi_path), "%s", path);
	seen_gi_ino = st.st_ino;
	seen_gi_mtime = st.st_mtim;
}

/*
 * The file differs from what was read and was written no later than the
 * reconfigure we saw: an edit followed by a reconfigure in the same second
 * as the previous one. An edit after the last reconfigure waits for the next.
 */
static bool conf_edited_by(time_t last_update)
{
	struct stat st;

	if (stat(conf_path, &st))
		return false;
	if (st.st_ino == seen_conf_st.st_ino && st.st_size == seen_conf_st.st_size &&
	    st.st_mtim.tv_sec == seen_conf_st.st_mtim.tv_sec && st.st_mtim.tv_nsec == seen_conf_st.st_mtim.tv_nsec)
		return false;
	return st.st_mtim.tv_sec <= last_update;
}

static void *watch_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&watch_mutex);
	while (!watch_stop) {
		struct timespec ts;
		time_t upd;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += WATCH_PERIOD_S;
		pthread_cond_timedwait(&watch_cond, &watch_mutex, &ts);
		if (watch_stop)
			break;
		pthread_mutex_unlock(&watch_mutex);

		upd = shim_conf_last_update();
		if (upd != seen_conf_update || conf_edited_by(upd)) {
			latency_report_t lr;

			seen_conf_update = upd;
			latency_take(&lr);
			info("octopus: job_submit latency since the last report: n=%" PRIu64 " p50=%" PRIu64 "us p99=%" PRIu64 "us max=%" PRIu64 "us",
			     lr.n, lr.p50_us, lr.p99_us, lr.max_us);
			/* also moves once right after startup, when slurmctld
			 * finishes reading its configuration after our init() */
			info("octopus: slurmctld configuration changed; rereading %s", conf_path);
			reload_conf(false);
		}
		reload_grantidx();

		pthread_mutex_lock(&watch_mutex);
	}
	pthread_mutex_unlock(&watch_mutex);
	return NULL;
}

int policy_start(const char *path)
{
	if (!(conf_path = strdup(path)))
		return -1;
	last_good_path = shim_state_path("octopus.conf.last-good");
	seen_conf_update = shim_conf_last_update();
	if (reload_conf(true))
		return -1;
	reload_grantidx();
	watch_stop = false;
	if (pthread_create(&watch_thread, NULL, watch_main, NULL)) {
		error("octopus: cannot start the configuration watcher thread");
		return -1;
	}
	watch_running = true;
	return 0;
}

void policy_stop(void)
{
	if (watch_running) {
		pthread_mutex_lock(&watch_mutex);
		watch_stop = true;
		pthread_cond_signal(&watch_cond);
		pthread_mutex_unlock(&watch_mutex);
		pthread_join(watch_thread, NULL);
		watch_running = false;
	}
	pthread_rwlock_wrlock(&state_lock);
	policy_free(current);
	current = NULL;
	gi_free(current_gi);
	current_gi = NULL;
	pthread_rwlock_unlock(&state_lock);
	free(conf_path);
	conf_path = NULL;
	xfree(last_good_path);
	seen_gi_path[0] = '\0';
}

void policy_acquire(const policy_t **pol, const grantidx_t **gi)
{
	pthread_rwlock_rdlock(&state_lock);
	*pol = current;
	*gi = current_gi;
}

void policy_release(void)
{
	pthread_rwlock_unlock(&state_lock);
}

bool policy_uid_exempt(const policy_t *pol, uid_t uid)
{
	for (size_t i = 0; i < pol->nexempt; i++)
		if (pol->exempt_uids[i] == uid)
			return true;
	return false;
}
