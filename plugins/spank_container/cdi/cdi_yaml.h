/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cdi_yaml - a YAML document (libyaml) as a json-c object, so a CDI spec
 * in YAML (what nvidia-ctk and most vendor tools write) and one in JSON
 * are read by the same code. Plain scalars that are integers or
 * true/false become numbers and booleans; aliases are followed, but the
 * whole expansion is bounded (a "billion laughs" file is refused).
 */
#ifndef OCTOPUS_CDI_YAML_H
#define OCTOPUS_CDI_YAML_H

#include <stddef.h>

#include <json-c/json.h>

#define CDI_YAML_MAX_NODES 200000
#define CDI_YAML_MAX_DEPTH 32

/* The first document of text; NULL with the line and reason in err. */
json_object *cdi_yaml_parse(const char *text, size_t len, char *err, size_t errlen);

#endif
