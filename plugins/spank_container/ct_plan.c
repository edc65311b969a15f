/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "ct_plan.h"

#include "errf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PLAN_MAGIC "octopus-container-plan 1\n"

int ct_plan_write(const ct_image_t *img, const char *image, int dirfd, const char *name, char *err,
		  size_t errlen)
{
	char tmp[64];
	FILE *f;
	int fd, ok;

	if (img->has_squashfs && (!img->squashfs_path[0] || strchr(img->squashfs_path, '\n')))
		return errf(err, errlen, "the squashfs image's path cannot be kept");
	if (!img->has_squashfs && !img->config_json)
		return errf(err, errlen, "the image's config was not kept");
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	if ((fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0 ||
	    !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		return errf(err, errlen, "%s: %s", tmp, strerror(errno));
	}
	if (img->has_squashfs) {
		/* mounted from its file again by each step: the path and which file it was */
		fprintf(f, PLAN_MAGIC "image %s\nmanifest %s\nsquashfs %s\n", image, img->manifest_digest,
			img->squashfs_path);
		goto written;
	}
	fprintf(f, PLAN_MAGIC "image %s\nmanifest %s\nlayers %zu\n", image, img->manifest_digest, img->nlayers);
	for (size_t i = 0; i < img->nlayers; i++)
		fprintf(f, "%d %llu %s\n", (int)img->blobs[i].media, (unsigned long long)img->blobs[i].size,
			img->blobs[i].digest);
	fprintf(f, "config %zu\n", img->config_len);
	fwrite(img->config_json, 1, img->config_len, f);
written:
	ok = !ferror(f) && !fflush(f) && !fsync(fileno(f));
	if (fclose(f) || !ok || renameat(dirfd, tmp, dirfd, name)) {
		unlinkat(dirfd, tmp, 0);
		return errf(err, errlen, "%s: %s", name, strerror(errno));
	}
	return 0;
}

/* a cache miss here means the layer was collected since: say so */
static int plan_blob_gone(void *arg, const oci_blob_t *blob, char *err, size_t errlen)
{
	(void)arg;
	return errf(err, errlen, "layer %.80s is no longer in this node's cache: start the container again with "
				 "--container-image", blob->digest);
}

int ct_plan_load(int dirfd, const char *name, layer_cache_t *cache, ct_image_t *img, char *image,
		 size_t imagelen, char *err, size_t errlen)
{
	oci_manifest_t *m = NULL;
	char *buf = NULL, *p, *end;
	size_t len = 0, n, clen;
	int fd, rc = -1;

	ct_image_reset(img);
	err[0] = '\0';
	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return errf(err, errlen, "%s: %s", name, strerror(errno));
	buf = ct_image_read_small(fd, &len, name, err, errlen);
	close(fd);
	if (!buf || !(m = calloc(1, sizeof(*m))))
		goto bad;
	p = buf;
	end = buf + len;
	/* every field is ours; a file that does not read back exactly is refused */
	if (strncmp(p, PLAN_MAGIC, strlen(PLAN_MAGIC)) || !(p = memchr(p, '\n', (size_t)(end - p))) ||
	    strncmp(++p, "image ", 6) || !memchr(p, '\n', (size_t)(end - p)))
		goto bad;
	n = (size_t)((char *)memchr(p, '\n', (size_t)(end - p)) - p) - 6;
	if (n >= imagelen)
		goto bad;
	memcpy(image, p + 6, n);
	image[n] = '\0';
	p += 6 + n + 1;
	if (sscanf(p, "manifest %71s squashfs %*s", img->manifest_digest) == 1 && !strncmp(img->manifest_digest, "squashfs:", 9)) {
		/* a squashfs image: the caller opens the file again, as the user */
		char *line = memchr(p, '\n', (size_t)(end - p));

		if (!line || strncmp(++line, "squashfs /", 10) || end[-1] != '\n' || (size_t)(end - line) - 10 >= sizeof(img->squashfs_path))
			goto bad;
		memcpy(img->squashfs_path, line + 9, (size_t)(end - line) - 10);
		img->squashfs_path[end - line - 10] = '\0';
		if (memchr(img->squashfs_path, '\n', strlen(img->squashfs_path)))
			goto bad;
		img->has_squashfs = 1;
		img->squashfs_fd = -1;
		rc = 0;
		goto out;
	}
	if (sscanf(p, "manifest %71s layers %zu", img->manifest_digest, &m->nlayers) != 2 || m->nlayers == 0 ||
	    m->nlayers > OCI_MAX_LAYERS)
		goto bad;
	for (int k = 0; k < 2 && p; k++)
		if ((p = memchr(p, '\n', (size_t)(end - p))))
			p++;
	for (size_t i = 0; p && i < m->nlayers; i++) {
		int media;
		unsigned long long size;

		if (sscanf(p, "%d %llu %71s", &media, &size, m->layers[i].digest) != 3 || !img_digest_valid(m->layers[i].digest))
			goto bad;
		m->layers[i].media = (oci_media_t)media;
		m->layers[i].size = size;
		if ((p = memchr(p, '\n', (size_t)(end - p))))
			p++;
	}
	if (!p || sscanf(p, "config %zu", &clen) != 1 || !(p = memchr(p, '\n', (size_t)(end - p))) ||
	    (size_t)(end - ++p) != clen)
		goto bad;
	if (oci_config_parse(p, clen, &img->config, err, errlen))
		goto out;
	if (!(img->config_json = malloc(clen + 1)))
		goto bad;
	memcpy(img->config_json, p, clen);
	img->config_json[clen] = '\0';
	img->config_len = clen;
	if (ct_image_get_layers(cache, m, plan_blob_gone, NULL, img, err, errlen))
		goto out;
	rc = 0;
	goto out;
bad:
	if (buf)
		errf(err, errlen, "%s is damaged: start the container again with --container-image", name);
out:
	if (rc)
		ct_image_release(img);
	free(m);
	free(buf);
	return rc;
}

