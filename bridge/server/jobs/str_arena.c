/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "str_arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The first chunk fits a small list without waste; later ones double, so
 * a 3 MB list takes ~8 chunks. */
#define FIRST_CHUNK (16 * 1024)
#define MAX_CHUNK (1024 * 1024)

typedef struct chunk {
	struct chunk *next;
	size_t size, used;
	char data[];
} chunk_t;

struct str_arena {
	chunk_t *head;          /* the chunk being filled; older ones behind it */
	size_t next_size;
	size_t used, held;
	int refs;
};

str_arena_t *str_arena_new(void)
{
	str_arena_t *a = calloc(1, sizeof(*a));

	if (a) {
		a->next_size = FIRST_CHUNK;
		a->refs = 1;
	}
	return a;
}

str_arena_t *str_arena_ref(str_arena_t *a)
{
	__atomic_add_fetch(&a->refs, 1, __ATOMIC_RELAXED);
	return a;
}

void str_arena_unref(str_arena_t *a)
{
	if (!a || __atomic_sub_fetch(&a->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (chunk_t *c = a->head, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

char *str_arena_alloc(str_arena_t *a, size_t n)
{
	chunk_t *c = a->head;

	if (!c || c->size - c->used < n) {
		size_t size = a->next_size;

		if (n > SIZE_MAX / 2 - sizeof(*c))
			return NULL;
		/* a string bigger than the next chunk gets one of its own */
		if (size < n)
			size = n;
		if (!(c = malloc(sizeof(*c) + size)))
			return NULL;
		c->size = size;
		c->used = 0;
		/* a big one-off chunk goes behind the current one, which may still have room */
		if (size == n && a->head && size > a->next_size) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
			if (a->next_size < MAX_CHUNK)
				a->next_size *= 2;
		}
		a->held += size;
	}
	c->used += n;
	a->used += n;
	return c->data + c->used - n;
}

char *str_arena_memdup(str_arena_t *a, const char *s, size_t n)
{
	char *p = n < SIZE_MAX ? str_arena_alloc(a, n + 1) : NULL;

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void str_arena_usage(const str_arena_t *a, size_t *used, size_t *held)
{
	*used = a->used;
	*held = a->held;
}
