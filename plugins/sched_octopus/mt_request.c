/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mt_request.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mt_reject.h"
#include "mt_units.h"

enum { FORM_JOB, FORM_NODE, FORM_SOCKET, FORM_TASK, NFORMS };

static const char *const form_option[NFORMS] = {
	"--gpus", "--gres/--gpus-per-node", "--gpus-per-socket", "--gpus-per-task"
};

/* One accelerator entry found in a TRES string. */
typedef struct {
	int form;
	char name[MT_NAME_MAX];
	char type[MT_NAME_MAX];         /* "" when untyped */
	uint64_t count;
} accel_t;

/* a refusal of the policy kind: the request itself is at fault */
#define reject(out, ...) mt_reject((out), MT_ERR_POLICY, __VA_ARGS__)

static int is_accel_name(const mt_catalog_t *cat, const char *name)
{
	for (size_t i = 0; i < cat->ntypes; i++)
		if (!strcmp(cat->types[i].gres_name, name))
			return 1;
	return 0;
}

/* Digits only, no suffixes: accelerators are counted in whole devices. */
static int parse_count(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > 1000000)
			return -1;
	}
	*out = v;
	return 0;
}

/* Copy [p, p+len) into dst (size MT_NAME_MAX); -1 if it does not fit. */
static int take(char *dst, const char *p, size_t len)
{
	if (len >= MT_NAME_MAX)
		return -1;
	memcpy(dst, p, len);
	dst[len] = '\0';
	return 0;
}

/*
 * Parse one "gres:NAME[:TYPE][:COUNT]" entry. Returns 1 for an accelerator
 * entry (filled into *a), 0 for an entry that is not ours, -1 if it names an
 * accelerator but cannot be read.
 */
static int parse_entry(const mt_catalog_t *cat, const char *e, size_t len, accel_t *a)
{
	const char *f[4];
	size_t flen[4], nf = 0;
	const char *p = e, *end = e + len;

	if (len > 5 && (!strncmp(e, "gres:", 5) || !strncmp(e, "gres/", 5)))
		p += 5;
	while (p <= end && nf < 4) {
		const char *colon = memchr(p, ':', (size_t)(end - p));
		size_t l = colon ? (size_t)(colon - p) : (size_t)(end - p);

		f[nf] = p;
		flen[nf++] = l;
		if (!colon)
			break;
		p = colon + 1;
	}
	if (nf == 0 || take(a->name, f[0], flen[0]))
		return 0;
	if (!is_accel_name(cat, a->name))
		return 0;
	if (p < end && memchr(p, ':', (size_t)(end - p)))
		return -1;              /* more than NAME:TYPE:COUNT */
	a->type[0] = '\0';
	a->count = 1;
	if (nf == 2) {
		char tmp[MT_NAME_MAX];

		if (take(tmp, f[1], flen[1]))
			return -1;
		if (strspn(tmp, "0123456789") == strlen(tmp)) {
			if (parse_count(tmp, &a->count))
				return -1;
		} else {
			strcpy(a->type, tmp);
		}
	} else if (nf == 3) {
		char tmp[MT_NAME_MAX];

		if (take(a->type, f[1], flen[1]) || !a->type[0] || take(tmp, f[2], flen[2]) ||
		    parse_count(tmp, &a->count))
			return -1;
	} else if (nf > 3) {
		return -1;
	}
	return 1;
}

/*
 * Walk one TRES string: collect accelerator entries into accels, copy the
 * others into rest (comma-joined). Returns -1 (after reject()) on error.
 */
