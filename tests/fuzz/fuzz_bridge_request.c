/* libFuzzer target: what any portal user controls in one request -- the
 * path the router splits and the job body job_spec parses (then turns into
 * a v0.0.38 body). Invariants: parameters are clean single segments; a
 * parsed spec always has a script starting "#!" and units >= 1. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "job_spec.h"
#include "router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const route_t table[] = {
	{ "GET", "/api/v1/jobs", "a" }, { "GET", "/api/v1/jobs/{}", "b" }, { "GET", "/api/v1/jobs/{}/log", "c" },
	{ "POST", "/api/v1/quota-requests/{}/approve", "d" },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	job_spec_rules_t rules = { .env_allow = "OMP_*,HF_*", .max_hours = 72 };
	char *s = malloc(size + 1), field[64], why[512];
	route_match_t m;
	job_spec_t spec;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	route_find(table, sizeof(table) / sizeof(table[0]), "GET", s, &m);
	for (size_t i = 0; !m.status && i < m.nparams; i++)
		if (!m.params[i][0] || strchr(m.params[i], '/') || strchr(m.params[i], '%') || !strcmp(m.params[i], ".."))
			abort();
	if (!job_spec_parse((const char *)data, size, &rules, &spec, field, sizeof(field), why, sizeof(why))) {
		json_object *b;

		if (!spec.script || strncmp(spec.script, "#!", 2) || spec.units < 1 || !spec.minutes)
			abort();
		b = job_spec_submit_body(&spec, "alice", "/home/alice", "/home/alice", "gpu");
		if (!b || !json_object_to_json_string(b))
			abort();
		json_object_put(b);
	}
	job_spec_free(&spec);
	free(s);
	return 0;
}
