/* SPDX-License-Identifier: GPL-2.0-or-later */
/* api_error - the API's error shape and request ids, for handlers and the connection guard alike */
#ifndef OCTOPUS_API_ERROR_H
#define OCTOPUS_API_ERROR_H

#include <stddef.h>
#include <json-c/json.h>

/* a new id for a request: unique in this process, ordered in time */
void api_request_id(char *out, size_t len);

/* {"error":{"code":..,"message":..,"request_id":..}} (the caller owns it) */
json_object *api_error_new(const char *code, const char *message, const char *request_id);

#endif
