/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * growbuf - a byte buffer that grows by doubling up to a bound, always
 * NUL-terminated: what a curl write callback fills with an answer kept in
 * memory (slurmrestd's job list in the bridge, a registry's manifest in
 * spank_container). Doubling keeps a 10 MB answer from being copied
 * hundreds of times; the bound keeps a hostile or broken server from
 * taking the process's memory.
 */
#ifndef OCTOPUS_GROWBUF_H
#define OCTOPUS_GROWBUF_H

#include <stddef.h>

typedef struct {
	char *data;     /* NULL until the first byte; then len bytes and a NUL */
	size_t len, cap;
} growbuf_t;

/* Room for want bytes (and the NUL) in one allocation, when the size is
 * known ahead (Content-Length). 0; -1 when want passes max or memory ran
 * out (the buffer is unchanged). */
int growbuf_reserve(growbuf_t *b, size_t want, size_t max);

/* Append n bytes. 0; -1 when len would pass max, or memory ran out (the
 * buffer is unchanged). */
int growbuf_append(growbuf_t *b, const void *p, size_t n, size_t max);

/* The bytes, for the caller to free(); the buffer is empty again. */
char *growbuf_take(growbuf_t *b, size_t *len);

void growbuf_free(growbuf_t *b);

#endif
