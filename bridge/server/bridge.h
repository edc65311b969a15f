/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge - what every request handler can reach: the configuration, the
 * database, the minter and slurmrestd clients, the machine-type catalog,
 * the job-list cache, the counters; and the request being served.
 */
#ifndef OCTOPUS_BRIDGE_H
#define OCTOPUS_BRIDGE_H

#include <json-c/json.h>
#include <pthread.h>
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "bridge_config.h"
#include "bridge_db.h"
#include "grant_ledger.h"
#include "ide_catalog.h"
#include "instance_conn.h"
#include "job_cache.h"
#include "job_spec.h"
#include "minter_client.h"
#include "mt_catalog.h"
#include "oidc_keyring.h"
#include "rate_limit.h"
#include "restd_client.h"
#include "slurm_rest.h"


struct MHD_Connection;

typedef struct {
	bridge_config_t cfg;
	unsigned char proxy_secret[256];
	size_t proxy_secret_len;
	oidc_keyring_t *oidc;           /* NULL when OidcJwks= is unset */
	bridge_db_t *db;
	minter_client_t *mc;
	restd_t *restd;
	sr_version_t api;               /* slurmrestd's API in use; name "" until asked */
	pthread_mutex_t api_lock;
	mt_catalog_t *catalog;          /* NULL when MachineTypes= is unset */
	job_cache_t *jobs;
	rate_limit_t *submit_rate;
	ledger_t *ledger;               /* NULL when Ledger= is unset */
	pthread_mutex_t ledger_lock;    /* grant_ledger is one connection */
	ide_catalog_t *ides;            /* NULL when Instances= is unset */
	regex_t instance_hosts;         /* InstanceHosts=, when instance_hosts_set */
	bool instance_hosts_set;
	instance_conns_t *conns;
} bridge_t;

typedef enum { AUTH_NONE, AUTH_PROXY, AUTH_TOKEN, AUTH_OIDC } auth_kind_t;

typedef struct {
	char user[40];
	uid_t uid;
	bool admin;
	auth_kind_t via;
	bool can_write;                 /* a read-only token cannot change anything */
	int64_t token_id;               /* AUTH_TOKEN */
	int64_t auth_time;              /* AUTH_OIDC: the token's auth_time, 0 if none */
} identity_t;

typedef struct req {
	bridge_t *b;
	struct MHD_Connection *conn;
	const char *method;
	char path[1024];
	const char *body;
	size_t body_len;
	size_t nparams;
	const char *params[3];
	identity_t who;
	char request_id[24];
	char source[64];
	/* the answer */
	int status;
	json_object *out;
	const char *text;               /* plain-text answer (metrics, logs) instead of out; malloc'd */
	size_t text_len;                /* its length when it may hold NULs; 0: strlen */
	const char *text_type;          /* its Content-Type; NULL: Prometheus text */
	char log_size[24], log_offset[24];      /* X-Log-Size, X-Log-Offset when set */
	int retry_after_s;                      /* Retry-After when > 0 */
	char grant_account[64];                 /* the account a submit's grant check used */
	const char *audit_action;       /* set: this request is written to the audit log */
	char audit_target[128];
	char audit_detail[256];
	/* where the time went (Server-Timing=yes) */
	unsigned restd_calls;
	double restd_wait_s, restd_body_s;
	int jobs_cache;                 /* 0 not used, 1 hit, 2 miss */
	double parse_s;                 /* parsing a fetched job list */
	size_t jobs_reused;             /* its jobs taken unparsed from the list before */
	double render_s;                /* rendering its views */
} req_t;

