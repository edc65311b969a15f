/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * broker_client - the bridge's side of octopus-file-broker: one request
 * line, the answer line, and for READ the bytes that follow.
 */
#ifndef OCTOPUS_BROKER_CLIENT_H
#define OCTOPUS_BROKER_CLIENT_H

#include <stddef.h>

/* 0 with the answer line (without "\n") in head and, when data is not
 * NULL, up to maxdata following bytes in a malloc'd *data; -1 with why when
 * the broker cannot be asked. */
int broker_call(const char *socket_path, const char *line, char *head, size_t headlen, char **data, size_t *datalen,
		size_t maxdata, char *why, size_t whylen);

#endif
