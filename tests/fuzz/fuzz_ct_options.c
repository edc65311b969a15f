/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: --container-mounts, --container-env, --container-workdir
 * and --container-name values as a user may type them. Whatever is accepted
 * must be absolute (or, for a bind source, ".", "..", "./..." or "../...":
 * the working directory's), free of "..", and within the limits. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ct_options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_path(const char *p)
{
	if (p[0] != '/' || strstr(p, "/../") || (strlen(p) >= 3 && !strcmp(p + strlen(p) - 3, "/..")))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ct_options_t o;
	char *s, err[512];

	if (size < 1 || !(s = malloc(size)))
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	ct_options_init(&o);
	switch (data[0] % 4) {
	case 0:
		if (ct_opt_mounts(&o, s, err, sizeof(err)) == 0)
			for (size_t i = 0; i < o.nmounts; i++) {
				const ct_mount_t *m = &o.mounts[i];

				if (m->kind == CT_MOUNT_BIND && !m->relative)
					check_path(m->src);
				if (m->relative && strcmp(m->src, ".") && strcmp(m->src, "..") && strncmp(m->src, "./", 2) &&
				    strncmp(m->src, "../", 3))
					abort();
				check_path(o.mounts[i].dst);
				if (!strcmp(o.mounts[i].dst, "/"))
					abort();
			}
		break;
	case 1:
		if (ct_opt_env(&o, s, err, sizeof(err)) == 0 && o.nenv > CT_MAX_ENVNAMES)
			abort();
		break;
	case 2:
		if (ct_opt_workdir(&o, s, err, sizeof(err)) == 0)
			check_path(o.workdir);
		break;
	default:
		ct_opt_name(&o, s, err, sizeof(err));
	}
	free(s);
	return 0;
}
