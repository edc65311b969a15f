/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * str_arena - strings that live and die together: one job list's ~20,000
 * field copies and rendered views come from a few large chunks and go in
 * one free, instead of one malloc and one free each (a third of the
 * bridge's parse time, bench/bridge-parse). Not thread-safe: a list is
 * filled by one thread before it is shared, and read-only after. Counted
 * references (atomic): the next list keeps the strings of the jobs that did
 * not change where they are, and the arena lives while either list does.
 * Pure.
 */
#ifndef OCTOPUS_STR_ARENA_H
#define OCTOPUS_STR_ARENA_H

#include <stddef.h>

typedef struct str_arena str_arena_t;

/* a new arena with one reference, the caller's */
str_arena_t *str_arena_new(void);
str_arena_t *str_arena_ref(str_arena_t *a);
/* drops a reference; the last one frees every string (a may be NULL) */
void str_arena_unref(str_arena_t *a);

/* n bytes, aligned for char only, valid until the last reference goes; NULL when
 * memory ran out */
char *str_arena_alloc(str_arena_t *a, size_t n);

/* a NUL-terminated copy of n bytes of s (which need not be) */
char *str_arena_memdup(str_arena_t *a, const char *s, size_t n);

/* bytes handed out so far, and bytes held */
void str_arena_usage(const str_arena_t *a, size_t *used, size_t *held);

#endif
