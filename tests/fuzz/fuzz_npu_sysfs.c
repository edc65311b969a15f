/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the sysfs and /proc attribute parsers of gres_npu
 * detection, fed arbitrary file contents (a driver can write anything). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void cleanup(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/devices", dir);
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[128], out[64];
	unsigned long v;
	int major;
	FILE *f;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz_npu_sysfs.%d", (int)getpid());
		if (mkdir(dir, 0700) && access(dir, W_OK))
			abort();
		atexit(cleanup);
	}
	snprintf(path, sizeof(path), "%s/devices", dir);
	if (!(f = fopen(path, "w")))
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (sysfs_read(dir, "devices", out, sizeof(out)) == 0 && strlen(out) >= sizeof(out))
		abort();
	if (sysfs_read_ulong(dir, "devices", &v) == 0 && size == 0)
		abort();
	major = sysfs_driver_major(dir, "devdrv-cdev");
	if (major < -1 || major >= 4096)
		abort();
	return 0;
}
