/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "sysfs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void join(char *out, size_t len, const char *root, const char *rel)
{
	snprintf(out, len, "%s/%s", root, rel[0] == '/' ? rel + 1 : rel);
}

/*
 * A regular file, for reading: O_NONBLOCK so a FIFO planted where an
 * attribute should be cannot block slurmd, then fstat so it is refused.
 */
static FILE *open_regular(const char *path)
{
	struct stat sb;
	FILE *f;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	if (!(f = fdopen(fd, "r")))
		close(fd);
	return f;
}

/* One line of f into buf; the rest of a line longer than buf is skipped,
 * never read as a line of its own. 0 at the end of the file. */
static int read_line(FILE *f, char *buf, size_t len)
{
	size_t n;
	int c;

	if (!fgets(buf, (int)len, f))
		return 0;
	n = strlen(buf);
	if (n && buf[n - 1] != '\n')
		while ((c = fgetc(f)) != EOF && c != '\n')
			;
	return 1;
}

int sysfs_read(const char *root, const char *rel, char *out, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	size_t n;

	join(path, sizeof(path), root, rel);
	if (!len || !(f = open_regular(path)))
		return -1;
	if (!fgets(out, (int)len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	n = strcspn(out, "\n");
	while (n && isspace((unsigned char)out[n - 1]))
		n--;
	out[n] = '\0';
	return 0;
}

int sysfs_read_ulong(const char *root, const char *rel, unsigned long *out)
{
	char buf[64], *end;

	if (sysfs_read(root, rel, buf, sizeof(buf)) || !buf[0])
		return -1;
	errno = 0;
	*out = strtoul(buf, &end, 0);
	return errno || *end || buf[0] == '-' ? -1 : 0;
}

typedef struct {
	char *name;
	long num;
} entry_t;

static int by_num(const void *a, const void *b)
{
	const entry_t *x = a, *y = b;

	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	return strcmp(x->name, y->name);
}

#define LIST_MAX_ENTRIES 65536   /* a bound on one directory, not a device limit */

int sysfs_list(const char *root, const char *rel, const char *prefix, char **names, size_t max)
{
	char path[PATH_MAX];
	entry_t *e = NULL;
	size_t n = 0, cap = 0, plen = strlen(prefix);
	struct dirent *d;
	DIR *dir;

	join(path, sizeof(path), root, rel);
	if (!(dir = opendir(path)))
		return -1;
	/* every entry first: the ones kept must be the lowest numbers, not
	 * whichever readdir() happened to return first */
	while ((d = readdir(dir)) && n < LIST_MAX_ENTRIES) {
		const char *p = d->d_name + plen;
		char *end;

		if (d->d_name[0] == '.' || strncmp(d->d_name, prefix, plen))
			continue;
		if (n == cap) {
			entry_t *grown = realloc(e, (cap ? cap * 2 : 64) * sizeof(*e));

			if (!grown)
				break;
			e = grown;
			cap = cap ? cap * 2 : 64;
		}
		e[n].num = isdigit((unsigned char)*p) ? strtol(p, &end, 10) : -1;
		if (!(e[n].name = strdup(d->d_name)))
			break;
		n++;
	}
	closedir(dir);
	if (n)
		qsort(e, n, sizeof(e[0]), by_num);
	for (size_t i = 0; i < n; i++) {
		if (i < max)
			names[i] = e[i].name;
		else
			free(e[i].name);
	}
	free(e);
	return (int)(n < max ? n : max);
}

void sysfs_list_free(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
}

int sysfs_chardev(const char *root, const char *rel, unsigned *major, unsigned *minor)
{
	char path[PATH_MAX];
	struct stat sb;

	join(path, sizeof(path), root, rel);
	if (stat(path, &sb))
		return -1;
	if (!S_ISCHR(sb.st_mode)) {
		errno = ENODEV;
		return -1;
	}
	*major = major(sb.st_rdev);
	*minor = minor(sb.st_rdev);
	return 0;
}

int sysfs_read_devnum(const char *root, const char *rel, unsigned *major, unsigned *minor)
{
	char buf[32], *end;
	unsigned long ma, mi;

	if (sysfs_read(root, rel, buf, sizeof(buf)) || !isdigit((unsigned char)buf[0]))
		return -1;
	errno = 0;
	ma = strtoul(buf, &end, 10);
	if (errno || *end != ':' || !isdigit((unsigned char)end[1]) || ma >= 4096)
		return -1;
	mi = strtoul(end + 1, &end, 10);
	if (errno || *end || mi >= (1ul << 20))
		return -1;
	*major = (unsigned)ma;
	*minor = (unsigned)mi;
	return 0;
}

/*
 * Each character driver line of /proc/devices ("major name"), to cb until
 * it returns non-zero (that value is returned). -1 when the file cannot be
 * read. A corrupt line (a negative or out-of-range major: Linux majors are
 * 12 bits) is not a driver.
 */
static int proc_char_drivers(const char *proc_root, int (*cb)(int major, const char *name, void *arg), void *arg)
{
	char path[PATH_MAX], line[128];
	int in_char = 0, rc = 0;
	FILE *f;

	join(path, sizeof(path), proc_root, "devices");
	if (!(f = open_regular(path)))
		return -1;
	while (!rc && read_line(f, line, sizeof(line))) {
		char name[96];
		int major;

		if (!strncmp(line, "Character devices:", 18))
			in_char = 1;
		else if (!strncmp(line, "Block devices:", 14))
			in_char = 0;
		else if (in_char && sscanf(line, "%d %95s", &major, name) == 2 && major >= 0 && major < 4096)
			rc = cb(major, name, arg);
	}
	fclose(f);
	return rc;
}

typedef struct {
	unsigned major;
	const char *const *drivers;
} owner_t;

/* a major may be listed more than once, one line per driver */
static int owned(int major, const char *name, void *arg)
{
	const owner_t *o = arg;

	if ((unsigned)major != o->major)
		return 0;
	if (!o->drivers)
		return 1;
	for (size_t i = 0; o->drivers[i]; i++)
		if (!strcmp(name, o->drivers[i]))
			return 1;
	return 0;
}

int sysfs_major_owned_by(const char *proc_root, unsigned major, const char *const *drivers)
{
	owner_t o = { major, drivers };

	return proc_char_drivers(proc_root, owned, &o);
}

/* the driver's major + 1, so that major 0 is not "not found" */
static int named(int major, const char *name, void *arg)
{
	return strcmp(name, arg) ? 0 : major + 1;
}

int sysfs_driver_major(const char *proc_root, const char *driver)
{
	int rc = proc_char_drivers(proc_root, named, (void *)driver);

	return rc > 0 ? rc - 1 : -1;
}

/* A PCI address: dddd:bb:dd.f, hex digits */
static int is_bdf(const char *s)
{
	static const char shape[] = "xxxx:xx:xx.x";

	if (strlen(s) != sizeof(shape) - 1)
		return 0;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'x' ? !isxdigit((unsigned char)s[i]) : s[i] != shape[i])
			return 0;
	return 1;
}

int sysfs_pci_addr(const char *root, const char *rel, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	join(path, sizeof(path), root, rel);
	if ((n = readlink(path, target, sizeof(target) - 1)) < 0)
		return -1;
	target[n] = '\0';
	base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	if (!is_bdf(base) || strlen(base) >= len)
		return -1;
	snprintf(out, len, "%s", base);
	return 0;
}
