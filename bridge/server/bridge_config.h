/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge_config - bridge.conf, Slurm key=value style (kvconf). Every key is
 * documented in contrib/bridge/bridge.conf.example; an unknown key or a bad
 * value is an error naming the key and the line, and the bridge does not
 * start on it.
 */
#ifndef OCTOPUS_BRIDGE_CONFIG_H
#define OCTOPUS_BRIDGE_CONFIG_H

#include <stddef.h>

#include "user_policy.h"

typedef struct {
	char listen[256];               /* unix:/path or 127.0.0.1:PORT / [::1]:PORT */
	char slurmrestd[256];           /* unix:/path */
	char slurmrestd_version[16];    /* "auto" or a data_parser version (v0.0.42) */
	char minter_socket[256];
	char database[256];
	char machine_types[256];        /* octopus.conf; "" = none */
	char ledger[256];               /* grant ledger (octopus-quota's); "" = no quota routes */
	char reconcile_trigger[256];    /* touched after each grant change; "" = none */
	char file_broker[256];          /* octopus-file-broker's socket; "" = no logs, no volumes */
	char volume_root[256];          /* the broker's --volume-root */
	char proxy_secret_file[256];    /* "" = proxy identity off */
	int proxy_max_skew;
	char oidc_jwks[256];            /* "" = OIDC bearer tokens off */
	char oidc_issuer[256];
	char oidc_audience[256];
	char oidc_user_claim[64];
	int oidc_max_skew;
	int pat_max_days;
	int token_auth_max_age;         /* s since an OIDC sign-in within which it may create tokens */
	char admins[512];
	char admin_group[64];
	user_policy_t policy;
	int jobs_cache_ms;
	int jobs_cache_shared;
	int server_timing;
	int max_body;
	int max_request_head;    /* request line and header fields, bytes */
	int max_connections;
	int connection_timeout;
	int threads;
	int restd_timeout;
	int restd_max_concurrent;
	int submit_rate;
	int max_hours;
	char env_allow[512];
	char instances[256];            /* the IDE catalog; "" = no instances */
	char instance_listen[256];      /* "" = /i/ on Listen= */
	char instance_hosts[256];       /* POSIX ERE a node name must match; "" = any node */
	int instance_timeout;           /* seconds: connect and silence of an IDE */
	int instance_max_body;
	int instance_max_sockets;       /* WebSockets relayed at once */
	int instance_idle_timeout;      /* seconds a WebSocket may be silent */
	int max_instances;              /* live instances per user */
} bridge_config_t;

void bridge_config_defaults(bridge_config_t *c);
int bridge_config_load(const char *path, bridge_config_t *c, char *err, size_t errlen);

#endif
