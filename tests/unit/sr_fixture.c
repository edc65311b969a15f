/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sr_fixture - see sr_fixture.h */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "sr_fixture.h"

char *fixture_slurp(const char *name, size_t *len)
{
	char path[1024];
	const char *dir = getenv("SLURMRESTD_FIXTURES");
	FILE *f;
	char *buf;
	long n;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	assert_true(n >= 0);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

json_object *fixture_load(const char *name)
{
	size_t len;
	char *s = fixture_slurp(name, &len);
	json_object *o = json_tokener_parse(s);

	free(s);
	if (!o)
		fail_msg("%s is not JSON", name);
	return o;
}

json_object *fixture_item(json_object *doc, const char *key, size_t i)
{
	json_object *arr;

	if (!json_object_object_get_ex(doc, key, &arr) || !json_object_is_type(arr, json_type_array) ||
	    i >= json_object_array_length(arr))
		fail_msg("the fixture has no %s[%zu]", key, i);
	return json_object_array_get_idx(arr, i);
}
