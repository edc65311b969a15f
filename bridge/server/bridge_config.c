/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "bridge_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kvconf.h"

void bridge_config_defaults(bridge_config_t *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen, sizeof(c->listen), "unix:/run/octopus-bridge/api.sock");
	snprintf(c->slurmrestd, sizeof(c->slurmrestd), "unix:/run/slurmrestd/slurmrestd.socket");
	snprintf(c->minter_socket, sizeof(c->minter_socket), "/run/octopus-jwt-minter/minter.sock");
	snprintf(c->database, sizeof(c->database), "/var/lib/octopus-bridge/bridge.db");
	c->proxy_max_skew = 30;
	snprintf(c->oidc_user_claim, sizeof(c->oidc_user_claim), "preferred_username");
	c->oidc_max_skew = 60;
	c->pat_max_days = 90;
	c->token_auth_max_age = 600;
	user_policy_defaults(&c->policy);
	c->jobs_cache_ms = 1000;
	c->jobs_cache_shared = 1;
	c->max_body = 256 * 1024;
	snprintf(c->slurmrestd_version, sizeof(c->slurmrestd_version), "auto");
	c->max_request_head = 16 * 1024;
	c->max_connections = 256;
	c->connection_timeout = 30;
	c->threads = 4;
	c->restd_timeout = 15;
	c->restd_max_concurrent = 8;
	c->submit_rate = 30;
	c->max_hours = 168;
	snprintf(c->env_allow, sizeof(c->env_allow),
		 "OMP_*,MKL_*,PYTHON*,HF_*,TRANSFORMERS_*,WANDB_*,TORCH_*,NCCL_*,MASTER_*,CUDA_LAUNCH_BLOCKING");
	c->instance_timeout = 60;
	c->instance_max_body = 16 * 1024 * 1024;
	c->instance_max_sockets = 256;
	c->instance_idle_timeout = 3600;
	c->max_instances = 4;
}

typedef enum { K_STR, K_INT, K_BOOL } kind_t;

static const struct {
	const char *key;
	kind_t kind;
	size_t off, size;
	long min, max;
} keys[] = {
#define S(k, f) { k, K_STR, offsetof(bridge_config_t, f), sizeof(((bridge_config_t *)0)->f), 0, 0 }
#define I(k, f, lo, hi) { k, K_INT, offsetof(bridge_config_t, f), sizeof(int), lo, hi }
#define B(k, f) { k, K_BOOL, offsetof(bridge_config_t, f), sizeof(int), 0, 1 }
	S("Listen", listen),
	S("Slurmrestd", slurmrestd),
	S("SlurmrestdVersion", slurmrestd_version),
	S("MinterSocket", minter_socket),
	S("Database", database),
	S("MachineTypes", machine_types),
	S("Ledger", ledger),
	S("ReconcileTrigger", reconcile_trigger),
	S("FileBroker", file_broker),
	S("VolumeRoot", volume_root),
	S("ProxySecretFile", proxy_secret_file),
	I("ProxyMaxSkew", proxy_max_skew, 1, 300),
	S("OidcJwks", oidc_jwks),
	S("OidcIssuer", oidc_issuer),
	S("OidcAudience", oidc_audience),
	S("OidcUserClaim", oidc_user_claim),
	I("OidcMaxSkew", oidc_max_skew, 0, 60),
	I("TokenMaxDays", pat_max_days, 1, 366),
	I("TokenAuthMaxAge", token_auth_max_age, 30, 86400),
	S("Admins", admins),
	S("AdminGroup", admin_group),
	I("JobsCacheMs", jobs_cache_ms, 0, 60000),
	B("JobsCacheShared", jobs_cache_shared),
	B("ServerTiming", server_timing),
	I("MaxBody", max_body, 1024, 16 * 1024 * 1024),
	I("MaxRequestHead", max_request_head, 2048, 64 * 1024),
	I("MaxConnections", max_connections, 1, 100000),
	I("ConnectionTimeout", connection_timeout, 1, 3600),
	I("Threads", threads, 1, 256),
	I("SlurmrestdTimeout", restd_timeout, 1, 600),
	I("SlurmrestdMaxConcurrent", restd_max_concurrent, 1, 1024),
	I("SubmitRate", submit_rate, 1, 100000),
	I("MaxHours", max_hours, 1, 100000),
	S("EnvAllow", env_allow),
	S("Instances", instances),
	S("InstanceListen", instance_listen),
	S("InstanceHosts", instance_hosts),
	I("InstanceTimeout", instance_timeout, 1, 3600),
	I("InstanceMaxBody", instance_max_body, 1024, 1024 * 1024 * 1024),
	I("InstanceMaxSockets", instance_max_sockets, 1, 100000),
	I("InstanceIdleTimeout", instance_idle_timeout, 10, 7 * 86400),
	I("MaxInstances", max_instances, 1, 1000),
#undef S
#undef I
#undef B
};

