/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * instance_wrapper - the contract between the bridge and a running
 * instance, in the shape of an Open OnDemand batch-connect job:
 *
 *   the batch script (iw_script) makes ~/.octopus/instances/<id>/ (0700),
 *   picks a free port and a random password, starts the IDE's Command with
 *   OCTOPUS_PORT, OCTOPUS_PASSWORD and OCTOPUS_BASE_URL (/i/<id>/) set, and
 *   once the port answers writes connection.yml (0600: host, port,
 *   password) there; it removes the file when the IDE ends.
 *
 * The bridge reads connection.yml as the user (octopus-file-broker) and
 * takes only port and password from it; the host always comes from Slurm
 * (the job's batch_host), never from the file or the URL. Pure.
 */
#ifndef OCTOPUS_INSTANCE_WRAPPER_H
#define OCTOPUS_INSTANCE_WRAPPER_H

#include <stddef.h>

#include "ide_catalog.h"

#define IW_ID_LEN 16                    /* hex characters of an instance id */
#define IW_PASSWORD_MAX 128

/* An instance id: IW_ID_LEN lower-case hex digits. */
int iw_id_ok(const char *id);

/* The batch script for instance id running ide (malloc'd), or NULL. */
char *iw_script(const char *id, const ide_t *ide);

/* connection.yml's path for a user's home. */
int iw_connection_path(const char *home, const char *id, char *out, size_t len);

/* Port and password from connection.yml's text (len bytes, need not end
 * in NUL). 0, or -1 when the file is not one the wrapper writes. */
int iw_parse_connection(const char *text, size_t len, int *port, char *password, size_t pwlen);

#endif
