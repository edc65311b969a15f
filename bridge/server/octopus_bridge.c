/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * octopus-bridge - the portal's gateway to Slurm: a small HTTP API on a
 * unix socket or loopback (behind the site's TLS proxy) that calls
 * slurmrestd as the requesting user, with that user's short-lived token
 * from octopus-jwt-minter.
 *
 *   octopus-bridge [-f /etc/octopus/bridge.conf] [--check]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <curl/curl.h>

#include "bridge.h"
#include "http_server.h"
#include "route_table.h"
#include "mt_catalog.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int read_secret(const char *path, unsigned char *out, size_t cap, size_t *len, char *why, size_t wl)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st)) {
		snprintf(why, wl, "ProxySecretFile=%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO) & ~S_IRGRP) {
		snprintf(why, wl, "ProxySecretFile=%s is mode %03o: at most group-readable (chmod 640)", path,
			 (unsigned)(st.st_mode & 0777));
		close(fd);
		return -1;
	}
	n = read(fd, out, cap);
	close(fd);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		n--;
	if (n < 16) {
		snprintf(why, wl, "ProxySecretFile=%s: the secret must be at least 16 bytes", path);
		return -1;
	}
	*len = (size_t)n;
	return 0;
}

int main(int argc, char **argv)
{
	static bridge_t b;
	const char *conf = "/etc/octopus/bridge.conf";
	char err[600];
	int check = 0, c;
	struct MHD_Daemon *d[2];
	mt_error_t merr;

	static const struct option opts[] = { { "config", required_argument, 0, 'f' },
					      { "check", no_argument, 0, 'c' },
					      { "help", no_argument, 0, 'h' },
					      { 0, 0, 0, 0 } };
	while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		switch (c) {
		case 'f': conf = optarg; break;
		case 'c': check = 1; break;
		case 'h': printf("usage: octopus-bridge [-f bridge.conf] [--check]\n"); return 0;
		default: fprintf(stderr, "usage: octopus-bridge [-f bridge.conf] [--check]\n"); return 2;
		}
	}
	/* Each job-list miss takes a new ~3 MB answer (1000 jobs) and frees the
	 * one before. Left to glibc, both go to fresh mmap()ed pages, and the
	 * kernel zeroing them cost ~0.3 ms per miss (bench/bridge-jobs (a'));
	 * from the heap, freed pages are used again. The bridge keeps up to
	 * 64 MB free per malloc arena instead of giving it back. */
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	if (bridge_config_load(conf, &b.cfg, err, sizeof(err))) {
		fprintf(stderr, "octopus-bridge: %s\n", err);
		return 1;
	}
	if (b.cfg.proxy_secret_file[0] &&
	    read_secret(b.cfg.proxy_secret_file, b.proxy_secret, sizeof(b.proxy_secret), &b.proxy_secret_len, err,
			sizeof(err))) {
		fprintf(stderr, "octopus-bridge: %s\n", err);
		return 1;
	}
	if (b.cfg.oidc_jwks[0] &&
	    !(b.oidc = oidc_keyring_new(b.cfg.oidc_jwks, b.cfg.oidc_issuer, b.cfg.oidc_audience, b.cfg.oidc_user_claim,
					b.cfg.oidc_max_skew, 5, err, sizeof(err)))) {
		fprintf(stderr, "octopus-bridge: %s\n", err);
		return 1;
	}
	if (b.cfg.machine_types[0] && !(b.catalog = mt_catalog_load(b.cfg.machine_types, &merr))) {
		fprintf(stderr, "octopus-bridge: MachineTypes=%s:%u: %s\n", b.cfg.machine_types, merr.line, merr.msg);
		return 1;
	}
	if (b.cfg.instances[0]) {
		if (!(b.ides = calloc(1, sizeof(*b.ides))) || ide_catalog_load(b.cfg.instances, b.ides, err, sizeof(err))) {
			fprintf(stderr, "octopus-bridge: %s\n", b.ides ? err : "out of memory");
			return 1;
		}
	}
	if (b.cfg.instance_hosts[0]) {
		if (regcomp(&b.instance_hosts, b.cfg.instance_hosts, REG_EXTENDED | REG_NOSUB)) {
			fprintf(stderr, "octopus-bridge: InstanceHosts=%s is not a POSIX extended regular expression\n",
				b.cfg.instance_hosts);
			return 1;
		}
		b.instance_hosts_set = true;
	}
	if (strcmp(b.cfg.slurmrestd_version, "auto") && sr_version_by_name(b.cfg.slurmrestd_version, &b.api)) {
		char names[128];

		fprintf(stderr, "octopus-bridge: SlurmrestdVersion=%s: use auto (ask slurmrestd) or one of %s\n",
			b.cfg.slurmrestd_version, sr_known_versions(names, sizeof(names)));
		mt_catalog_free(b.catalog);
		oidc_keyring_free(b.oidc);
		return 1;
	}
	pthread_mutex_init(&b.api_lock, NULL);
	if (check) {
		printf("octopus-bridge: %s is valid\n", conf);
		mt_catalog_free(b.catalog);
		oidc_keyring_free(b.oidc);
		return 0;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!(b.db = bdb_open(b.cfg.database, err, sizeof(err)))) {
		fprintf(stderr, "octopus-bridge: %s\n", err);
		return 1;
	}
	pthread_mutex_init(&b.ledger_lock, NULL);
	if (b.cfg.ledger[0] && !(b.ledger = ledger_open(b.cfg.ledger, err, sizeof(err)))) {
		fprintf(stderr,
			"octopus-bridge: Ledger=%s: %s\n"
			"octopus-bridge: create it once, as root: octopus-quota --ledger %s init --group octopus "
			"(the directory becomes 2770 root:octopus, the ledger 0660 root:octopus); this bridge runs as "
			"uid %u, which must be in group octopus (SupplementaryGroups=octopus in the unit)\n",
			b.cfg.ledger, err, b.cfg.ledger, (unsigned)getuid());
		return 1;
	}
	bridge_repair(&b);
	b.mc = mc_new(b.cfg.minter_socket);
	b.restd = restd_new(b.cfg.slurmrestd + 5, b.cfg.restd_timeout, b.cfg.restd_max_concurrent);
	b.jobs = job_cache_new(b.cfg.jobs_cache_ms);
	b.conns = ic_new(1024);
	b.submit_rate = rate_limit_new((unsigned)b.cfg.submit_rate, (unsigned)b.cfg.submit_rate, 4096);
	if (!b.mc || !b.restd || !b.jobs || !b.submit_rate || !b.conns) {
		fprintf(stderr, "octopus-bridge: MinterSocket= or Slurmrestd= path too long, or out of memory\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	{
		struct sigaction sa = { .sa_handler = on_signal };

		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
	}
	size_t nroutes;
	const route_t *routes = route_table(&nroutes);

	if (http_start(&b, routes, nroutes, d, err, sizeof(err))) {
		fprintf(stderr, "octopus-bridge: %s\n", err);
		return 1;
	}
	fprintf(stderr, "octopus-bridge: listening on %s; slurmrestd %s; minter %s; %zu machine types\n",
		b.cfg.listen, b.cfg.slurmrestd, b.cfg.minter_socket, b.catalog ? b.catalog->ntypes : (size_t)0);
	while (!stop)
		pause();
	http_stop(d);
	if (!strncmp(b.cfg.listen, "unix:", 5))
		unlink(b.cfg.listen + 5);
	if (!strncmp(b.cfg.instance_listen, "unix:", 5))
		unlink(b.cfg.instance_listen + 5);
	job_cache_free(b.jobs);
	rate_limit_free(b.submit_rate);
	restd_free(b.restd);
	mc_free(b.mc);
	bdb_close(b.db);
	ledger_close(b.ledger);
	mt_catalog_free(b.catalog);
	oidc_keyring_free(b.oidc);
	ic_free(b.conns);
	free(b.ides);
	if (b.instance_hosts_set)
		regfree(&b.instance_hosts);
	curl_global_cleanup();
	fprintf(stderr, "octopus-bridge: stopped\n");
	return 0;
}
