/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gres_count - a node's GRES strings as slurmrestd shows them
 * ("gpu:a100:4(S:0-1),npu:2", used: "gpu:a100:2(IDX:0-1),npu:0") added
 * into per-"name:type" totals, for the admins' view of GPU/NPU use. Pure.
 */
#ifndef OCTOPUS_GRES_COUNT_H
#define OCTOPUS_GRES_COUNT_H

#include <stddef.h>
#include <stdint.h>

#define GC_MAX 32

typedef struct {
	size_t n;
	struct {
		char name[64];          /* "gpu:a100", "npu" */
		uint64_t total, used;
	} e[GC_MAX];
} gres_count_t;

/* Add one node's strings (either may be NULL or ""). */
void gres_count_add(gres_count_t *c, const char *gres, const char *gres_used);

#endif