static int scan_form(const mt_catalog_t *cat, const char *s, int form, accel_t *accels, size_t *naccel,
		     size_t max, char *rest, mt_decision_t *out)
{
	const char *p = s;
	size_t rlen = 0;

	rest[0] = '\0';
	if (!s)
		return 0;
	if (strlen(s) >= MT_FIELD_MAX) {
		reject(out, "the %s request is longer than %d characters", form_option[form], MT_FIELD_MAX);
		return -1;
	}
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		accel_t a;
		int r = len ? parse_entry(cat, p, len, &a) : 0;

		if (r < 0) {
			reject(out, "cannot read the accelerator request '%.*s' (%s): write NAME[:TYPE][:COUNT], e.g. gpu:2 or gpu:a100:2",
			       (int)(len > 64 ? 64 : len), p, form_option[form]);
			return -1;
		}
		if (r > 0) {
			if (*naccel >= max) {
				reject(out, "a job uses one machine type: ask for one accelerator kind (use a heterogeneous job for several)");
				return -1;
			}
			a.form = form;
			accels[(*naccel)++] = a;
		} else if (len) {
			memcpy(rest + rlen, p, len);
			rlen += len;
			rest[rlen++] = ',';
			rest[rlen] = '\0';
		}
		p += len;
		if (*p == ',')
			p++;
	}
	if (rlen)
		rest[rlen - 1] = '\0';
	return 0;
}

int mt_licenses_name_machine_type(const char *licenses)
{
	const char *p = licenses;

	if (!p)
		return 0;
	while (*p) {
		while (*p == ',' || *p == '|' || *p == ' ')
			p++;
		if (!strncmp(p, "mt_", 3))
			return 1;
		while (*p && *p != ',' && *p != '|')
			p++;
	}
	return 0;
}

void mt_licenses_strip(const char *licenses, char *out, size_t len)
{
	const char *p = licenses;
	size_t used = 0;

	if (!len)
		return;
	out[0] = '\0';
	while (p && *p) {
		const char *e = p + strcspn(p, ",");
		size_t n = (size_t)(e - p);

		if (n && strncmp(p, "mt_", 3) && used + n + 2 <= len) {
			if (used)
				out[used++] = ',';
			memcpy(out + used, p, n);
			used += n;
			out[used] = '\0';
		}
		p = *e ? e + 1 : e;
	}
}

/* Split the job's partition list into names; -1 when it is unreadable. */
static int split_partitions(const char *s, char (*parts)[MT_NAME_MAX], size_t *n)
{
	const char *p = s;

	*n = 0;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (len == 0 || len >= MT_NAME_MAX || *n >= MT_MAX_PARTITIONS)
			return -1;
		memcpy(parts[*n], p, len);
		parts[*n][len] = '\0';
		(*n)++;
		p += len;
		if (*p == ',')
			p++;
	}
	return *n ? 0 : -1;
}

static int type_allows_all(const mt_type_t *t, char (*parts)[MT_NAME_MAX], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!mt_type_allows_partition(t, parts[i]))
			return 0;
	return 1;
}

/* Parse "name" or "name:units" from --machine-type / OCTOPUS_MACHINE_TYPE. */
static int parse_machine_type(const mt_catalog_t *cat, const char *s, int *type, uint32_t *units,
			      mt_decision_t *out)
{
	char name[MT_NAME_MAX];
	const char *colon = strchr(s, ':');
	size_t len = colon ? (size_t)(colon - s) : strlen(s);
	char list[512];

	*units = 0;
	if (len >= MT_NAME_MAX || take(name, s, len) || !mt_valid_name(name)) {
		mt_catalog_type_list(cat, NULL, list, sizeof(list));
		reject(out, "--machine-type='%.40s' is not a machine type name; valid types: %s", s, list);
		return -1;
	}
	if ((*type = mt_catalog_find_type(cat, name)) < 0) {
		mt_catalog_type_list(cat, NULL, list, sizeof(list));
		reject(out, "unknown machine type '%s'; valid types: %s (see --machine-type=help)", name, list);
		return -1;
	}
	if (colon) {
		uint64_t u;

		if (parse_count(colon + 1, &u) || u == 0 || u > MT_MAX_UNITS) {
			reject(out, "--machine-type=%s: the unit count after ':' must be a number from 1 to %d",
			       name, MT_MAX_UNITS);
			return -1;
		}
		*units = (uint32_t)u;
	}
	return 0;
}

