/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ide_catalog - the IDEs a portal instance can run (Instances= file,
 * kvconf lines):
 *
 *   Ide=jupyter Description="JupyterLab" AuthHeader="Authorization: token %p"
 *       Command="JUPYTER_TOKEN=$OCTOPUS_PASSWORD exec jupyter lab --ip=0.0.0.0 ..."
 *
 * Command is bash, written by the admin, run by the instance's wrapper
 * (instance_wrapper.h) with OCTOPUS_PORT, OCTOPUS_PASSWORD and
 * OCTOPUS_BASE_URL set. AuthHeader is the header the bridge adds to every
 * proxied request, %p standing for the instance's password: the browser
 * never learns it. Pure.
 */
#ifndef OCTOPUS_IDE_CATALOG_H
#define OCTOPUS_IDE_CATALOG_H

#include <stddef.h>

#define IDE_MAX 32
#define IDE_COMMAND_MAX 4096

typedef struct {
	char name[32];
	char description[128];
	char auth_name[64];             /* "Authorization" */
	char auth_value[256];           /* "token %p" */
	char command[IDE_COMMAND_MAX];
	int start_timeout;              /* seconds the wrapper waits for the port */
} ide_t;

typedef struct {
	size_t n;
	ide_t ide[IDE_MAX];
} ide_catalog_t;

/* 0, or -1 with why naming the line and the key. */
int ide_catalog_parse(const char *text, size_t len, ide_catalog_t *out, char *why, size_t whylen);
int ide_catalog_load(const char *path, ide_catalog_t *out, char *why, size_t whylen);
const ide_t *ide_catalog_find(const ide_catalog_t *c, const char *name);

/* The auth header's value with %p replaced by password; -1 if it does not fit. */
int ide_auth_value(const ide_t *ide, const char *password, char *out, size_t len);

#endif
