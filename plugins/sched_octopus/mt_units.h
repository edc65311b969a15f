/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mt_units - the unit rules of a policy partition that are not about
 * accelerators: how many units a plain job (no GPU request) gets, and the
 * CPUs and memory a shaped job carries. Each returns 0, or -1 after
 * mt_reject() with the reason.
 */
#ifndef OCTOPUS_MT_UNITS_H
#define OCTOPUS_MT_UNITS_H

#include <stdint.h>

#include "mt_request.h"

/* CPUs and memory for out->units of t: the type's per-accelerator share,
 * unless the job set its own and it fits (out->cpus_per_tres, mem_per_tres). */
int mt_units_resources(const mt_request_t *req, const mt_type_t *t, mt_decision_t *out);

/* Units for a job that names no accelerator and no unit count; per_node:
 * units on each of a fixed node count > 1, else 0. */
int mt_units_plain(const mt_request_t *req, const mt_type_t *t, uint32_t *units, uint32_t *per_node,
		   mt_decision_t *out);

#endif
