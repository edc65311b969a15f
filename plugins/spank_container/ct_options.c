/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ct_options.h"

#include "errf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>

void ct_options_init(ct_options_t *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < CT_F_COUNT; i++)
		o->flags[i] = -1;
}

int ct_parse_bool(const char *v)
{
	static const char *const yes[] = { "yes", "1", "true", "y", "on" }, *const no[] = { "no", "0", "false", "n", "off" };

	for (size_t i = 0; v && i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(v, yes[i]))
			return 1;
		if (!strcasecmp(v, no[i]))
			return 0;
	}
	return -1;
}

static const char *const flag_names[CT_F_COUNT][2] = {
	[CT_F_MOUNT_HOME] = { "--no-container-mount-home", "--container-mount-home" },
	[CT_F_WRITABLE] = { "--container-readonly", "--container-writable" },
	[CT_F_ENTRYPOINT] = { "--no-container-entrypoint", "--container-entrypoint" },
	[CT_F_ENTRYPOINT_LOG] = { "--no-container-entrypoint-log", "--container-entrypoint-log" },
	[CT_F_REMAP_ROOT] = { "--no-container-remap-root", "--container-remap-root" },
};

int ct_opt_flag(ct_options_t *o, ct_flag_t f, int value, char *err, size_t errlen)
{
	if (o->flags[f] >= 0 && o->flags[f] != value)
		return errf(err, errlen, "both %s and %s were given: keep the one you mean", flag_names[f][1],
			    flag_names[f][0]);
	o->flags[f] = value;
	return 0;
}

int ct_opt_image(ct_options_t *o, const char *arg, const char *default_registry, char *err, size_t errlen)
{
	if (!arg || strlen(arg) >= sizeof(o->image))
		return errf(err, errlen, "--container-image: missing or too long");
	if (img_ref_parse(arg, default_registry, &o->ref, err, errlen))
		return -1;
	strcpy(o->image, arg);
	return 0;
}

/* An absolute path with no "..", no control characters and no ':' or ','. */
static int clean_path(const char *s, size_t n)
{
	if (n == 0 || s[0] != '/')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
		if (s[i] == '.' && i + 1 < n && s[i + 1] == '.' && s[i - 1] == '/' && (i + 2 == n || s[i + 2] == '/'))
			return 0;
	}
	return 1;
}

static int valid_name(const char *s, size_t n)
{
	if (n == 0 || n >= CT_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      (i > 0 && (c == '-' || c == '.'))))
			return 0;
	}
	return 1;
}

int ct_mount_flags(ct_mount_t *m, const char *flags, size_t len, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		unsigned long set, prop;
		int ro, nonrec;
	} known[] = {
		{ "ro", 0, 0, 1, 0 }, { "rw", 0, 0, -1, 0 }, { "nosuid", MS_NOSUID, 0, 0, 0 },
		{ "nodev", MS_NODEV, 0, 0, 0 }, { "noexec", MS_NOEXEC, 0, 0, 0 }, { "bind", 0, 0, 0, 1 },
		{ "rbind", 0, 0, 0, 0 }, { "private", 0, MS_PRIVATE, 0, 0 }, { "rprivate", 0, MS_PRIVATE | MS_REC, 0, 0 },
		{ "slave", 0, MS_SLAVE, 0, 0 }, { "rslave", 0, MS_SLAVE | MS_REC, 0, 0 },
		{ "shared", 0, MS_SHARED, 0, 0 }, { "rshared", 0, MS_SHARED | MS_REC, 0, 0 },
		{ "unbindable", 0, MS_UNBINDABLE, 0, 0 }, { "runbindable", 0, MS_UNBINDABLE | MS_REC, 0, 0 },
	};
	const char *p = flags, *end = flags + len;

	while (p < end) {
		const char *q = memchr(p, '+', (size_t)(end - p));
		size_t n = q ? (size_t)(q - p) : (size_t)(end - p), k;

		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (n == strlen(known[k].name) && !memcmp(p, known[k].name, n))
				break;
		if (k == sizeof(known) / sizeof(known[0]))
			return errf(err, errlen, "--container-mounts: flag '%.*s' is not one of ro, rw, nosuid, nodev, noexec, "
						 "bind, rbind, [r]private, [r]slave, [r]shared, [r]unbindable (join them with '+')",
				    (int)(n > 32 ? 32 : n), p);
		if (known[k].ro)
			m->readonly = known[k].ro > 0;
		m->flags |= known[k].set;
		if (known[k].prop) {
			if (m->propagation && (m->propagation & ~MS_REC) != (known[k].prop & ~MS_REC))
				return errf(err, errlen, "--container-mounts: more than one propagation flag for %s", m->dst);
			m->propagation = known[k].prop;
		}
		if (!strcmp(known[k].name, "bind") || !strcmp(known[k].name, "rbind"))
			m->nonrecursive = known[k].nonrec;
		p += n + 1;
		if (q && q + 1 == end)
			return errf(err, errlen, "--container-mounts: the flags of %s end with '+'", m->dst);
	}
	return 0;
}

