/*
 * str_arena - strings that live and die together: one job list's ~20,000
 * field copies and rendered views come from a few large chunks and go in
 * one free, instead of one malloc and one free each (a third of the
 * bridge's parse time, bench/bridge-parse). Not thread-safe: a list is
 * filled by one thread before it is shared, and read-only after. Pure.
 */
#ifndef OCTOPUS_STR_ARENA_H
#define OCTOPUS_STR_ARENA_H

#include <stddef.h>

typedef struct str_arena str_arena_t;

str_arena_t *str_arena_new(void);
void str_arena_free(str_arena_t *a);

/* n bytes, aligned for char only, valid until str_arena_free; NULL when
 * memory ran out */
char *str_arena_alloc(str_arena_t *a, size_t n);

/* a NUL-terminated copy of n bytes of s (which need not be) */
char *str_arena_memdup(str_arena_t *a, const char *s, size_t n);

/* bytes handed out so far, and bytes held */
void str_arena_usage(const str_arena_t *a, size_t *used, size_t *held);

#endif
