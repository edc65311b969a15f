/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "instance_wrapper.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int iw_id_ok(const char *id)
{
	return id && strlen(id) == IW_ID_LEN && strspn(id, "0123456789abcdef") == IW_ID_LEN;
}

/* s as one bash word in single quotes */
static size_t quoted(const char *s, char *out)
{
	size_t n = 0;

	if (out)
		out[n] = '\'';
	n++;
	for (; *s; s++) {
		if (*s == '\'') {
			if (out)
				memcpy(out + n, "'\\''", 4);
			n += 4;
		} else {
			if (out)
				out[n] = *s;
			n++;
		}
	}
	if (out)
		out[n] = '\'';
	return n + 1;
}

/* Why a wrapper and not the IDE alone: the bridge must not call the
 * instance ready before the IDE listens, and the password must reach the
 * IDE without a command line (ps shows those to every user of the node). */
static const char script_fmt[] =
	"#!/bin/bash\n"
	"# octopus-bridge instance %s: %s\n"
	"umask 077\n"
	"export OCTOPUS_INSTANCE=%s OCTOPUS_BASE_URL=/i/%s/\n"
	"ide_name=%s\n"
	"ide_command=%s\n"
	"dir=\"$HOME/.octopus/instances/$OCTOPUS_INSTANCE\"\n"
	"mkdir -p \"$dir\" && chmod 700 \"$HOME/.octopus\" \"$HOME/.octopus/instances\" \"$dir\" || exit 1\n"
	"rm -f \"$dir/connection.yml\"\n"
	"port_used() { (exec 3<>\"/dev/tcp/127.0.0.1/$1\") 2>/dev/null; }\n"
	"for try in $(seq 1 100); do\n"
	"    OCTOPUS_PORT=$((20000 + RANDOM %% 40000))\n"
	"    port_used \"$OCTOPUS_PORT\" || break\n"
	"done\n"
	/* SRANDOM is getrandom(2): a job's device cgroup may deny /dev/urandom */
	"OCTOPUS_PASSWORD=$(printf '%%08x' $SRANDOM $SRANDOM $SRANDOM $SRANDOM $SRANDOM $SRANDOM)\n"
	"[ ${#OCTOPUS_PASSWORD} -eq 48 ] || { echo \"octopus: no random password\" >&2; exit 1; }\n"
	"export OCTOPUS_PORT OCTOPUS_PASSWORD\n"
	"if [ -n \"${OCTOPUS_CONTAINER_IMAGE:-}\" ]; then\n"
	"    srun --ntasks=1 /bin/bash -c \"$ide_command\" &\n"
	"else\n"
	"    /bin/bash -c \"$ide_command\" &\n"
	"fi\n"
	"ide=$!\n"
	"trap 'kill -TERM $ide 2>/dev/null' TERM INT\n"
	"deadline=$((SECONDS + %d))\n"
	"until port_used \"$OCTOPUS_PORT\"; do\n"
	"    if ! kill -0 $ide 2>/dev/null || [ $SECONDS -ge $deadline ]; then\n"
	"        echo \"octopus: $ide_name did not listen on port $OCTOPUS_PORT within %d s\" >&2\n"
	"        kill -TERM $ide 2>/dev/null; wait $ide; exit 1\n"
	"    fi\n"
	"    sleep 0.5\n"
	"done\n"
	"printf 'host: %%s\\nport: %%s\\npassword: %%s\\n' \"$(hostname)\" \"$OCTOPUS_PORT\" \"$OCTOPUS_PASSWORD\" "
	"> \"$dir/connection.yml.new\" && mv -f \"$dir/connection.yml.new\" \"$dir/connection.yml\"\n"
	"echo \"octopus: $ide_name ready on $(hostname) port $OCTOPUS_PORT\"\n"
	"wait $ide\n"
	"rc=$?\n"
	"rm -f \"$dir/connection.yml\"\n"
	"exit $rc\n";

char *iw_script(const char *id, const ide_t *ide)
{
	char *name_q, *cmd_q, *out = NULL;
	size_t nl, cl;
	int n;

	if (!iw_id_ok(id))
		return NULL;
	nl = quoted(ide->name, NULL);
	cl = quoted(ide->command, NULL);
	name_q = malloc(nl + 1);
	cmd_q = malloc(cl + 1);
	if (name_q && cmd_q) {
		quoted(ide->name, name_q);
		name_q[nl] = '\0';
		quoted(ide->command, cmd_q);
		cmd_q[cl] = '\0';
		n = asprintf(&out, script_fmt, id, ide->name, id, id, name_q, cmd_q, ide->start_timeout,
			     ide->start_timeout);
		if (n < 0)
			out = NULL;
	}
	free(name_q);
	free(cmd_q);
	return out;
}

int iw_connection_path(const char *home, const char *id, char *out, size_t len)
{
	int n = snprintf(out, len, "%s/.octopus/instances/%s/connection.yml", home, id);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int iw_parse_connection(const char *text, size_t len, int *port, char *password, size_t pwlen)
{
	const char *p = text, *end = text + len;
	int got_port = 0, got_pw = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		size_t ll = (size_t)(le - p);

		if (ll > 6 && !memcmp(p, "port: ", 6)) {
			long v = 0;
			size_t i = 6;

			for (; i < ll && p[i] >= '0' && p[i] <= '9' && v <= 65535; i++)
				v = v * 10 + (p[i] - '0');
			if (i != ll || i == 6 || v < 1 || v > 65535)
				return -1;
			*port = (int)v;
			got_port = 1;
		} else if (ll > 10 && !memcmp(p, "password: ", 10)) {
			size_t n = ll - 10;

			if (n < 16 || n > IW_PASSWORD_MAX || n >= pwlen)
				return -1;
			for (size_t i = 10; i < ll; i++)
				if (!strchr("0123456789abcdefABCDEFghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ-_", p[i]) || !p[i])
					return -1;
			memcpy(password, p + 10, n);
			password[n] = '\0';
			got_pw = 1;
		}
		p = nl ? nl + 1 : end;
	}
	return got_port && got_pw ? 0 : -1;
}