/* A relative source Pyxis takes: "./..." or "../..." (the working directory's). */
static int relative_path(const char *s, size_t n)
{
	if (!((n >= 2 && !memcmp(s, "./", 2)) || (n >= 3 && !memcmp(s, "../", 3)) || (n == 1 && s[0] == '.') ||
	      (n == 2 && !memcmp(s, "..", 2))))
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

/*
 * SRC:DST[:FLAGS], SRC[:FLAGS] (same path), vol:NAME:DST[:FLAGS],
 * tmpfs:DST[:FLAGS], umount:DST; comma-separated. FLAGS: ro, rw and the
 * rest of ct_mount_flags, '+'-separated, as Pyxis takes them.
 */
int ct_opt_mounts(ct_options_t *o, const char *arg, char *err, size_t errlen)
{
	const char *p = arg;

	if (!arg || !*arg)
		return errf(err, errlen, "--container-mounts is empty: use SRC:DST[:ro],...");
	while (*p) {
		const char *end = p + strcspn(p, ","), *f[4];
		size_t n = 0, len[4];
		ct_mount_t *m;

		if (o->nmounts == CT_MAX_MOUNTS)
			return errf(err, errlen, "--container-mounts: more than %d mounts", CT_MAX_MOUNTS);
		if (end == p)
			return errf(err, errlen, "--container-mounts: an empty entry (two ',' in a row, or one at the end)");
		m = &o->mounts[o->nmounts];
		memset(m, 0, sizeof(*m));
		for (const char *q = p; n < 4;) {
			const char *c = memchr(q, ':', (size_t)(end - q));

			f[n] = q;
			len[n++] = c ? (size_t)(c - q) : (size_t)(end - q);
			if (!c)
				break;
			q = c + 1;
		}
		if (n >= 2 && len[0] == 6 && !memcmp(f[0], "umount", 6))
			return errf(err, errlen, "--container-mounts: umount:%.*s is not supported yet", (int)(len[1] > 64 ? 64 : len[1]),
				    f[1]);
		if (n >= 2 && ((len[0] == 3 && !memcmp(f[0], "vol", 3)) || (len[0] == 5 && !memcmp(f[0], "tmpfs", 5)) ||
			       (len[0] == 6 && !memcmp(f[0], "umount", 6)))) {
			if (f[0][0] == 'v') {
				m->kind = CT_MOUNT_VOLUME;
				if (!valid_name(f[1], len[1]))
					return errf(err, errlen, "--container-mounts: '%.*s' is not a volume name (letters, digits, '_', '-', '.')",
						    (int)(len[1] > 64 ? 64 : len[1]), f[1]);
				memcpy(m->src, f[1], len[1]);
				f[1] = f[2];
				len[1] = n > 2 ? len[2] : 0;
				f[2] = f[3];
				len[2] = n > 3 ? len[3] : 0;
				n = n > 2 ? n - 1 : 1;
				if (n < 2)
					return errf(err, errlen, "--container-mounts: vol:%s needs a destination (vol:NAME:/path)", m->src);
			} else {
				m->kind = f[0][0] == 't' ? CT_MOUNT_TMPFS : CT_MOUNT_UMOUNT;
				strcpy(m->src, m->kind == CT_MOUNT_TMPFS ? "tmpfs" : "umount");
			}
		} else if (n > 3) {
			return errf(err, errlen, "--container-mounts: '%.*s' has too many ':' (SRC:DST[:FLAGS])",
				    (int)(end - p > 128 ? 128 : end - p), p);
		}
		if (m->kind == CT_MOUNT_BIND) {
			/* SRC:FLAGS keeps the path: the second field is flags when it is not a path */
			if (n == 2 && f[1][0] != '/' && !relative_path(f[1], len[1])) {
				f[2] = f[1];
				len[2] = len[1];
				f[1] = f[0];
				len[1] = len[0];
				n = 3;
			}
			m->relative = relative_path(f[0], len[0]);
			if ((!m->relative && !clean_path(f[0], len[0])) || len[0] >= sizeof(m->src))
				return errf(err, errlen, "--container-mounts: source '%.*s' must be an absolute path without '..', "
							 "a path starting with ./ or ../, tmpfs, umount or vol:NAME",
					    (int)(len[0] > 128 ? 128 : len[0]), f[0]);
			memcpy(m->src, f[0], len[0]);
		}
		if (n == 1) {
			if (m->relative)
				return errf(err, errlen, "--container-mounts: %s: a relative source needs a destination (%s:/path)",
					    m->src, m->src);
			memcpy(m->dst, m->src, strlen(m->src));
		} else {
			if (!clean_path(f[1], len[1]) || len[1] >= sizeof(m->dst))
				return errf(err, errlen, "--container-mounts: destination '%.*s' must be an absolute path without '..'",
					    (int)(len[1] > 128 ? 128 : len[1]), f[1]);
			memcpy(m->dst, f[1], len[1]);
		}
		if (n == 3 && (m->kind == CT_MOUNT_UMOUNT || !len[2]))
			return errf(err, errlen, m->kind == CT_MOUNT_UMOUNT ? "--container-mounts: umount:%s takes no flags"
									    : "--container-mounts: %s: empty flags after ':'",
				    m->dst);
		if (n == 3 && ct_mount_flags(m, f[2], len[2], err, errlen))
			return -1;
		if (!strcmp(m->dst, "/"))
			return errf(err, errlen, "--container-mounts: cannot mount over the container's /");
		o->nmounts++;
		p = *end ? end + 1 : end;
		if (*end && !*p)
			return errf(err, errlen, "--container-mounts: an empty entry (two ',' in a row, or one at the end)");
	}
	return 0;
}

int ct_opt_save(ct_options_t *o, const char *arg, char *err, size_t errlen)
{
	size_t n = arg ? strlen(arg) : 0;

	if (!n || n >= sizeof(o->save) || arg[n - 1] == '/')
		return errf(err, errlen, "--container-save: '%.128s' must name a file (the squashfs image to write)",
			    arg ? arg : "");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)arg[i] < 0x20 || arg[i] == 0x7f)
			return errf(err, errlen, "--container-save: control character in the path");
	strcpy(o->save, arg);
	return 0;
}

