/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mt_reject - how the request normaliser and the unit rules refuse a job:
 * the decision becomes MT_REJECT with its kind and a one-line reason. */
#ifndef OCTOPUS_MT_REJECT_H
#define OCTOPUS_MT_REJECT_H

#include "mt_request.h"

void mt_reject(mt_decision_t *out, mt_err_kind_t kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