static int join_partitions(const mt_type_t *t, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < t->npartitions; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? "," : "", t->partitions[i]);

		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += (size_t)n;
	}
	return 0;
}

/* Resolve the type of an entry without --machine-type. */
static int resolve_type(const mt_catalog_t *cat, const accel_t *a, char (*parts)[MT_NAME_MAX], size_t np,
			mt_decision_t *out)
{
	int found = -1, nfound = 0;
	const mt_partition_t *first = mt_catalog_find_partition(cat, parts[0]);
	char list[512] = "";
	size_t used = 0;

	for (size_t i = 0; i < cat->ntypes; i++) {
		const mt_type_t *t = &cat->types[i];

		if (strcmp(t->gres_name, a->name) || (a->type[0] && strcmp(t->gres_type, a->type)) ||
		    !type_allows_all(t, parts, np))
			continue;
		if (first && first->default_type == (int)i)
			return (int)i;  /* the partition's default settles untyped requests */
		found = (int)i;
		nfound++;
		if (used < sizeof(list)) {
			int n = snprintf(list + used, sizeof(list) - used, "%s%s", used ? ", " : "", t->name);

			used += n > 0 ? (size_t)n : 0;
		}
	}
	if (nfound == 1)
		return found;
	if (nfound > 1) {
		reject(out, "%s%s%s in partition %s matches several machine types (%s): name one with --machine-type",
		       a->name, a->type[0] ? ":" : "", a->type, parts[0], list);
		return -1;
	}
	mt_catalog_type_list(cat, parts[0], list, sizeof(list));
	reject(out, "no machine type in partition %s offers %s%s%s; valid types there: %s",
	       parts[0], a->name, a->type[0] ? ":" : "", a->type, list[0] ? list : "(none)");
	return -1;
}