int ct_opt_workdir(ct_options_t *o, const char *arg, char *err, size_t errlen)
{
	if (!arg || !clean_path(arg, strlen(arg)) || strlen(arg) >= sizeof(o->workdir))
		return errf(err, errlen, "--container-workdir: '%.128s' must be an absolute path", arg ? arg : "");
	strcpy(o->workdir, arg);
	o->set_workdir = 1;
	return 0;
}

int ct_opt_env(ct_options_t *o, const char *arg, char *err, size_t errlen)
{
	for (const char *p = arg; p && *p;) {
		size_t n = strcspn(p, ",");

		if (p[n] == ',' && !p[n + 1])
			return errf(err, errlen, "--container-env: '%.64s' ends with ',': name a variable after it or drop the ','",
				    arg);
		if (o->nenv == CT_MAX_ENVNAMES)
			return errf(err, errlen, "--container-env: more than %d names", CT_MAX_ENVNAMES);
		if (!valid_name(p, n) || memchr(p, '.', n) || memchr(p, '-', n) || (p[0] >= '0' && p[0] <= '9'))
			return errf(err, errlen, "--container-env: '%.*s' is not a variable name", (int)(n > 64 ? 64 : n), p);
		memcpy(o->env[o->nenv], p, n);
		o->env[o->nenv++][n] = '\0';
		p += n + (p[n] == ',');
	}
	if (!arg || !*arg)
		return errf(err, errlen, "--container-env: name the variables, e.g. --container-env=PATH,LD_LIBRARY_PATH");
	return 0;
}

int ct_opt_name(ct_options_t *o, const char *arg, char *err, size_t errlen)
{
	static const char *const flags[] = { "auto", "create", "exec", "no_exec" };
	const char *colon = arg ? strchr(arg, ':') : NULL;
	size_t n = arg ? (colon ? (size_t)(colon - arg) : strlen(arg)) : 0;
	size_t f = 0;

	if (!arg || !valid_name(arg, n))
		return errf(err, errlen, "--container-name: '%.64s' is not a name (letters, digits, '_', '-', '.')",
			    arg ? arg : "");
	if (colon) {
		for (f = 0; f < sizeof(flags) / sizeof(flags[0]) && strcmp(colon + 1, flags[f]); f++)
			;
		if (f == sizeof(flags) / sizeof(flags[0]))
			return errf(err, errlen, "--container-name %.64s: the flag after ':' must be auto, create, exec or no_exec",
				    arg);
	}
	memcpy(o->name, arg, n);
	o->name[n] = '\0';
	o->name_flag = (ct_name_flag_t)f;
	return 0;
}

