/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mt_catalog - the machine-type catalog and policy read from octopus.conf.
 *
 * A catalog is immutable once built: the plugin swaps whole catalogs by
 * pointer on reconfigure, so a reader never sees a half-loaded one and a
 * broken file leaves the previous catalog in force.
 *
 * Pure C, no Slurm headers: unit-tested and fuzzed outside slurmctld, and
 * read by the client SPANK part for `--machine-type=help`.
 */
#ifndef OCTOPUS_MT_CATALOG_H
#define OCTOPUS_MT_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MT_NAME_MAX        32   /* machine type, partition and GRES names */
#define MT_MAX_TYPES       256
#define MT_MAX_PARTITIONS  64   /* per type and in the whole catalog */
#define MT_MAX_EXEMPT      64
#define MT_MAX_UNITS       100000
#define MT_ERRMSG_MAX      320

typedef enum {
	MT_NOGRANT_REJECT,      /* refuse at submit, say how to ask for quota */
	MT_NOGRANT_PEND,        /* accept; Slurm holds it with AssocGrpLicense */
} mt_on_no_grant_t;

typedef enum {
	MT_END_DEADLINE,        /* set --deadline=grant end (+ time_min) */
	MT_END_REJECT,          /* refuse a time limit that outlives the grant */
	MT_END_IGNORE,          /* leave the time limit alone */
} mt_on_grant_end_t;

typedef struct {
	char name[MT_NAME_MAX];         /* also the license: mt_<name> */
	char gres_name[MT_NAME_MAX];    /* "gpu", "npu" */
	char gres_type[MT_NAME_MAX];    /* "a100" */
	uint32_t gres_per_unit;         /* accelerators in one unit */
	uint32_t cpus_per_unit;
	uint64_t mem_mb_per_unit;
	uint32_t max_units_per_job;     /* 0: no per-job cap */
	size_t npartitions;
	char partitions[MT_MAX_PARTITIONS][MT_NAME_MAX];
	char *description;              /* may be NULL */
	unsigned line;                  /* where it was defined */
} mt_type_t;

/* A partition where the policy applies: named by at least one type. */
typedef struct {
	char name[MT_NAME_MAX];
	int default_type;               /* index into types, -1 for none */
} mt_partition_t;

typedef struct {
	size_t ntypes;
	mt_type_t types[MT_MAX_TYPES];
	size_t npartitions;
	mt_partition_t partitions[MT_MAX_PARTITIONS];
	mt_on_no_grant_t on_no_grant;
	mt_on_grant_end_t on_grant_end;
	bool exempt_operators;
	size_t nexempt;
	char exempt_users[MT_MAX_EXEMPT][MT_NAME_MAX];
	char *grant_index;              /* path or NULL */
	char *quota_hint;               /* "next step" text in messages */
} mt_catalog_t;

typedef struct {
	unsigned line;                  /* 0 when not tied to a line */
	char msg[MT_ERRMSG_MAX];
} mt_error_t;

/* Build a catalog from text / a file. On error returns NULL and fills err
 * with the line and a message naming the key and the fix. */
mt_catalog_t *mt_catalog_parse(const char *text, size_t len, mt_error_t *err);
mt_catalog_t *mt_catalog_load(const char *path, mt_error_t *err);
void mt_catalog_free(mt_catalog_t *cat);

/* -1 when absent. */
int mt_catalog_find_type(const mt_catalog_t *cat, const char *name);
const mt_partition_t *mt_catalog_find_partition(const mt_catalog_t *cat, const char *name);
bool mt_type_allows_partition(const mt_type_t *t, const char *partition);
bool mt_catalog_user_exempt(const mt_catalog_t *cat, const char *user);

/* "a100x1, a100x8" for messages: types allowed in partition (all when NULL). */
void mt_catalog_type_list(const mt_catalog_t *cat, const char *partition, char *buf, size_t len);

/* Human-readable table for `--machine-type=help` and `octopus-quota types`. */
void mt_catalog_describe(const mt_catalog_t *cat, char *buf, size_t len);

/* A valid machine-type name: [a-z0-9][a-z0-9_.-]{0,30}, so that mt_<name>
 * is a valid license and TRES name. Shared with the normaliser, which checks
 * user-supplied names before looking them up. */
bool mt_valid_name(const char *s);

#endif
