/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * instance_conn - where each running instance answers (node address, port,
 * password), remembered per instance and job so that a page of an IDE,
 * with its dozens of requests, costs one read of connection.yml and one
 * node lookup, not one each. Bounded; thread-safe.
 */
#ifndef OCTOPUS_INSTANCE_CONN_H
#define OCTOPUS_INSTANCE_CONN_H

#include <stdint.h>

#include "instance_wrapper.h"

typedef struct {
	char id[24];
	int64_t job_id;
	char node[64];
	char addr[64];                  /* the node's address, from Slurm */
	int port;
	char password[IW_PASSWORD_MAX + 1];
} instance_target_t;

typedef struct instance_conns instance_conns_t;

instance_conns_t *ic_new(unsigned cap);
void ic_free(instance_conns_t *c);
/* 0 and *out when id is known for this job_id; 1 otherwise */
int ic_get(instance_conns_t *c, const char *id, int64_t job_id, instance_target_t *out);
void ic_put(instance_conns_t *c, const instance_target_t *t);
void ic_drop(instance_conns_t *c, const char *id);

#endif
