/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * entry_plan - what octopus-entrypoint runs in front of the task's command:
 * the image's Entrypoint words and the command's own argv[0], carried in
 * one environment variable as netstrings ("5:/init,2:-v,9:/bin/true,").
 *
 * Slurm hands a SPANK plugin the task's argv array but not the right to
 * grow it, so the plugin swaps argv[0] for the helper and the helper
 * rebuilds the full command line from this plan. Netstrings carry any byte
 * but NUL, so no word needs quoting.
 */
#ifndef OCTOPUS_ENTRY_PLAN_H
#define OCTOPUS_ENTRY_PLAN_H

#include <stddef.h>

#define ENTRY_PLAN_ENV "OCTOPUS_ENTRYPOINT"
#define ENTRY_HELD_ENV "OCTOPUS_ENTRY_HELD"      /* the job's variables, given back after the Entrypoint */
#define ENTRY_PLAN_MAX_WORDS 256
#define ENTRY_PLAN_MAX_BYTES 65536

/* words[0..n-1] as one malloc'd string; NULL if too many or too long. */
char *entry_plan_encode(char *const *words, size_t n);

/* Split plan in place (it is modified; words point into it). The number
 * of words, or -1 if plan is not a well-formed list of at most max words. */
int entry_plan_decode(char *plan, char **words, size_t max);

#endif
