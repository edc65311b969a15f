/* SPDX-License-Identifier: GPL-2.0-or-later */
/* growbuf - see growbuf.h */
#include "growbuf.h"

#include <stdlib.h>
#include <string.h>

#define GROWBUF_FIRST 16384

static int grow_to(growbuf_t *b, size_t cap)
{
	char *p = realloc(b->data, cap);

	if (!p)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

int growbuf_reserve(growbuf_t *b, size_t want, size_t max)
{
	if (want > max || want == (size_t)-1)
		return -1;
	return want + 1 <= b->cap ? 0 : grow_to(b, want + 1);
}

int growbuf_append(growbuf_t *b, const void *p, size_t n, size_t max)
{
	if (n > max || b->len > max - n)
		return -1;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : GROWBUF_FIRST;

		while (cap < b->len + n + 1)
			cap = cap > (size_t)-1 / 2 ? b->len + n + 1 : cap * 2;
		/* doubling past the bound would only reserve memory never used */
		if (cap > max + 1)
			cap = max + 1;
		if (grow_to(b, cap))
			return -1;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

char *growbuf_take(growbuf_t *b, size_t *len)
{
	char *d = b->data;

	if (len)
		*len = b->len;
	memset(b, 0, sizeof(*b));
	return d;
}

void growbuf_free(growbuf_t *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}
