/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * restd_client - calls to slurmrestd over its unix socket with libcurl, as
 * one user (X-SLURM-USER-NAME + that user's X-SLURM-USER-TOKEN: 22.05 needs
 * both). At most MaxConcurrent calls at once (more wait up to the timeout,
 * then fail as busy); each call bounded in time and answer size, so a
 * stalled slurmctld gives the portal a 503, never a hang.
 */
#ifndef OCTOPUS_RESTD_CLIENT_H
#define OCTOPUS_RESTD_CLIENT_H

#include <stddef.h>
#include <stdint.h>

typedef struct restd restd_t;

typedef struct {
	long status;                    /* HTTP status, 0 when there was no exchange */
	char *body;                     /* NUL-terminated; free with restd_resp_free */
	size_t len;
	double wait_s;                  /* request sent to first byte of the answer: slurmrestd's own time */
	double body_s;                  /* first byte to last */
	char err[256];                  /* why there was no exchange */
} restd_resp_t;

restd_t *restd_new(const char *socket_path, int timeout_s, int max_concurrent);
void restd_free(restd_t *r);

/* 0 after an exchange (any status), -1 when slurmrestd could not be asked
 * (down, busy, timed out: out->err). */
int restd_call(restd_t *r, const char *method, const char *path, const char *user, const char *token,
	       const char *json_body, restd_resp_t *out);

void restd_resp_free(restd_resp_t *resp);

void restd_stats(restd_t *r, uint64_t *calls, uint64_t *failures);

#endif
