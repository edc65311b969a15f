/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mt_reject.h"

#include <stdarg.h>
#include <stdio.h>

void mt_reject(mt_decision_t *out, mt_err_kind_t kind, const char *fmt, ...)
{
	va_list ap;

	out->verdict = MT_REJECT;
	out->err = kind;
	va_start(ap, fmt);
	vsnprintf(out->msg, sizeof(out->msg), fmt, ap);
	va_end(ap);
}
