/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mt_catalog.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kvconf.h"
#include "utf8_valid.h"

static mt_catalog_t *fail(mt_catalog_t *cat, mt_error_t *err, unsigned line,
			  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static mt_catalog_t *fail(mt_catalog_t *cat, mt_error_t *err, unsigned line,
			  const char *fmt, ...)
{
	va_list ap;

	/* format first: the arguments may point into cat */
	if (err) {
		err->line = line;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	mt_catalog_free(cat);
	return NULL;
}

bool mt_valid_name(const char *s)
{
	size_t n;

	if (!s || !(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
		return false;
	for (n = 0; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];

		if (n >= MT_NAME_MAX - 2)
			return false;
		if (!(islower(c) || isdigit(c) || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

/* Slurm partition / GRES names: letters, digits, _ . - ; bounded. */
static bool valid_ident(const char *s)
{
	size_t n;

	if (!s || !s[0])
		return false;
	for (n = 0; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];

		if (n >= MT_NAME_MAX - 1)
			return false;
		if (!(isalnum(c) || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* Memory like Slurm: a number of MB, or with a K/M/G/T suffix. */
static int parse_mem_mb(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case '\0': break;
	case 'M': end++; break;
	case 'G': mul = 1024; end++; break;
	case 'T': mul = 1024 * 1024; end++; break;
	case 'K':
		if (v % 1024)
			return -1;
		v /= 1024;
		end++;
		break;
	default: return -1;
	}
	if ((*end && toupper((unsigned char)*end) != 'B') || (*end && end[1]))
		return -1;
	if (v == 0 || v > (UINT64_C(1) << 40) / mul)
		return -1;
	*out = v * mul;
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	if (!strcasecmp(s, "yes") || !strcasecmp(s, "true") || !strcmp(s, "1")) {
		*out = true;
		return 0;
	}
	if (!strcasecmp(s, "no") || !strcasecmp(s, "false") || !strcmp(s, "0")) {
		*out = false;
		return 0;
	}
	return -1;
}

/* Split "a,b,c" into fixed slots; rejects empty items and overflow. */
static int split_names(const char *s, char (*slots)[MT_NAME_MAX], size_t max, size_t *n,
		       bool (*valid)(const char *))
{
	const char *p = s;

	*n = 0;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len == 0 || len >= MT_NAME_MAX || *n >= max)
			return -1;
		memcpy(slots[*n], p, len);
		slots[*n][len] = '\0';
		if (!valid(slots[*n]))
			return -1;
		for (size_t i = 0; i < *n; i++)
			if (!strcmp(slots[i], slots[*n]))
				return -1;
		(*n)++;
		p += len;
		if (*p == ',' && !*++p)
			return -1;
	}
	return *n ? 0 : -1;
}

static bool valid_user(const char *s)
{
	return valid_ident(s);
}

/* Gres=name:type:count (count per unit). */
static int parse_gres(const char *s, mt_type_t *t)
{
	char buf[3 * MT_NAME_MAX];
	char *name, *type, *count, *save = NULL;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	name = strtok_r(buf, ":", &save);
	type = strtok_r(NULL, ":", &save);
	count = strtok_r(NULL, ":", &save);
	if (!name || !type || !count || strtok_r(NULL, ":", &save))
		return -1;
	/* an all-digit type would read as a count in "gpu:TYPE" requests */
	if (!valid_ident(name) || !valid_ident(type) || strspn(type, "0123456789") == strlen(type))
		return -1;
	if (parse_u32(count, 1, 1024, &t->gres_per_unit))
		return -1;
	snprintf(t->gres_name, sizeof(t->gres_name), "%s", name);
	snprintf(t->gres_type, sizeof(t->gres_type), "%s", type);
	return 0;
}

static const char *const type_keys[] = {
	"MachineType", "Gres", "CpusPerUnit", "MemPerUnit", "Partitions",
	"MaxUnitsPerJob", "Description", NULL
};

static bool key_in(const char *key, const char *const *keys)
{
	for (; *keys; keys++)
		if (!strcasecmp(key, *keys))
			return true;
	return false;
}

static mt_catalog_t *add_type(mt_catalog_t *cat, const kv_record_t *rec, mt_error_t *err)
{
	mt_type_t *t;
	const char *v;
	unsigned line = rec->lineno;

	for (size_t i = 0; i < rec->npairs; i++)
		if (!key_in(rec->pairs[i].key, type_keys))
			return fail(cat, err, line,
				    "MachineType: unknown key '%s' (valid: Gres, CpusPerUnit, MemPerUnit, Partitions, MaxUnitsPerJob, Description)",
				    rec->pairs[i].key);
	if (cat->ntypes >= MT_MAX_TYPES)
		return fail(cat, err, line, "MachineType: more than %d machine types", MT_MAX_TYPES);
	t = &cat->types[cat->ntypes];
	memset(t, 0, sizeof(*t));
	t->line = line;

	v = kv_record_get(rec, "MachineType");
	if (!mt_valid_name(v))
		return fail(cat, err, line,
			    "MachineType='%s': use 1-30 characters of a-z, 0-9, '_', '.', '-', starting with a letter or digit",
			    v);
	if (mt_catalog_find_type(cat, v) >= 0)
		return fail(cat, err, line, "MachineType=%s is defined twice", v);
	snprintf(t->name, sizeof(t->name), "%s", v);

	if (!(v = kv_record_get(rec, "Gres")) || parse_gres(v, t))
		return fail(cat, err, line,
			    "MachineType=%s: Gres= must be NAME:TYPE:COUNT, e.g. Gres=gpu:a100:1 (got '%s')",
			    t->name, v ? v : "");
	if (!(v = kv_record_get(rec, "CpusPerUnit")) || parse_u32(v, 1, 65536, &t->cpus_per_unit))
		return fail(cat, err, line, "MachineType=%s: CpusPerUnit= must be a number from 1 to 65536 (got '%s')",
			    t->name, v ? v : "");
	if (t->cpus_per_unit % t->gres_per_unit)
		return fail(cat, err, line,
			    "MachineType=%s: CpusPerUnit=%" PRIu32 " is not a multiple of the %" PRIu32 " %s per unit; Slurm assigns CPUs per %s",
			    t->name, t->cpus_per_unit, t->gres_per_unit, t->gres_name, t->gres_name);
	if (!(v = kv_record_get(rec, "MemPerUnit")) || parse_mem_mb(v, &t->mem_mb_per_unit))
		return fail(cat, err, line,
			    "MachineType=%s: MemPerUnit= must be a size in MB or with M/G/T, e.g. MemPerUnit=64G (got '%s')",
			    t->name, v ? v : "");
	if (t->mem_mb_per_unit % t->gres_per_unit)
		return fail(cat, err, line,
			    "MachineType=%s: MemPerUnit (%" PRIu64 " MB) is not a multiple of the %" PRIu32 " %s per unit",
			    t->name, t->mem_mb_per_unit, t->gres_per_unit, t->gres_name);
	if (!(v = kv_record_get(rec, "Partitions")) ||
	    split_names(v, t->partitions, MT_MAX_PARTITIONS, &t->npartitions, valid_ident))
		return fail(cat, err, line,
			    "MachineType=%s: Partitions= must list the partitions this type runs in, e.g. Partitions=gpu,gpu-long (got '%s')",
			    t->name, v ? v : "");
	if ((v = kv_record_get(rec, "MaxUnitsPerJob")) &&
	    parse_u32(v, 1, MT_MAX_UNITS, &t->max_units_per_job))
		return fail(cat, err, line, "MachineType=%s: MaxUnitsPerJob= must be a number from 1 to %d (got '%s')",
			    t->name, MT_MAX_UNITS, v);
	/* printed to users' terminals and sent as JSON by the bridge */
	if ((v = kv_record_get(rec, "Description")) && !utf8_is_valid(v, strlen(v)))
		return fail(cat, err, line, "MachineType=%s: Description= is not valid UTF-8: save the file as UTF-8",
			    t->name);
	if (v && !(t->description = strdup(v)))
		return fail(cat, err, line, "out of memory");

	for (size_t p = 0; p < t->npartitions; p++) {
		if (mt_catalog_find_partition(cat, t->partitions[p]))
			continue;
		if (cat->npartitions >= MT_MAX_PARTITIONS)
			return fail(cat, err, line, "more than %d policy partitions", MT_MAX_PARTITIONS);
		snprintf(cat->partitions[cat->npartitions].name, MT_NAME_MAX, "%s", t->partitions[p]);
		cat->partitions[cat->npartitions].default_type = -1;
		cat->npartitions++;
	}
	cat->ntypes++;
	return cat;
}

/* PartitionName=gpu DefaultMachineType=a100x1 -- resolved after all types. */
static mt_catalog_t *set_partition(mt_catalog_t *cat, const kv_record_t *rec, mt_error_t *err)
{
	const char *name = kv_record_get(rec, "PartitionName");
	const char *def = kv_record_get(rec, "DefaultMachineType");
	mt_partition_t *p;
	int idx;

	for (size_t i = 0; i < rec->npairs; i++)
		if (strcasecmp(rec->pairs[i].key, "PartitionName") &&
		    strcasecmp(rec->pairs[i].key, "DefaultMachineType"))
			return fail(cat, err, rec->lineno,
				    "PartitionName: unknown key '%s' (valid: DefaultMachineType)",
				    rec->pairs[i].key);
	if (!valid_ident(name))
		return fail(cat, err, rec->lineno, "PartitionName='%s' is not a valid partition name", name);
	if (!def)
		return fail(cat, err, rec->lineno, "PartitionName=%s: add DefaultMachineType=<type>", name);
	if ((idx = mt_catalog_find_type(cat, def)) < 0)
		return fail(cat, err, rec->lineno,
			    "PartitionName=%s: DefaultMachineType=%s is not a MachineType defined above", name, def);
	if (!mt_type_allows_partition(&cat->types[idx], name))
		return fail(cat, err, rec->lineno,
			    "PartitionName=%s: DefaultMachineType=%s does not list %s in its Partitions=",
			    name, def, name);
	p = (mt_partition_t *)mt_catalog_find_partition(cat, name);
	if (p->default_type >= 0)
		return fail(cat, err, rec->lineno, "PartitionName=%s is given twice", name);
	p->default_type = idx;
	return cat;
}

static mt_catalog_t *set_global(mt_catalog_t *cat, const kv_pair_t *kv, unsigned line, mt_error_t *err)
{
	const char *k = kv->key, *v = kv->value;

	if (!strcasecmp(k, "OnNoGrant")) {
		if (!strcasecmp(v, "reject"))
			cat->on_no_grant = MT_NOGRANT_REJECT;
		else if (!strcasecmp(v, "pend"))
			cat->on_no_grant = MT_NOGRANT_PEND;
		else
			return fail(cat, err, line, "OnNoGrant=%s: use reject or pend", v);
	} else if (!strcasecmp(k, "OnGrantEnd")) {
		if (!strcasecmp(v, "deadline"))
			cat->on_grant_end = MT_END_DEADLINE;
		else if (!strcasecmp(v, "reject"))
			cat->on_grant_end = MT_END_REJECT;
		else if (!strcasecmp(v, "ignore"))
			cat->on_grant_end = MT_END_IGNORE;
		else
			return fail(cat, err, line, "OnGrantEnd=%s: use deadline, reject or ignore", v);
	} else if (!strcasecmp(k, "ExemptUsers")) {
		if (split_names(v, cat->exempt_users, MT_MAX_EXEMPT, &cat->nexempt, valid_user))
			return fail(cat, err, line,
				    "ExemptUsers=%s: give a comma-separated list of at most %d user names",
				    v, MT_MAX_EXEMPT);
	} else if (!strcasecmp(k, "ExemptOperators")) {
		if (parse_bool(v, &cat->exempt_operators))
			return fail(cat, err, line, "ExemptOperators=%s: use yes or no", v);
	} else if (!strcasecmp(k, "GrantIndex")) {
		if (v[0] != '/' || strlen(v) > 4095)
			return fail(cat, err, line, "GrantIndex=%s: give an absolute path", v);
		free(cat->grant_index);
		if (!(cat->grant_index = strdup(v)))
			return fail(cat, err, line, "out of memory");
	} else if (!strcasecmp(k, "QuotaHint")) {
		if (strlen(v) > 200)
			return fail(cat, err, line, "QuotaHint: at most 200 characters");
		free(cat->quota_hint);
		if (!(cat->quota_hint = strdup(v)))
			return fail(cat, err, line, "out of memory");
	} else {
		return fail(cat, err, line,
			    "unknown key '%s' (valid: MachineType, PartitionName, OnNoGrant, OnGrantEnd, ExemptUsers, ExemptOperators, GrantIndex, QuotaHint)",
			    k);
	}
	return cat;
}

static mt_catalog_t *build(kv_doc_t *doc, mt_error_t *err)
{
	mt_catalog_t *cat = calloc(1, sizeof(*cat));
	bool seen_global[8] = { false };

	if (!cat)
		return fail(NULL, err, 0, "out of memory");
	cat->on_no_grant = MT_NOGRANT_REJECT;
	cat->on_grant_end = MT_END_DEADLINE;
	cat->exempt_operators = true;

	/* types first, so that PartitionName lines may come anywhere */
	for (size_t r = 0; r < doc->nrecords; r++) {
		const kv_record_t *rec = &doc->records[r];

		if (!strcasecmp(rec->pairs[0].key, "MachineType") && !add_type(cat, rec, err))
			return NULL;
	}
	for (size_t r = 0; r < doc->nrecords; r++) {
		const kv_record_t *rec = &doc->records[r];
		const char *first = rec->pairs[0].key;

		if (!strcasecmp(first, "MachineType"))
			continue;
		if (!strcasecmp(first, "PartitionName")) {
			if (!set_partition(cat, rec, err))
				return NULL;
			continue;
		}
		for (size_t i = 0; i < rec->npairs; i++) {
			static const char *const once[] = { "OnNoGrant", "OnGrantEnd", "ExemptUsers",
							    "ExemptOperators", "GrantIndex", "QuotaHint" };

			for (size_t k = 0; k < sizeof(once) / sizeof(once[0]); k++) {
				if (strcasecmp(rec->pairs[i].key, once[k]))
					continue;
				if (seen_global[k])
					return fail(cat, err, rec->lineno, "%s is set twice", once[k]);
				seen_global[k] = true;
			}
			if (!set_global(cat, &rec->pairs[i], rec->lineno, err))
				return NULL;
		}
	}
	if (cat->ntypes == 0)
		return fail(cat, err, 0,
			    "no MachineType defined: add at least one line like 'MachineType=a100x1 Gres=gpu:a100:1 CpusPerUnit=8 MemPerUnit=64G Partitions=gpu'");
	return cat;
}

mt_catalog_t *mt_catalog_parse(const char *text, size_t len, mt_error_t *err)
{
	kv_doc_t *doc;
	kv_error_t kerr;
	mt_catalog_t *cat;

	if (kv_parse(text, len, &doc, &kerr))
		return fail(NULL, err, kerr.line, "%s", kerr.msg);
	cat = build(doc, err);
	kv_doc_free(doc);
	return cat;
}

mt_catalog_t *mt_catalog_load(const char *path, mt_error_t *err)
{
	kv_doc_t *doc;
	kv_error_t kerr;
	mt_catalog_t *cat;

	if (kv_parse_file(path, &doc, &kerr))
		return fail(NULL, err, kerr.line, "%s", kerr.msg);
	cat = build(doc, err);
	kv_doc_free(doc);
	return cat;
}

void mt_catalog_free(mt_catalog_t *cat)
{
	if (!cat)
		return;
	for (size_t i = 0; i < cat->ntypes; i++)
		free(cat->types[i].description);
	free(cat->grant_index);
	free(cat->quota_hint);
	free(cat);
}

int mt_catalog_find_type(const mt_catalog_t *cat, const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < cat->ntypes; i++)
		if (!strcmp(cat->types[i].name, name))
			return (int)i;
	return -1;
}

const mt_partition_t *mt_catalog_find_partition(const mt_catalog_t *cat, const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < cat->npartitions; i++)
		if (!strcmp(cat->partitions[i].name, name))
			return &cat->partitions[i];
	return NULL;
}

bool mt_type_allows_partition(const mt_type_t *t, const char *partition)
{
	for (size_t i = 0; i < t->npartitions; i++)
		if (!strcmp(t->partitions[i], partition))
			return true;
	return false;
}

bool mt_catalog_user_exempt(const mt_catalog_t *cat, const char *user)
{
	if (!user)
		return false;
	for (size_t i = 0; i < cat->nexempt; i++)
		if (!strcmp(cat->exempt_users[i], user))
			return true;
	return false;
}

void mt_catalog_type_list(const mt_catalog_t *cat, const char *partition, char *buf, size_t len)
{
	size_t used = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < cat->ntypes && used < len; i++) {
		int n;

		if (partition && !mt_type_allows_partition(&cat->types[i], partition))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", cat->types[i].name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	if (used >= len && len > 4)
		strcpy(buf + len - 4, "...");
}

void mt_catalog_describe(const mt_catalog_t *cat, char *buf, size_t len)
{
	size_t used = 0;
	int n;

	if (!len)
		return;
	buf[0] = '\0';
	n = snprintf(buf, len, "%-16s %-20s %6s %9s %9s  %-16s %s\n", "MACHINE TYPE", "PER UNIT",
		     "CPUS", "MEMORY", "MAX UNITS", "PARTITIONS", "DESCRIPTION");
	if (n < 0 || (size_t)n >= len)
		return;
	used = (size_t)n;
	for (size_t i = 0; i < cat->ntypes && used < len; i++) {
		const mt_type_t *t = &cat->types[i];
		char gres[3 * MT_NAME_MAX + 16], parts[MT_MAX_PARTITIONS * MT_NAME_MAX], maxu[16];
		size_t pu = 0;

		snprintf(gres, sizeof(gres), "%s:%s:%" PRIu32, t->gres_name, t->gres_type, t->gres_per_unit);
		parts[0] = '\0';
		for (size_t p = 0; p < t->npartitions; p++) {
			int m = snprintf(parts + pu, sizeof(parts) - pu, "%s%s", p ? "," : "", t->partitions[p]);

			if (m < 0 || (size_t)m >= sizeof(parts) - pu)
				break;
			pu += (size_t)m;
		}
		if (t->max_units_per_job)
			snprintf(maxu, sizeof(maxu), "%" PRIu32, t->max_units_per_job);
		else
			snprintf(maxu, sizeof(maxu), "-");
		n = snprintf(buf + used, len - used, "%-16s %-20s %6" PRIu32 " %7" PRIu64 "MB %9s  %-16s %s\n",
			     t->name, gres, t->cpus_per_unit, t->mem_mb_per_unit, maxu, parts,
			     t->description ? t->description : "");
		if (n < 0)
			break;
		used += (size_t)n;
	}
}
