/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log_path.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int log_path_expand(const char *p, const log_job_t *j, char *out, size_t len)
{
	size_t n = 0;

	if (!p || p[0] != '/')
		return -1;
	while (*p) {
		const char *put = NULL;
		char one[2] = { 0 }, num[32];
		int width = 0;

		if (*p != '%') {
			one[0] = *p++;
			put = one;
		} else {
			p++;
			/* %5j: zero-padded to 5 digits */
			while (isdigit((unsigned char)*p))
				width = width * 10 + (*p++ - '0');
			if (width > 10)
				width = 10;
			switch (*p) {
			case '%': put = "%"; break;
			case 'A': put = j->array_job_id[0] ? j->array_job_id : j->job_id; break;
			case 'a': put = j->array_task_id[0] ? j->array_task_id : "4294967294"; break;
			case 'j': put = j->job_id; break;
			case 'J': put = j->job_id; break;
			case 'N': put = j->first_node; break;
			case 'n': put = "0"; break;
			case 's': put = "batch"; break;
			case 't': put = "0"; break;
			case 'u': put = j->user; break;
			case 'x': put = j->name; break;
			case '\0': return -1;
			default: one[0] = '%'; put = one; p--; break;
			}
			p++;
			if (width && put && strchr("Aajt", p[-1]) && strlen(put) < (size_t)width) {
				snprintf(num, sizeof(num), "%0*ld", width, strtol(put, NULL, 10));
				put = num;
			}
		}
		if (n + strlen(put) >= len)
			return -1;
		memcpy(out + n, put, strlen(put));
		n += strlen(put);
	}
	out[n] = '\0';
	return 0;
}

int log_path_pattern(const char *given, const char *workdir, int array_task, char *out, size_t len)
{
	const char *p = given && given[0] ? given : array_task ? "slurm-%A_%a.out" : "slurm-%j.out";
	int n;

	if (p[0] == '/')
		n = snprintf(out, len, "%s", p);
	else if (workdir && workdir[0] == '/')
		n = snprintf(out, len, "%s%s%s", workdir, workdir[strlen(workdir) - 1] == '/' ? "" : "/", p);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}