/* Answer helpers: they set status and the JSON body. */
void reply_json(req_t *r, int status, json_object *body);
void reply_error(req_t *r, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A query parameter of the request, or NULL. */
const char *req_query(req_t *r, const char *name);
/* ?name= as a whole number in [lo, hi], dflt when absent: 0, or -1 after
 * answering 400 naming the parameter (offset=abc, limit=-1 are refused,
 * not read as 0). */
int req_query_int(req_t *r, const char *name, long long lo, long long hi, long long dflt, long long *out);
/* 1 for Content-Type: application/json (with parameters or not). */
int req_json_content_type(const char *v);
/* 1 when the body is one clean JSON value (json_body_check.h); else 0
 * after answering 400 naming the field. */
int req_body_clean(req_t *r);

/* Call slurmrestd as the requesting user (its token from the minter).
 * 0 with resp filled; -1 after answering the request itself (503/401/429). */
int req_restd(req_t *r, const char *method, const char *path, const char *body, restd_resp_t *resp);
/* The Slurm REST API in use (slurm_rest.h), asked of slurmrestd once: 0, or
 * -1 answered. */
int req_api(req_t *r, sr_version_t *out);
/* The path of what (slurm_rest.h) in the API in use, which goes to *v when
 * v is not NULL: 0, or -1 answered. */
int req_slurm_path(req_t *r, sr_path_t what, const char *arg, char *out, size_t len, sr_version_t *v);
/* A 404 from one of the API's paths: slurmrestd may speak another now. */
void req_api_check(req_t *r, const char *path, long status);
/* The API in use now (name "" before it was asked), and how it was chosen:
 * "pinned" (SlurmrestdVersion=), "negotiated", or "pending". */
const char *bridge_api_now(bridge_t *b, sr_version_t *out);
/* Take the newest known API slurmrestd's /openapi/v3 document lists
 * (unless one is pinned): 0 with *out, or -1 with why. */
int bridge_api_adopt(bridge_t *b, const char *doc, size_t len, sr_version_t *out, char *why, size_t wl);

/* slurmrestd's answer as JSON; on an error status or errors[], answers the
 * request (403 slurm_forbidden when Slurm denied the requester, 503, 502,
 * else 400 slurm_refused) and returns NULL. */
json_object *restd_json(req_t *r, restd_resp_t *resp, const char *what);
/* The same answer for an error Slurm reported (number and message). */
void reply_slurm_error(req_t *r, long status, const char *msg, int num, const char *what);
/* 1 after answering (and dropping answer) when a cancel's answer says Slurm
 * did not signal the job (v0.0.40+ report that in status[], with HTTP 200):
 * a cancel that did not happen is never reported as done. */
int cancel_refused(req_t *r, json_object *answer, const char *what);

/* Route handlers */
void r_healthz(req_t *r);
void r_readyz(req_t *r);
void r_me(req_t *r);
void r_machine_types(req_t *r);
void r_jobs_list(req_t *r);
void r_jobs_submit(req_t *r);
void r_job_get(req_t *r);
void r_job_cancel(req_t *r);
void r_tokens_create(req_t *r);
void r_tokens_list(req_t *r);
void r_tokens_revoke(req_t *r);
void r_admin_audit(req_t *r);
void r_metrics(req_t *r);
void r_admin_nodes(req_t *r);
void r_job_log(req_t *r);
void r_volumes_create(req_t *r);
void r_volumes_list(req_t *r);
void r_volume_delete(req_t *r);
void r_qreq_create(req_t *r);
void r_qreq_list(req_t *r);
void r_qreq_get(req_t *r);
void r_qreq_approve(req_t *r);
void r_qreq_reject(req_t *r);
void r_qreq_cancel(req_t *r);
void r_grants_list(req_t *r);
void r_grant_extend(req_t *r);
void r_grant_revoke(req_t *r);
void r_instances_create(req_t *r);
void r_instances_list(req_t *r);
void r_instance_get(req_t *r);
void r_instance_delete(req_t *r);

/* Submit spec as the requesting user, after the checks job_submit/octopus
 * makes (machine type, units, grant) and the path checks; comment tags the
 * job ("portal:job", "portal:instance:<id>"). 0 with Slurm's job id and
 * the one-line quota message (may be empty); -1 answered. */
int job_submit_spec(req_t *r, const job_spec_t *spec, const char *comment, char *job_id, size_t idlen, char *msg,
		    size_t msglen);

/* Where the requester's ready instance id answers; 0, or -1 answered
 * (404 not theirs, 409 not ready, 502/503). */
int instance_target(req_t *r, const char *id, instance_target_t *t);

/* The user's default Slurm account (and whether slurmdbd says they are an
 * operator or admin), asked as the requesting user. 0, or -1 answered. */
int slurm_user_account(req_t *r, const char *user, char *account, size_t len, int *operator_);

/* Copy of the user's ledger grants (user NULL: all), newest first; free(). */
gl_grant_t *bridge_grants(bridge_t *b, const char *user, size_t *n);
/* slurmrestd's job list through the cache (one reference, the caller's);
 * NULL answered. Not filtered: callers keep to what the user may see. */
job_list_t *req_job_list(req_t *r, int *hit);

/* A grant as the API shows it, with its status now. */
/* status is "applying" for an active grant when applying: approved, but
 * octopus-quota sync has not put its units into Slurm yet. */
json_object *grant_json(const gl_grant_t *g, int applying);
/* The units octopus-quota sync last applied for (user, account, type). */
uint64_t bridge_applied_units(bridge_t *b, const char *user, const char *account, const char *type);
/* 1 when g is active and the active grants in all (n) of its user,
 * account and type add up to more than sync has applied. */
int grant_applying(bridge_t *b, const gl_grant_t *all, size_t n, const gl_grant_t *g, int64_t now);
/* grant_json of one grant, its user's other grants read to tell "applying". */
json_object *grant_json_now(bridge_t *b, const gl_grant_t *g);

/* The grants changed: touch ReconcileTrigger= so the sync runs. */
void bridge_reconcile(bridge_t *b);

/* At start: approved requests whose grant was never written get it. */
void bridge_repair(bridge_t *b);

#endif
