/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "json_body_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "utf8_valid.h"

typedef struct {
	int is_map;
	size_t nkeys;
	char **keys;            /* this object's keys so far (maps only) */
	char *key;              /* the current key, or NULL */
	size_t index;           /* the current element (arrays only) */
} level_t;

typedef struct {
	level_t lv[JBC_MAX_DEPTH];
	int depth;
	char *field;
	size_t flen;
	char *why;
	size_t wlen;
	int failed;
} check_t;

/* "a.b[2].c" for the value being read */
static void path_of(check_t *c)
{
	size_t n = 0;

	c->field[0] = '\0';
	for (int i = 0; i < c->depth && n < c->flen; i++) {
		const level_t *l = &c->lv[i];
		int w;

		if (l->is_map)
			w = l->key ? snprintf(c->field + n, c->flen - n, "%s%.64s", n ? "." : "", l->key) : 0;
		else
			w = snprintf(c->field + n, c->flen - n, "[%zu]", l->index);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

static int fail(check_t *c, const char *why)
{
	path_of(c);
	snprintf(c->why, c->wlen, "%s", why);
	c->failed = 1;
	return 0;       /* stops yajl */
}

/* A value was read at the current level: the next array element. */
static int value(check_t *c)
{
	if (c->depth && !c->lv[c->depth - 1].is_map)
		c->lv[c->depth - 1].index++;
	return 1;
}

static int text_ok(check_t *c, const unsigned char *s, size_t len, const char *what)
{
	char why[96];

	if (!utf8_is_valid((const char *)s, len)) {
		snprintf(why, sizeof(why), "%s is not valid UTF-8", what);
		return fail(c, why);
	}
	if (memchr(s, '\0', len)) {
		snprintf(why, sizeof(why), "%s contains a NUL character (\\u0000)", what);
		return fail(c, why);
	}
	return 1;
}

static int on_scalar(void *ctx)
{
	return value(ctx);
}

static int on_bool(void *ctx, int b)
{
	(void)b;
	return value(ctx);
}

static int on_number(void *ctx, const char *s, size_t len)
{
	(void)s;
	(void)len;
	return value(ctx);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	check_t *c = ctx;

	return text_ok(c, s, len, "the value") ? value(c) : 0;
}

static int open_level(check_t *c, int is_map)
{
	if (c->depth == JBC_MAX_DEPTH)
		return fail(c, "nested too deeply");
	memset(&c->lv[c->depth], 0, sizeof(c->lv[0]));
	c->lv[c->depth++].is_map = is_map;
	return 1;
}

static void close_level(check_t *c)
{
	level_t *l = &c->lv[--c->depth];

	for (size_t i = 0; i < l->nkeys; i++)
		free(l->keys[i]);
	free(l->keys);
	memset(l, 0, sizeof(*l));
}

static int on_start_map(void *ctx)
{
	return open_level(ctx, 1);
}

static int on_start_array(void *ctx)
{
	return open_level(ctx, 0);
}

static int on_end(void *ctx)
{
	check_t *c = ctx;

	close_level(c);
	return value(c);
}

static int on_key(void *ctx, const unsigned char *s, size_t len)
{
	check_t *c = ctx;
	level_t *l = &c->lv[c->depth - 1];
	char *k, **grown;

	l->key = NULL;
	if (!text_ok(c, s, len, "a key"))
		return 0;
	for (size_t i = 0; i < l->nkeys; i++)
		if (strlen(l->keys[i]) == len && !memcmp(l->keys[i], s, len)) {
			l->key = l->keys[i];
			return fail(c, "this key appears twice in one object");
		}
	if (l->nkeys == JBC_MAX_KEYS)
		return fail(c, "the object has too many fields");
	if (!(k = strndup((const char *)s, len)) || !(grown = realloc(l->keys, (l->nkeys + 1) * sizeof(*grown)))) {
		free(k);
		return fail(c, "out of memory");
	}
	l->keys = grown;
	l->keys[l->nkeys++] = k;
	l->key = k;
	return 1;
}

static const yajl_callbacks callbacks = {
	.yajl_null = on_scalar,
	.yajl_boolean = on_bool,
	.yajl_number = on_number,
	.yajl_string = on_string,
	.yajl_start_map = on_start_map,
	.yajl_map_key = on_key,
	.yajl_end_map = on_end,
	.yajl_start_array = on_start_array,
	.yajl_end_array = on_end,
};

int json_body_check(const char *body, size_t len, char *field, size_t flen, char *why, size_t wlen)
{
	check_t c = { .field = field, .flen = flen, .why = why, .wlen = wlen };
	yajl_handle h = yajl_alloc(&callbacks, NULL, &c);
	yajl_status st;

	field[0] = '\0';
	if (!h) {
		snprintf(why, wlen, "out of memory");
		return -1;
	}
	/* our own UTF-8 check names the field; trailing bytes are an error */
	yajl_config(h, yajl_dont_validate_strings, 1);
	st = yajl_parse(h, (const unsigned char *)body, len);
	if (st == yajl_status_ok)
		st = yajl_complete_parse(h);
	if (st != yajl_status_ok && !c.failed) {
		unsigned char *e = yajl_get_error(h, 0, NULL, 0);
		const char *msg = e ? (const char *)e : "not JSON";

		/* yajl: "lexical error: ..." / "parse error: trailing garbage" */
		snprintf(why, wlen, "the body is not one JSON value (%.120s)", msg);
		if (e)
			yajl_free_error(h, e);
	}
	while (c.depth)
		close_level(&c);
	yajl_free(h);
	return st == yajl_status_ok && !c.failed ? 0 : -1;
}