static int set(bridge_config_t *c, const char *key, const char *val, char *why, size_t wl)
{
	if (!strcasecmp(key, "MinUid") || !strcasecmp(key, "MaxUid")) {
		char *e;
		long v = strtol(val, &e, 10);

		if (*e || !val[0] || v < 1 || v > 4000000000L) {
			snprintf(why, wl, "%s=%s: give a uid number", key, val);
			return -1;
		}
		*(!strcasecmp(key, "MinUid") ? &c->policy.min_uid : &c->policy.max_uid) = (uid_t)v;
		return 0;
	}
	if (!strcasecmp(key, "SlurmUser")) {
		if (!user_name_valid(val)) {
			snprintf(why, wl, "SlurmUser=%s is not a login name", val);
			return -1;
		}
		snprintf(c->policy.slurm_user, sizeof(c->policy.slurm_user), "%s", val);
		return 0;
	}
	if (!strcasecmp(key, "DenyUsers"))
		return user_policy_set_deny(&c->policy, val, why, wl);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char *dst = (char *)c + keys[i].off, *e;
		long v;

		if (strcasecmp(key, keys[i].key))
			continue;
		switch (keys[i].kind) {
		case K_STR:
			if (strlen(val) >= keys[i].size) {
				snprintf(why, wl, "%s= is longer than %zu bytes", keys[i].key, keys[i].size - 1);
				return -1;
			}
			snprintf(dst, keys[i].size, "%s", val);
			return 0;
		case K_BOOL:
			if (!strcasecmp(val, "yes") || !strcasecmp(val, "no")) {
				*(int *)dst = !strcasecmp(val, "yes");
				return 0;
			}
			snprintf(why, wl, "%s=%s: yes or no", keys[i].key, val);
			return -1;
		case K_INT:
			v = strtol(val, &e, 10);
			if (*e || !val[0] || v < keys[i].min || v > keys[i].max) {
				snprintf(why, wl, "%s=%s: a whole number from %ld to %ld", keys[i].key, val, keys[i].min,
					 keys[i].max);
				return -1;
			}
			*(int *)dst = (int)v;
			return 0;
		}
	}
	snprintf(why, wl, "unknown key %s (see bridge.conf.example)", key);
	return -1;
}

int bridge_config_load(const char *path, bridge_config_t *c, char *err, size_t errlen)
{
	kv_doc_t *doc = NULL;
	kv_error_t kerr;
	char why[400];

	bridge_config_defaults(c);
	if (kv_parse_file(path, &doc, &kerr)) {
		snprintf(err, errlen, "%s:%u: %s", path, kerr.line, kerr.msg);
		return -1;
	}
	for (size_t r = 0; r < doc->nrecords; r++)
		for (size_t p = 0; p < doc->records[r].npairs; p++)
			if (set(c, doc->records[r].pairs[p].key, doc->records[r].pairs[p].value, why, sizeof(why))) {
				snprintf(err, errlen, "%s:%u: %s", path, doc->records[r].lineno, why);
				kv_doc_free(doc);
				return -1;
			}
	kv_doc_free(doc);
	if (strncmp(c->slurmrestd, "unix:/", 6)) {
		snprintf(err, errlen, "%s: Slurmrestd=%s: slurmrestd is reached on its unix socket (unix:/path)", path,
			 c->slurmrestd);
		return -1;
	}
	if (c->policy.min_uid > c->policy.max_uid) {
		snprintf(err, errlen, "%s: MinUid is above MaxUid", path);
		return -1;
	}
	return 0;
}