static int append(char *dst, size_t size, const char *sep_if_nonempty, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int append(char *dst, size_t size, const char *sep_if_nonempty, const char *fmt, ...)
{
	size_t used = strlen(dst);
	va_list ap;
	int n;

	if (used && sep_if_nonempty) {
		n = snprintf(dst + used, size - used, "%s", sep_if_nonempty);
		if (n < 0 || (size_t)n >= size - used)
			return -1;
		used += (size_t)n;
	}
	va_start(ap, fmt);
	n = vsnprintf(dst + used, size - used, fmt, ap);
	va_end(ap);
	return (n < 0 || (size_t)n >= size - used) ? -1 : 0;
}

/* Total accelerators the job asks for, from the one form it used. */
static int total_count(const mt_request_t *req, const accel_t *a, uint64_t *total, mt_decision_t *out)
{
	uint64_t nodes = req->min_nodes ? req->min_nodes : 1;

	if (a->form != FORM_JOB && req->max_nodes && req->max_nodes != nodes) {
		reject(out, "%s with a node range (-N %" PRIu32 "-%" PRIu32 ") has no fixed unit count: give a fixed node count or use --gpus",
		       form_option[a->form], req->min_nodes ? req->min_nodes : 1, req->max_nodes);
		return -1;
	}
	switch (a->form) {
	case FORM_JOB:
		*total = a->count;
		break;
	case FORM_NODE:
		*total = a->count * nodes;
		break;
	case FORM_SOCKET:
		if (!req->sockets_per_node) {
			reject(out, "--gpus-per-socket needs --sockets-per-node so the unit count is known; or use --gpus");
			return -1;
		}
		*total = a->count * req->sockets_per_node * nodes;
		break;
	default:
		if (!req->num_tasks) {
			reject(out, "--gpus-per-task needs -n/--ntasks so the unit count is known; or use --gpus");
			return -1;
		}
		*total = a->count * req->num_tasks;
		break;
	}
	return 0;
}

/* out->tres_per_* already hold the job's non-accelerator entries. */
static int shape(const mt_catalog_t *cat, const mt_request_t *req, const accel_t *accels, size_t naccel,
		 uint32_t per_node_units, mt_decision_t *out)
{
	const mt_type_t *t = &cat->types[out->type];
	char *dst[NFORMS] = { out->tres_per_job, out->tres_per_node, out->tres_per_socket, out->tres_per_task };

	if (mt_units_resources(req, t, out))
		return -1;
	/* every form the job used, typed; a job that asked for none gets the
	 * units per node when it spans nodes, else for the whole job */
	for (size_t i = 0; i < naccel; i++)
		if (append(dst[accels[i].form], MT_FIELD_MAX, ",", "gres:%s:%s:%" PRIu64, t->gres_name, t->gres_type,
			   accels[i].count)) {
			reject(out, "the accelerator request is too long");
			return -1;
		}
	if (!naccel &&
	    append(per_node_units ? dst[FORM_NODE] : dst[FORM_JOB], MT_FIELD_MAX, ",", "gres:%s:%s:%" PRIu64,
		   t->gres_name, t->gres_type,
		   (uint64_t)(per_node_units ? per_node_units : out->units) * t->gres_per_unit)) {
		reject(out, "the accelerator request is too long");
		return -1;
	}
	snprintf(out->licenses, MT_FIELD_MAX, "%s", req->licenses ? req->licenses : "");
	if (append(out->licenses, MT_FIELD_MAX, ",", "mt_%s:%" PRIu32, t->name, out->units)) {
		reject(out, "the -L/--licenses list is too long");
		return -1;
	}
	return 0;
}

void mt_request_normalize(const mt_catalog_t *cat, const mt_request_t *req, mt_decision_t *out)
{
	char parts[MT_MAX_PARTITIONS][MT_NAME_MAX];
	char *rest[NFORMS] = { out->tres_per_job, out->tres_per_node, out->tres_per_socket, out->tres_per_task };
	const char *src[NFORMS] = { req->tres_per_job, req->tres_per_node, req->tres_per_socket, req->tres_per_task };
	accel_t accels[NFORMS + 1];
	size_t np = 0, naccel = 0;
	int policy = 0, named = -1;
	uint32_t named_units = 0, per_node_units = 0;
	const accel_t *a = NULL;
	uint64_t total = 0;
	const mt_type_t *t;

	/* only the heads: the big buffers are written before they are read */
	memset(out, 0, offsetof(mt_decision_t, partition));
	out->partition[0] = '\0';
	for (int f = 0; f < NFORMS; f++)
		rest[f][0] = '\0';
	out->licenses[0] = out->cpus_per_tres[0] = out->mem_per_tres[0] = '\0';
	out->verdict = MT_PASS;
	out->type = -1;

	if (mt_licenses_name_machine_type(req->licenses)) {
		reject(out, "mt_* licenses are set by the machine-type policy: drop them from -L and use --machine-type");
		return;
	}
	if (!req->partition || split_partitions(req->partition, parts, &np)) {
		reject(out, "cannot read the partition list '%.64s'", req->partition ? req->partition : "");
		return;
	}
	for (size_t i = 0; i < np; i++)
		if (mt_catalog_find_partition(cat, parts[i]))
			policy = 1;
	if (req->machine_type && *req->machine_type) {
		if (parse_machine_type(cat, req->machine_type, &named, &named_units, out))
			return;
		t = &cat->types[named];
		if (!type_allows_all(t, parts, np)) {
			if (!req->partition_implicit) {
				char tp[MT_MAX_PARTITIONS * MT_NAME_MAX];

				join_partitions(t, tp, sizeof(tp));
				reject(out, "machine type %s runs in partition(s) %s, not in %s: drop -p or use one of those",
				       t->name, tp, req->partition);
				return;
			}
			/* no partition named: the type decides where it runs */
			join_partitions(t, out->partition, sizeof(out->partition));
			out->set_partition = 1;
			split_partitions(out->partition, parts, &np);
		}
		policy = 1;
	}
	if (!policy)
		return;

	/* one accelerator kind, in as many forms as Slurm allows together
	 * (--gpus with --gpus-per-node, say), but once per form */
	for (int f = 0; f < NFORMS; f++) {
		size_t before = naccel;

		if (scan_form(cat, src[f], f, accels, &naccel, NFORMS, rest[f], out))
			return;
		if (naccel - before > 1) {
			/* the same kind twice in one form (--gres=gpu:5 with
			 * --gpus-per-node=4) is a shape, not a second kind */
			mt_reject(out, strcmp(accels[before].name, accels[before + 1].name) ? MT_ERR_POLICY : MT_ERR_CONFIG,
				  "a job uses one machine type: ask for one accelerator kind, once per option (use a heterogeneous job for several)");
			return;
		}
	}
	for (size_t i = 0; i < naccel; i++) {
		if (!a || (!a->type[0] && accels[i].type[0]))
			a = &accels[i];         /* a typed entry names the type */
		if (strcmp(accels[i].name, accels[0].name) ||
		    (accels[i].type[0] && a->type[0] && strcmp(accels[i].type, a->type))) {
			reject(out, "a job uses one machine type: ask for one accelerator kind (use a heterogeneous job for several)");
			return;
		}
	}

	if (named >= 0) {
		t = &cat->types[named];
		if (a && (strcmp(a->name, t->gres_name) || (a->type[0] && strcmp(a->type, t->gres_type)))) {
			reject(out, "machine type %s is %s:%s, but the job also asks for %s%s%s: drop that request or pick the matching type",
			       t->name, t->gres_name, t->gres_type, a->name, a->type[0] ? ":" : "", a->type);
			return;
		}
		out->type = named;
	} else if (a) {
		if ((out->type = resolve_type(cat, a, parts, np, out)) < 0)
			return;
	} else {
		const mt_partition_t *p = mt_catalog_find_partition(cat, parts[0]);
		char list[512];

		if (!p || p->default_type < 0 || !type_allows_all(&cat->types[p->default_type], parts, np)) {
			mt_catalog_type_list(cat, parts[0], list, sizeof(list));
			reject(out, "partition %s runs machine types only: add --machine-type=TYPE (valid: %s)",
			       parts[0], list[0] ? list : "none");
			return;
		}
		out->type = p->default_type;
	}
	t = &cat->types[out->type];

	if (a) {
		/* forms given together must agree; the job holds the largest */
		for (size_t i = 0; i < naccel; i++) {
			uint64_t n;

			if (total_count(req, &accels[i], &n, out))
				return;
			if (n > total)
				total = n;
		}
		if (total == 0) {
			reject(out, "the job asks for 0 %s: machine type %s needs at least %" PRIu32,
			       a->name, t->name, t->gres_per_unit);
			return;
		}
		if (total % t->gres_per_unit) {
			reject(out, "machine type %s comes in units of %" PRIu32 " %s; the job asks for %" PRIu64,
			       t->name, t->gres_per_unit, t->gres_name, total);
			return;
		}
		if (total / t->gres_per_unit > MT_MAX_UNITS) {
			reject(out, "the job asks for more than %d units", MT_MAX_UNITS);
			return;
		}
		out->units = (uint32_t)(total / t->gres_per_unit);
		if (named_units && named_units != out->units) {
			reject(out, "--machine-type=%s asks for %" PRIu32 " unit(s) but the %s request gives %" PRIu32,
			       req->machine_type, named_units, form_option[a->form], out->units);
			return;
		}
	} else if (named_units) {
		out->units = named_units;
	} else if (mt_units_plain(req, t, &out->units, &per_node_units, out)) {
		return;
	}
	if (t->max_units_per_job && out->units > t->max_units_per_job) {
		mt_reject(out, MT_ERR_CONFIG, "machine type %s allows at most %" PRIu32 " unit(s) per job; the job asks for %" PRIu32 ": split it into smaller jobs",
		       t->name, t->max_units_per_job, out->units);
		return;
	}
	if (shape(cat, req, accels, naccel, per_node_units, out))
		return;
	out->verdict = MT_SHAPED;
}
