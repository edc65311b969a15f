/* SPDX-License-Identifier: GPL-2.0-or-later */
/* instances_svc - IDE instances for the routes and the proxy (see instances_svc.c) */
#ifndef OCTOPUS_INSTANCES_SVC_H
#define OCTOPUS_INSTANCES_SVC_H

#include "bridge.h"
#include "job_list.h"

/* The instance's job in the list (by job id, else by its name), or NULL. */
const job_rec_t *find_job(const job_list_t *jobs, const bdb_instance_t *in);
/* 1 for a job state scancel still has something to do with. */
int job_live(const char *st);
/* The instance's state from its record and job: "starting", "ready",
 * "ended", ...; where it answers goes to *t with *have set once known. */
const char *instance_state(req_t *r, const bdb_instance_t *in, const job_rec_t *j, instance_target_t *t,
			   int *have);
/* The caller's instance id (admins: anyone's when admin_ok) into *in: 0, or
 * -1 answered 404. */
int own_instance(req_t *r, const char *id, int admin_ok, bdb_instance_t *in);

#endif
