/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cdi_yaml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

typedef struct {
	yaml_document_t *doc;
	size_t made;
	char *err;
	size_t errlen;
} conv_t;

static json_object *scalar(const yaml_node_t *n)
{
	const char *s = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length;

	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && len) {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(s, &end, 0);
		if (!errno && end == s + len && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9')))
			return json_object_new_int64(v);
		if (!strcmp(s, "true") || !strcmp(s, "false"))
			return json_object_new_boolean(s[0] == 't');
		if (!strcmp(s, "null") || !strcmp(s, "~"))
			return NULL;
	}
	return json_object_new_string_len(s, (int)len);
}

static int convert(conv_t *c, yaml_node_t *n, int depth, json_object **out)
{
	*out = NULL;
	if (++c->made > CDI_YAML_MAX_NODES || depth > CDI_YAML_MAX_DEPTH) {
		snprintf(c->err, c->errlen, "more than %d nodes or %d levels (aliases included)", CDI_YAML_MAX_NODES,
			 CDI_YAML_MAX_DEPTH);
		return -1;
	}
	switch (n->type) {
	case YAML_SCALAR_NODE:
		*out = scalar(n);
		return 0;
	case YAML_SEQUENCE_NODE:
		if (!(*out = json_object_new_array()))
			break;
		for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
			json_object *v;

			if (convert(c, yaml_document_get_node(c->doc, *i), depth + 1, &v) ||
			    json_object_array_add(*out, v)) {
				json_object_put(v);
				goto fail;
			}
		}
		return 0;
	case YAML_MAPPING_NODE:
		if (!(*out = json_object_new_object()))
			break;
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
			json_object *v;

			if (!k || k->type != YAML_SCALAR_NODE) {
				snprintf(c->err, c->errlen, "line %lu: a mapping key that is not a string",
					 (unsigned long)(k ? k->start_mark.line + 1 : 0));
				goto fail;
			}
			if (convert(c, yaml_document_get_node(c->doc, p->value), depth + 1, &v))
				goto fail;
			json_object_object_add(*out, (const char *)k->data.scalar.value, v);
		}
		return 0;
	default:
		return 0;
	}
	snprintf(c->err, c->errlen, "out of memory");
	return -1;
fail:
	json_object_put(*out);
	*out = NULL;
	return -1;
}

json_object *cdi_yaml_parse(const char *text, size_t len, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	json_object *out = NULL;
	conv_t c = { &doc, 0, err, errlen };

	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "line %lu: %s", (unsigned long)parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "not YAML");
		yaml_parser_delete(&parser);
		return NULL;
	}
	if (!(root = yaml_document_get_root_node(&doc)))
		snprintf(err, errlen, "an empty document");
	else if (convert(&c, root, 0, &out) == 0 && !out)
		snprintf(err, errlen, "an empty document");
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return out;
}
