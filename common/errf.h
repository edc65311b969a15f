/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * errf - fill a caller's error buffer and return -1, the convention of the
 * parsers and loaders here: `return errf(err, errlen, "what: how to fix", ...);`
 */
#ifndef OCTOPUS_ERRF_H
#define OCTOPUS_ERRF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

__attribute__((format(printf, 3, 4)))
static inline int errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

#endif
