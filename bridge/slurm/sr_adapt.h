/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sr_adapt - slurmrestd's documents in the canonical shape the rest of the
 * bridge reads, whatever the data_parser version; and the bridge's submit
 * body in the shape each version takes. The canonical shape is v0.0.38's
 * (plain numbers, null for unset or infinite; a job's and a node's state a
 * string; flat partitions), so the public /api/v1 stays the same document
 * on every Slurm release. Table-driven per generation; json-c; pure.
 */
#ifndef OCTOPUS_SR_ADAPT_H
#define OCTOPUS_SR_ADAPT_H

#include <json-c/json.h>
#include <stdint.h>

#include "slurm_rest.h"

/* A number as any version writes it: a plain number, or v0.0.40+'s
 * {"set":..,"infinite":..,"number":..}. 1 with *out when it is a finite
 * number that is set; 0 when unset, infinite, null or not a number. */
int sr_number(json_object *v, int64_t *out);

/* A node, a partition of version v's list (each a new reference; NULL
 * when not an object). A partition is made of the keys the bridge shows,
 * in every version, its limits null when there are none (v0.0.38's -1
 * too), its flags v0.0.38's names, or null where the version does not
 * report them (v0.0.40-44: only v0.0.45 says which partition is the
 * default). Jobs need no adapter: job_list.c
 * and job_list_parse.c read a job field in either shape. */
json_object *sr_node(const sr_version_t *v, json_object *n);
json_object *sr_partition(const sr_version_t *v, json_object *p);

/* The bridge's submit body (canonical: environment an object, time_limit
 * minutes) in version v's shape; takes the reference to body. NULL when
 * memory ran out (body is dropped). */
json_object *sr_submit_body(const sr_version_t *v, json_object *body);

/* A cancel's (DELETE /job/{id}) per-job results: v0.0.40+ answer HTTP 200
 * with status[].error.code set when Slurm did not signal the job (Access
 * denied and the like); v0.0.38 reports refusals in errors[] only. 1 with
 * *num and *msg (owned by answer) when a result is a refusal; else 0. */
int sr_kill_refused(json_object *answer, int *num, const char **msg);

/* 1 when a job list asked for with update_time says nothing changed: 304
 * on 22.05; on 24.11 and later 200 with no jobs and no last_update, which
 * must not be read as an empty list. */
int sr_jobs_unchanged(const char *body, size_t len);

#endif
