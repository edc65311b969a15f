/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kvconf - parser for Slurm-style key=value configuration text.
 *
 * One record per logical line: whitespace-separated Key=Value pairs, keys
 * case-insensitive, values optionally "double quoted" to hold spaces, '#'
 * starting a comment outside quotes, a trailing '\' joining the next line.
 * The first pair names the record (e.g. "MachineType=a100x1 CPUs=8 ...").
 *
 * Pure C, no Slurm headers: shared by slurmctld plugins, CLIs and the bridge.
 * All sizes are bounded (KV_MAX_*), so hostile input costs bounded memory.
 */
#ifndef OCTOPUS_KVCONF_H
#define OCTOPUS_KVCONF_H

#include <stddef.h>

#define KV_MAX_INPUT   (1024 * 1024) /* bytes in one file */
#define KV_MAX_LINE    8192          /* bytes in one logical line */
#define KV_MAX_PAIRS   64            /* pairs in one record */
#define KV_MAX_RECORDS 4096
#define KV_ERRMSG_MAX  256

typedef struct {
	unsigned line;              /* 1-based; 0 when not tied to a line */
	char msg[KV_ERRMSG_MAX];    /* names the key or token and the fix */
} kv_error_t;

typedef struct {
	char *key;
	char *value;
} kv_pair_t;

typedef struct {
	unsigned lineno;            /* first physical line of the record */
	size_t npairs;
	kv_pair_t *pairs;
} kv_record_t;

typedef struct {
	size_t nrecords;
	kv_record_t *records;
} kv_doc_t;

/* Parse len bytes of buf (need not be NUL-terminated). On success returns 0
 * and stores a document the caller frees with kv_doc_free(). On error returns
 * -1, stores NULL and fills *err (if err is not NULL). */
int kv_parse(const char *buf, size_t len, kv_doc_t **out, kv_error_t *err);

/* Read and parse a regular file of at most KV_MAX_INPUT bytes. */
int kv_parse_file(const char *path, kv_doc_t **out, kv_error_t *err);

void kv_doc_free(kv_doc_t *doc);

/* Value of key in rec (case-insensitive), or NULL when absent. */
const char *kv_record_get(const kv_record_t *rec, const char *key);

#endif