int ct_opt_unshare(ct_options_t *o, const char *arg, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		int flag;
	} kinds[] = { { "net", ROOTFS_NET }, { "ipc", ROOTFS_IPC }, { "uts", ROOTFS_UTS } };
	int flags = 0;

	if (!arg || !*arg) {
		o->unshare = ROOTFS_NET | ROOTFS_IPC | ROOTFS_UTS;
		return 0;
	}
	for (const char *p = arg; *p;) {
		size_t n = strcspn(p, ","), k;

		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (n == strlen(kinds[k].name) && !strncmp(p, kinds[k].name, n))
				break;
		if (k == sizeof(kinds) / sizeof(kinds[0]))
			return errf(err, errlen, "--container-unshare: unknown namespace '%.*s' (net, ipc, uts)",
				    (int)(n > 32 ? 32 : n), p);
		flags |= kinds[k].flag;
		p += n;
		if (*p == ',' && !*++p)
			return errf(err, errlen, "--container-unshare: '%.64s' ends with ','", arg);
	}
	o->unshare = flags;
	return 0;
}

int ct_opt_from_env(ct_options_t *o, const char *(*get)(const char *name, void *arg), void *arg,
		    const char *default_registry, char *err, size_t errlen)
{
	static const struct {
		const char *suffix;
		int flag;       /* a ct_flag_t, or -1 for a value option */
		int invert;     /* READONLY=1 means writable=0 */
	} vars[] = {
		{ "IMAGE", -1, 0 }, { "MOUNTS", -1, 0 }, { "WORKDIR", -1, 0 }, { "ENV", -1, 0 }, { "NAME", -1, 0 },
		{ "UNSHARE", -1, 0 }, { "SAVE", -1, 0 },
		{ "MOUNT_HOME", CT_F_MOUNT_HOME, 0 }, { "WRITABLE", CT_F_WRITABLE, 0 },
		{ "READONLY", CT_F_WRITABLE, 1 }, { "ENTRYPOINT", CT_F_ENTRYPOINT, 0 },
		{ "ENTRYPOINT_LOG", CT_F_ENTRYPOINT_LOG, 0 }, { "REMAP_ROOT", CT_F_REMAP_ROOT, 0 },
	};
	static const char *const prefixes[] = { "OCTOPUS_CONTAINER_", "PYXIS_CONTAINER_" };

	for (size_t p = 0; p < 2; p++)
		for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
			char name[64];
			const char *v;
			int b, rc = 0;

			snprintf(name, sizeof(name), "%s%s", prefixes[p], vars[i].suffix);
			if (!(v = get(name, arg)))
				continue;
			if (vars[i].flag >= 0) {
				if (o->flags[vars[i].flag] >= 0)
					continue;
				if ((b = ct_parse_bool(v)) < 0)
					return errf(err, errlen, "%s=%.64s: use yes or no (1/0, true/false)", name, v);
				o->flags[vars[i].flag] = vars[i].invert ? !b : b;
				continue;
			}
			if (!strcmp(vars[i].suffix, "IMAGE") && !o->image[0])
				rc = ct_opt_image(o, v, default_registry, err, errlen);
			else if (!strcmp(vars[i].suffix, "MOUNTS") && !o->nmounts)
				rc = ct_opt_mounts(o, v, err, errlen);
			else if (!strcmp(vars[i].suffix, "WORKDIR") && !o->set_workdir)
				rc = ct_opt_workdir(o, v, err, errlen);
			else if (!strcmp(vars[i].suffix, "ENV") && !o->nenv)
				rc = ct_opt_env(o, v, err, errlen);
			else if (!strcmp(vars[i].suffix, "NAME") && !o->name[0])
				rc = ct_opt_name(o, v, err, errlen);
			else if (!strcmp(vars[i].suffix, "UNSHARE") && !o->unshare)
				rc = ct_opt_unshare(o, v, err, errlen);
			else if (!strcmp(vars[i].suffix, "SAVE") && !o->save[0])
				rc = ct_opt_save(o, v, err, errlen);
			if (rc) {
				/* name the variable, not an option the user never typed */
				char why[512];

				snprintf(why, sizeof(why), "%s", err);
				return errf(err, errlen, "%s: %s", name, why);
			}
		}
	return 0;
}

int ct_env_listed(const ct_options_t *o, const char *name, size_t len)
{
	for (size_t i = 0; i < o->nenv; i++)
		if (strlen(o->env[i]) == len && !memcmp(o->env[i], name, len))
			return 1;
	return 0;
}
