/* SPDX-License-Identifier: GPL-2.0-or-later */
/* srun --mpi=pmix: the PMIx server's directories into the running container. */
#define _GNU_SOURCE
#include "ct_stepd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One pmix_dirs= pattern with %j (job), %s (step), %u (uid), %n (the node's hostname) filled in; 0 if it fits. */
static int pmix_dir(const char *pat, size_t patlen, uint32_t jobid, uint32_t stepid, uid_t uid, const char *node,
		    char *out, size_t len)
{
	size_t used = 0;

	for (size_t i = 0; i < patlen && used < len; i++) {
		int n;

		if (pat[i] != '%' || i + 1 == patlen) {
			out[used++] = pat[i];
			continue;
		}
		switch (pat[++i]) {
		case 'j': n = snprintf(out + used, len - used, "%u", jobid); break;
		case 's': n = snprintf(out + used, len - used, "%u", stepid); break;
		case 'u': n = snprintf(out + used, len - used, "%u", (unsigned)uid); break;
		case 'n': n = snprintf(out + used, len - used, "%s", node); break;
		default: n = snprintf(out + used, len - used, "%%%c", pat[i]);
		}
		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += (size_t)n;
	}
	if (used >= len)
		return -1;
	out[used] = '\0';
	return 0;
}

/*
 * srun --mpi=pmix: the PMIx server's directories (its rendezvous files and
 * the shared-memory stores its clients map) at the same paths inside, as
 * enroot's PMIx hook binds them for Pyxis. Slurm makes them after the
 * container is built and before the tasks start, and names them only in
 * the tasks' environment: the site gives their layout (pmix_dirs=, Slurm's
 * own by default) and those that exist now are bound into the running
 * container. The server is reached over TCP on loopback, which the
 * container shares unless --container-unshare=net.
 */
int ct_step_pmix_binds(const ct_config_t *cfg, ct_step_t *step, spank_t sp)
{
	uint32_t jobid = 0, stepid = 0;
	uid_t uid = 0;
	char node[128] = "", dir[PATH_MAX], err[CT_ERR_MAX];

	if (!cfg->pmix_dirs[0] || spank_get_item(sp, S_JOB_ID, &jobid) || spank_get_item(sp, S_JOB_STEPID, &stepid) ||
	    spank_get_item(sp, S_JOB_UID, &uid))
		return 0;
	if (gethostname(node, sizeof(node)))
		node[0] = '\0';
	for (const char *p = cfg->pmix_dirs; *p;) {
		const char *pattern = p;
		size_t n = strcspn(p, ",");
		struct stat sb;
		int fd, rc;

		p += n + (p[n] == ',');
		if (pmix_dir(pattern, n, jobid, stepid, uid, node, dir, sizeof(dir)) || dir[0] != '/')
			continue;
		/* Slurm's own directory for this step, the user's (opened with the user's rights): nothing else */
		if ((fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			continue;
		if (fstat(fd, &sb) || sb.st_uid != uid) {
			close(fd);
			continue;
		}
		rc = rootfs_bind_late(&step->holder, fd, dir, err, sizeof(err));
		close(fd);
		if (rc) {
			snprintf(step->error, sizeof(step->error), "srun --mpi=pmix: the PMIx server's directory %.300s: %.400s",
				 dir, err);
			return -1;
		}
	}
	return 0;
}
