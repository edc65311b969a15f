/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge_db - the bridge's own SQLite state: personal API tokens (hashes
 * only) and the audit log. The audit table refuses UPDATE and DELETE
 * (triggers), and every write is committed before the HTTP answer goes out
 * (WAL, synchronous=FULL): a bridge killed mid-request loses nothing it
 * answered for. Thread-safe (one connection, serialized).
 */
#ifndef OCTOPUS_BRIDGE_DB_H
#define OCTOPUS_BRIDGE_DB_H

#include <stddef.h>
#include <stdint.h>

typedef struct bridge_db bridge_db_t;

bridge_db_t *bdb_open(const char *path, char *err, size_t errlen);
void bdb_close(bridge_db_t *db);

/* One audit line. status is the HTTP status answered. */
int bdb_audit(bridge_db_t *db, const char *request_id, const char *user, const char *source, const char *action,
	      const char *target, int status, const char *detail);

typedef struct {
	int64_t id, at;
	char request_id[40], user[40], source[64], action[64], target[128], detail[256];
	int status;
} bdb_audit_t;

/* Newest first, at most limit lines with id < before (0: from the newest). */
int bdb_audit_foreach(bridge_db_t *db, int64_t before, int limit, int (*cb)(const bdb_audit_t *a, void *arg),
		      void *arg);

typedef struct {
	int64_t id;
	char user[40];
	char name[64];
	char scopes[32];                /* "read" or "read,write" */
	int64_t created, expires, last_used;
	int revoked;
} bdb_token_t;

/* The new token's id, or -1. */
int64_t bdb_token_add(bridge_db_t *db, const char *user, const char *name, const char *hash, const char *scopes,
		      int64_t created, int64_t expires);

/* 0 and the token when hash is a live token at now (last use recorded);
 * 1 when unknown, expired or revoked; -1 on a database error. */
int bdb_token_lookup(bridge_db_t *db, const char *hash, int64_t now, bdb_token_t *out);

int bdb_token_foreach(bridge_db_t *db, const char *user, int (*cb)(const bdb_token_t *t, void *arg), void *arg);

/* 0 revoked, 1 no such token of this user, -1 error. */
int bdb_token_revoke(bridge_db_t *db, const char *user, int64_t id);

typedef enum { QR_PENDING, QR_APPROVED, QR_REJECTED, QR_CANCELLED } qr_state_t;

typedef struct {
	int64_t id;
	char user[40], account[64], machine_type[64];
	uint32_t units;
	int64_t start, end;
	char reason[512];
	qr_state_t state;
	int64_t created;
	char decided_by[40];
	int64_t decided_at;
	char decision[512];
	int64_t grant_id;               /* 0 until the grant is in the ledger */
} bdb_qreq_t;

const char *qr_state_name(qr_state_t s);
int qr_state_parse(const char *s, qr_state_t *out);

/* The new request's id, or -1. */
int64_t bdb_qreq_add(bridge_db_t *db, const bdb_qreq_t *q);
/* 0 found, 1 none, -1 error. */
int bdb_qreq_get(bridge_db_t *db, int64_t id, bdb_qreq_t *out);
/* user NULL: everyone's; state < 0: any. Newest first. */
int bdb_qreq_foreach(bridge_db_t *db, const char *user, int state, int (*cb)(const bdb_qreq_t *q, void *arg),
		     void *arg);
/* Move a PENDING request to state (decided_by, decision). 0 done, 1 it was
 * not pending any more (someone else decided first), -1 error. */
int bdb_qreq_decide(bridge_db_t *db, int64_t id, qr_state_t state, const char *by, const char *decision,
		    int64_t at);
int bdb_qreq_set_grant(bridge_db_t *db, int64_t id, int64_t grant_id);

typedef struct {
	char user[40], name[64], path[512];
	int64_t created;
} bdb_volume_t;

/* 0 added, 1 the user has one of that name, -1 error. */
int bdb_volume_add(bridge_db_t *db, const bdb_volume_t *v);
/* 0 found, 1 none, -1 error */
int bdb_volume_get(bridge_db_t *db, const char *user, const char *name, bdb_volume_t *out);
int bdb_volume_del(bridge_db_t *db, const char *user, const char *name);
int bdb_volume_foreach(bridge_db_t *db, const char *user, int (*cb)(const bdb_volume_t *v, void *arg), void *arg);

/* A portal IDE instance: a Slurm job (comment portal:instance:<id>) that
 * runs the IDE's wrapper. job_id 0: the submit has not answered yet. */
typedef struct {
	char id[24], user[40], name[64], ide[32], machine_type[32];
	uint32_t units;
	int64_t job_id, created, stopped;   /* stopped: when DELETE asked, 0 if never */
	char volumes[600];                  /* the user's volumes it mounts, comma-separated */
} bdb_instance_t;

int bdb_instance_add(bridge_db_t *db, const bdb_instance_t *v);
/* 0 found, 1 none, -1 error */
int bdb_instance_get(bridge_db_t *db, const char *id, bdb_instance_t *out);
int bdb_instance_set_job(bridge_db_t *db, const char *id, int64_t job_id);
int bdb_instance_stop(bridge_db_t *db, const char *id, int64_t at);
int bdb_instance_del(bridge_db_t *db, const char *id);
/* user NULL: everyone's. Newest first, at most limit. */
int bdb_instance_foreach(bridge_db_t *db, const char *user, int limit,
			 int (*cb)(const bdb_instance_t *v, void *arg), void *arg);
/* Instances of user never stopped, or -1. */
int bdb_instance_count_live(bridge_db_t *db, const char *user);
/* Everyone's instances never stopped; 0, or -1 */
int bdb_instance_count_live_all(bridge_db_t *db, long *n);

#endif
