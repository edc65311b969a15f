/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kvconf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
	const char *buf;
	size_t len;
	size_t pos;
	unsigned line;      /* current physical line, 1-based */
	kv_error_t *err;
} cursor_t;

static int fail(kv_error_t *err, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(kv_error_t *err, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int is_key_char(int c)
{
	return isalnum(c) || c == '_' || c == '-' || c == '.';
}

/*
 * Gather one logical line into out (joined continuations, comment removed,
 * quotes kept). Returns 1 with a line, 0 at end of input, -1 on error.
 * *first_line receives the physical line the logical one starts on.
 */
static int next_logical_line(cursor_t *c, char *out, size_t *outlen, unsigned *first_line)
{
	size_t n = 0;
	int in_quote = 0, in_comment = 0;

	if (c->pos >= c->len)
		return 0;
	*first_line = c->line;
	while (c->pos < c->len) {
		char ch = c->buf[c->pos++];

		if (ch == '\0')
			return fail(c->err, c->line, "NUL byte in configuration text: the file is not text");
		if (ch == '\n') {
			c->line++;
			/* "\" before the newline (outside a comment) joins the next line */
			if (!in_comment && n > 0 && out[n - 1] == '\\') {
				out[n - 1] = ' ';
				continue;
			}
			if (in_quote)
				return fail(c->err, c->line - 1, "unterminated quote: close the \" before the end of the line");
			break;
		}
		if (in_comment)
			continue;
		if (ch == '"')
			in_quote = !in_quote;
		else if (ch == '#' && !in_quote) {
			in_comment = 1;
			continue;
		}
		if (n + 1 >= KV_MAX_LINE)
			return fail(c->err, *first_line, "line longer than %d bytes: split it with '\\' continuations",
				    KV_MAX_LINE);
		out[n++] = ch == '\r' || ch == '\t' ? ' ' : ch;
	}
	if (in_quote)
		return fail(c->err, c->line, "unterminated quote: close the \" before the end of the line");
	out[n] = '\0';
	*outlen = n;
	return 1;
}

static void free_record(kv_record_t *rec)
{
	for (size_t i = 0; i < rec->npairs; i++) {
		free(rec->pairs[i].key);
		free(rec->pairs[i].value);
	}
	free(rec->pairs);
	rec->pairs = NULL;
	rec->npairs = 0;
}

/* Split a logical line into pairs. Returns number of pairs (0: blank line) or -1. */
static int parse_record(const char *s, unsigned lineno, kv_record_t *rec, kv_error_t *err)
{
	kv_pair_t pairs[KV_MAX_PAIRS];
	size_t np = 0;
	const char *p = s;

	while (*p) {
		const char *kstart, *vstart;
		size_t klen, vlen;
		char *key, *value;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		kstart = p;
		while (is_key_char((unsigned char)*p))
			p++;
		klen = (size_t)(p - kstart);
		if (*p != '=' || klen == 0) {
			const char *tend = kstart;
			while (*tend && *tend != ' ')
				tend++;
			fail(err, lineno, "expected Key=Value, found '%.*s': write settings as Key=Value",
			     (int)(tend - kstart > 64 ? 64 : tend - kstart), kstart);
			goto error;
		}
		p++; /* '=' */
		if (*p == '"') {
			vstart = ++p;
			while (*p && *p != '"')
				p++;
			vlen = (size_t)(p - vstart);
			if (*p == '"')
				p++;
			if (*p && *p != ' ') {
				fail(err, lineno, "text after closing quote of '%.*s': put a space between settings",
				     (int)klen, kstart);
				goto error;
			}
		} else {
			vstart = p;
			while (*p && *p != ' ') {
				if (*p == '"') {
					fail(err, lineno, "stray quote in value of '%.*s': quote the whole value",
					     (int)klen, kstart);
					goto error;
				}
				p++;
			}
			vlen = (size_t)(p - vstart);
		}
		for (size_t i = 0; i < np; i++) {
			if (strlen(pairs[i].key) == klen && !strncasecmp(pairs[i].key, kstart, klen)) {
				fail(err, lineno, "'%.*s' given twice in one line: keep one", (int)klen, kstart);
				goto error;
			}
		}
		if (np == KV_MAX_PAIRS) {
			fail(err, lineno, "more than %d settings in one line", KV_MAX_PAIRS);
			goto error;
		}
		key = strndup(kstart, klen);
		value = strndup(vstart, vlen);
		if (!key || !value) {
			free(key);
			free(value);
			fail(err, lineno, "out of memory");
			goto error;
		}
		pairs[np].key = key;
		pairs[np].value = value;
		np++;
	}
	rec->lineno = lineno;
	rec->npairs = np;
	rec->pairs = NULL;
	if (np) {
		rec->pairs = calloc(np, sizeof(*rec->pairs));
		if (!rec->pairs) {
			fail(err, lineno, "out of memory");
			goto error;
		}
		memcpy(rec->pairs, pairs, np * sizeof(*pairs));
	}
	return (int)np;
error:
	for (size_t i = 0; i < np; i++) {
		free(pairs[i].key);
		free(pairs[i].value);
	}
	return -1;
}

void kv_doc_free(kv_doc_t *doc)
{
	if (!doc)
		return;
	for (size_t i = 0; i < doc->nrecords; i++)
		free_record(&doc->records[i]);
	free(doc->records);
	free(doc);
}

int kv_parse(const char *buf, size_t len, kv_doc_t **out, kv_error_t *err)
{
	cursor_t c = { .buf = buf, .len = len, .line = 1, .err = err };
	kv_doc_t *doc;
	size_t cap = 0;
	char *line;
	int rc;

	*out = NULL;
	if (err) {
		err->line = 0;
		err->msg[0] = '\0';
	}
	if (len > KV_MAX_INPUT)
		return fail(err, 0, "configuration larger than %d bytes", KV_MAX_INPUT);
	doc = calloc(1, sizeof(*doc));
	line = malloc(KV_MAX_LINE);
	if (!doc || !line) {
		free(doc);
		free(line);
		return fail(err, 0, "out of memory");
	}
	for (;;) {
		size_t llen;
		unsigned first;
		kv_record_t rec;

		rc = next_logical_line(&c, line, &llen, &first);
		if (rc <= 0)
			break;
		rc = parse_record(line, first, &rec, err);
		if (rc < 0)
			break;
		if (rc == 0)
			continue;
		if (doc->nrecords == KV_MAX_RECORDS) {
			free_record(&rec);
			rc = fail(err, first, "more than %d records", KV_MAX_RECORDS);
			break;
		}
		if (doc->nrecords == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			kv_record_t *n = realloc(doc->records, ncap * sizeof(*n));
			if (!n) {
				free_record(&rec);
				rc = fail(err, first, "out of memory");
				break;
			}
			doc->records = n;
			cap = ncap;
		}
		doc->records[doc->nrecords++] = rec;
	}
	free(line);
	if (rc < 0) {
		kv_doc_free(doc);
		return -1;
	}
	*out = doc;
	return 0;
}

int kv_parse_file(const char *path, kv_doc_t **out, kv_error_t *err)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd, rc;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fail(err, 0, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(err, 0, "%s is not a regular file", path);
	}
	if (st.st_size > KV_MAX_INPUT) {
		close(fd);
		return fail(err, 0, "%s is larger than %d bytes", path, KV_MAX_INPUT);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return fail(err, 0, "out of memory reading %s", path);
	}
	/* The file may change under us; read at most the size we sized for. */
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			close(fd);
			return fail(err, 0, "cannot read %s: %s", path, strerror(e));
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	rc = kv_parse(buf, got, out, err);
	free(buf);
	return rc;
}

const char *kv_record_get(const kv_record_t *rec, const char *key)
{
	for (size_t i = 0; i < rec->npairs; i++)
		if (!strcasecmp(rec->pairs[i].key, key))
			return rec->pairs[i].value;
	return NULL;
}
