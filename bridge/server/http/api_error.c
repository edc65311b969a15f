/* SPDX-License-Identifier: GPL-2.0-or-later */
/* api_error - see api_error.h */
#include "api_error.h"
#include <stdio.h>
#include <time.h>

void api_request_id(char *out, size_t len)
{
	static unsigned long long seq;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(out, len, "%llx-%llx", (unsigned long long)ts.tv_sec,
		 (unsigned long long)__atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
}

json_object *api_error_new(const char *code, const char *message, const char *request_id)
{
	json_object *o = json_object_new_object(), *e = json_object_new_object();

	json_object_object_add(e, "code", json_object_new_string(code));
	json_object_object_add(e, "message", json_object_new_string(message));
	json_object_object_add(e, "request_id", json_object_new_string(request_id));
	json_object_object_add(o, "error", e);
	return o;
}
