/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mt_grantidx.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define GI_MAX_FILE (64u * 1024 * 1024)

struct grantidx {
	size_t n;
	gi_entry_t *entries;
	size_t nbuckets;        /* power of two, > 2n */
	int32_t *buckets;       /* index into entries, -1 empty */
};

static uint64_t key_hash(uint32_t uid, const char *account, const char *type)
{
	uint64_t h = 1469598103934665603ULL ^ uid;

	h *= 1099511628211ULL;
	for (const char *p = account; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ '/') * 1099511628211ULL;
	for (const char *p = type; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h;
}

static int seterr(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int valid_token(const char *s, size_t len)
{
	if (len == 0 || len >= GI_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '.' || s[i] == '-'))
			return 0;
	return 1;
}

static int parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 19)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* Parse one line's tokens into e. */
static int parse_line(const char *p, const char *end, gi_entry_t *e)
{
	const char *tok[3 + GI_MAX_STEPS];
	size_t tlen[3 + GI_MAX_STEPS], nt = 0;
	uint64_t v;

	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= end)
			break;
		if (nt >= 3 + GI_MAX_STEPS)
			return -1;
		tok[nt] = p;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
		tlen[nt] = (size_t)(p - tok[nt]);
		nt++;
	}
	if (nt < 4)
		return -1;
	memset(e, 0, sizeof(*e));
	if (parse_u64(tok[0], tlen[0], UINT32_MAX - 1, &v))
		return -1;
	e->uid = (uint32_t)v;
	if (!valid_token(tok[1], tlen[1]) || !valid_token(tok[2], tlen[2]))
		return -1;
	memcpy(e->account, tok[1], tlen[1]);
	memcpy(e->type, tok[2], tlen[2]);
	for (size_t i = 3; i < nt; i++) {
		const char *at = memchr(tok[i], '@', tlen[i]);
		uint64_t units, endt;

		if (!at || parse_u64(tok[i], (size_t)(at - tok[i]), 1000000, &units) ||
		    parse_u64(at + 1, tlen[i] - (size_t)(at - tok[i]) - 1, INT64_MAX, &endt))
			return -1;
		if (e->nsteps && ((int64_t)endt <= e->steps[e->nsteps - 1].end ||
				  units > e->steps[e->nsteps - 1].units))
			return -1;
		e->steps[e->nsteps].units = (uint32_t)units;
		e->steps[e->nsteps].end = (int64_t)endt;
		e->nsteps++;
	}
	return 0;
}

grantidx_t *gi_parse(const char *text, size_t len, char *err, size_t errlen)
{
	grantidx_t *gi = calloc(1, sizeof(*gi));
	size_t cap = 0, lineno = 0;
	const char *p = text, *end = text + len;

	if (!gi) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *q = p;
		gi_entry_t e;

		lineno++;
		while (q < le && (*q == ' ' || *q == '\t'))
			q++;
		if (q < le && *q != '#') {
			if (parse_line(q, le, &e)) {
				seterr(err, errlen, "line %zu: expected 'UID ACCOUNT TYPE UNITS@END ...' with steps ordered by END",
				       lineno);
				gi_free(gi);
				return NULL;
			}
			if (gi->n >= GI_MAX_ENTRIES) {
				seterr(err, errlen, "more than %d entries", GI_MAX_ENTRIES);
				gi_free(gi);
				return NULL;
			}
			if (gi->n == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				gi_entry_t *ne = realloc(gi->entries, ncap * sizeof(*ne));

				if (!ne) {
					seterr(err, errlen, "out of memory");
					gi_free(gi);
					return NULL;
				}
				gi->entries = ne;
				cap = ncap;
			}
			gi->entries[gi->n++] = e;
		}
		p = nl ? nl + 1 : end;
	}
	gi->nbuckets = 16;
	while (gi->nbuckets < gi->n * 2 + 1)
		gi->nbuckets *= 2;
	if (!(gi->buckets = malloc(gi->nbuckets * sizeof(*gi->buckets)))) {
		seterr(err, errlen, "out of memory");
		gi_free(gi);
		return NULL;
	}
	memset(gi->buckets, 0xff, gi->nbuckets * sizeof(*gi->buckets));
	for (size_t i = 0; i < gi->n; i++) {
		gi_entry_t *e = &gi->entries[i];
		size_t b = key_hash(e->uid, e->account, e->type) & (gi->nbuckets - 1);

		while (gi->buckets[b] >= 0) {
			gi_entry_t *o = &gi->entries[gi->buckets[b]];

			if (o->uid == e->uid && !strcmp(o->account, e->account) && !strcmp(o->type, e->type)) {
				seterr(err, errlen, "duplicate entry for uid %" PRIu32 " account %s type %s",
				       e->uid, e->account, e->type);
				gi_free(gi);
				return NULL;
			}
			b = (b + 1) & (gi->nbuckets - 1);
		}
		gi->buckets[b] = (int32_t)i;
	}
	return gi;
}

grantidx_t *gi_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	struct stat st;
	char *buf;
	size_t got;
	grantidx_t *gi;

	if (!f) {
		seterr(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > GI_MAX_FILE) {
		seterr(err, errlen, "%s is not a regular file of at most %u bytes", path, GI_MAX_FILE);
		fclose(f);
		return NULL;
	}
	if (!(buf = malloc((size_t)st.st_size + 1))) {
		fclose(f);
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	got = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	gi = gi_parse(buf, got, err, errlen);
	free(buf);
	return gi;
}

void gi_free(grantidx_t *gi)
{
	if (!gi)
		return;
	free(gi->entries);
	free(gi->buckets);
	free(gi);
}

size_t gi_count(const grantidx_t *gi)
{
	return gi ? gi->n : 0;
}

const gi_entry_t *gi_find(const grantidx_t *gi, uint32_t uid, const char *account, const char *type)
{
	size_t b;

	if (!gi || !gi->n || !account || !type)
		return NULL;
	b = key_hash(uid, account, type) & (gi->nbuckets - 1);
	while (gi->buckets[b] >= 0) {
		const gi_entry_t *e = &gi->entries[gi->buckets[b]];

		if (e->uid == uid && !strcmp(e->account, account) && !strcmp(e->type, type))
			return e;
		b = (b + 1) & (gi->nbuckets - 1);
	}
	return NULL;
}

int64_t gi_end_for_units(const gi_entry_t *e, uint32_t units)
{
	int64_t end = 0;

	if (!e)
		return 0;
	for (size_t i = 0; i < e->nsteps; i++)
		if (e->steps[i].units >= units)
			end = e->steps[i].end;
	return end;
}

int gi_write_entry(FILE *f, const gi_entry_t *e)
{
	if (fprintf(f, "%" PRIu32 " %s %s", e->uid, e->account, e->type) < 0)
		return -1;
	for (size_t i = 0; i < e->nsteps; i++)
		if (fprintf(f, " %" PRIu32 "@%" PRId64, e->steps[i].units, e->steps[i].end) < 0)
			return -1;
	return fputc('\n', f) == EOF ? -1 : 0;
}
