/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json_body_check - what every request body must be before a route reads
 * it: one JSON value and nothing after it, strings and keys of valid UTF-8
 * without NUL (json-c would cut "a\u0000b" to "a"), no key twice in one
 * object (json-c keeps the last one silently), bounded nesting and size of
 * objects. Checked with yajl, whose callbacks say which field is wrong, so
 * the 400 names it; json-c then reads a body known to be clean.
 */
#ifndef OCTOPUS_JSON_BODY_CHECK_H
#define OCTOPUS_JSON_BODY_CHECK_H

#include <stddef.h>

#define JBC_MAX_DEPTH 16
#define JBC_MAX_KEYS 256        /* per object: the API's have a dozen */

/*
 * 0 when body is clean; else -1 with the field (a dotted path such as
 * "env.HOME" or "args[2]", "" for the body as a whole) and the reason.
 */
int json_body_check(const char *body, size_t len, char *field, size_t flen, char *why, size_t wlen);

#endif
