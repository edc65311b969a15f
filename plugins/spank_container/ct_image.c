/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "ct_image.h"
#include "ct_daemon.h"
#include "ct_pull.h"

#include "errf.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "image/credentials.h"
#include "image/digest.h"
#include "image/fsutil.h"
#include "ns/hook_env.h"

#define ERR_LINE 512

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The OCI architecture name of this node. */
static const char *node_arch(void)
{
	struct utsname u;

	if (uname(&u))
		return "amd64";
	if (!strcmp(u.machine, "x86_64"))
		return "amd64";
	if (!strcmp(u.machine, "aarch64"))
		return "arm64";
	if (!strcmp(u.machine, "ppc64le"))
		return "ppc64le";
	return "amd64";
}

char *ct_image_read_small(int fd, size_t *len, const char *what, char *err, size_t errlen)
{
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap);

	while (buf) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (cap >= OCI_MAX_JSON) {
				snprintf(err, errlen, "%s is larger than %u bytes", what, OCI_MAX_JSON);
				break;
			}
			if (!(nb = realloc(buf, cap *= 2)))
				break;
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "reading %s: %s", what, strerror(errno));
			break;
		}
		if (r == 0) {
			*len = n;
			return buf;
		}
		n += (size_t)r;
	}
	if (!buf)
		snprintf(err, errlen, "out of memory");
	free(buf);
	return NULL;
}

int ct_image_get_layers(layer_cache_t *cache, const oci_manifest_t *m, layer_blob_fn open_blob, void *arg,
		      ct_image_t *img, char *err, size_t errlen)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < m->nlayers; i++) {
		if (layer_cache_get(cache, &m->layers[i], open_blob, arg, &img->layers[i], err, errlen))
			return -1;
		img->blobs[i] = m->layers[i];
		img->nlayers++;
		img->unpacked += img->layers[i].unpacked;
	}
	img->fetch_ms = ms_since(&t0);
	return 0;
}

typedef struct {
	user_opener_t *uo;      /* a user's layout: opened as the user ... */
	const char *layout;
	int dirfd;              /* ... or an unpacked archive only root can read */
} layout_t;

static int layout_open(layout_t *l, const char *rel, char *err, size_t errlen)
{
	int fd;

	if (l->dirfd < 0)
		return user_opener_open(l->uo, l->layout, rel, O_RDONLY, err, errlen);
	if ((fd = openat(l->dirfd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		snprintf(err, errlen, "%s in the archive %s: %s", rel, l->layout, strerror(errno));
	return fd;
}

static int open_blob(void *arg, const oci_blob_t *b, char *err, size_t errlen)
{
	layout_t *l = arg;
	char rel[IMG_DIGEST_MAX + 16];
	const char *colon = strchr(b->digest, ':');

	/* the digest was validated: "blobs/<algo>/<hex>" cannot leave the layout */
	snprintf(rel, sizeof(rel), "blobs/%.*s/%s", (int)(colon - b->digest), b->digest, colon + 1);
	return layout_open(l, rel, err, errlen);
}

/* A JSON blob, checked against its descriptor. */
static char *read_blob(layout_t *l, const oci_blob_t *b, size_t *len, char *err, size_t errlen)
{
	char actual[IMG_DIGEST_MAX];
	digest_t *d;
	char *buf;
	int fd;

	if (b->size > OCI_MAX_JSON) {
		snprintf(err, errlen, "blob %.80s: %llu bytes is too large for a manifest or config", b->digest,
			 (unsigned long long)b->size);
		return NULL;
	}
	if ((fd = open_blob(l, b, err, errlen)) < 0)
		return NULL;
	buf = ct_image_read_small(fd, len, b->digest, err, errlen);
	close(fd);
	if (!buf)
		return NULL;
	if (!(d = digest_new(b->digest))) {
		free(buf);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	digest_update(d, buf, *len);
	if (!digest_finish(d, actual, sizeof(actual)) || *len != b->size) {
		snprintf(err, errlen, "blob %.80s does not match its digest or size: the image is corrupt", b->digest);
		free(buf);
		buf = NULL;
	}
	digest_free(d);
	return buf;
}

static int prepare_layout(const img_ref_t *ref, layout_t *l, layer_cache_t *cache, ct_image_t *img, char *err,
			  size_t errlen)
{
	oci_blob_t pick;
	oci_manifest_t *m = NULL;
	struct timespec t0;
	char *json;
	size_t len;
	int fd, rc = -1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((fd = layout_open(l, "index.json", err, errlen)) < 0)
		return -1;
	json = ct_image_read_small(fd, &len, "index.json", err, errlen);
	close(fd);
	if (!json)
		return -1;
	rc = oci_index_pick(json, len, ref->tag, ref->tag[0] ? NULL : node_arch(), &pick, err, errlen);
	if (rc && !ref->tag[0])        /* single-manifest layouts often carry no platform */
		rc = oci_index_pick(json, len, NULL, NULL, &pick, err, errlen);
	free(json);
	/* an index may point at a per-platform index (a multi-arch image) */
	for (int depth = 0; !rc && pick.media == OCI_MT_INDEX; depth++) {
		if (depth == 2 || !(json = read_blob(l, &pick, &len, err, errlen))) {
			if (depth == 2)
				snprintf(err, errlen, "image indexes nest too deep");
			rc = -1;
			break;
		}
		rc = oci_index_pick(json, len, NULL, node_arch(), &pick, err, errlen);
		free(json);
	}
	if (rc)
		return -1;
	rc = -1;
	snprintf(img->manifest_digest, sizeof(img->manifest_digest), "%s", pick.digest);
	if (!(m = malloc(sizeof(*m))) || !(json = read_blob(l, &pick, &len, err, errlen)))
		goto out;
	if (oci_manifest_parse(json, len, m, err, errlen)) {
		free(json);
		goto out;
	}
	free(json);
	if (!(json = read_blob(l, &m->config, &len, err, errlen)))
		goto out;
	if (oci_config_parse(json, len, &img->config, err, errlen)) {
		free(json);
		goto out;
	}
	img->config_json = json;
	img->config_len = len;
	img->resolve_ms = ms_since(&t0);

	if (ct_image_get_layers(cache, m, open_blob, l, img, err, errlen))
		goto out;
	rc = 0;
out:
	if (!m)
		snprintf(err, errlen, "out of memory");
	free(m);
	return rc;
}

/* sha256 of buf as "sha256:<hex>"; 1 if it equals want (when want is set). */
static int check_digest(const char *buf, size_t len, const char *want, char *actual, size_t alen)
{
	static const char zero[] = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
	digest_t *d = digest_new(want && *want ? want : zero);
	int ok;

	if (!d)
		return 0;
	digest_update(d, buf, len);
	ok = digest_finish(d, actual, alen);
	digest_free(d);
	return want && *want ? ok : 1;
}

static int registry_allowed(const img_ref_t *ref, const ct_image_opts_t *o, char *err, size_t errlen)
{
	if (o && o->allow_registries && *o->allow_registries && !registry_host_listed(o->allow_registries, ref->registry)) {
		snprintf(err, errlen, "registry %s is not allowed on this cluster (allowed: %.300s)", ref->registry,
			 o->allow_registries);
		return 0;
	}
	return 1;
}

static int pull_registry(const img_ref_t *ref, const char *plain_http, const char *credentials, unsigned workers,
			 layer_cache_t *cache, ct_image_t *img, char *err, size_t errlen)
{
	registry_opts_t ro = { plain_http, credentials, 0 };
	char media[REG_MEDIA_MAX], actual[IMG_DIGEST_MAX];
	const char *want = ref->digest[0] ? ref->digest : NULL;
	oci_manifest_t *m = NULL;
	registry_t *reg;
	struct timespec t0;
	char *json = NULL;
	size_t len;
	int rc = -1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!(reg = registry_new(ref, &ro, err, errlen)))
		return -1;
	if (registry_manifest(reg, want ? want : ref->tag, &json, &len, media, sizeof(media), err, errlen))
		goto out;
	/* a multi-platform index: this node's manifest, by digest */
	for (int depth = 0; oci_media_type(media) == OCI_MT_INDEX; depth++) {
		oci_blob_t pick;

		if (depth == 2 || !check_digest(json, len, want, actual, sizeof(actual))) {
			snprintf(err, errlen, depth == 2 ? "image indexes nest too deep"
							 : "the index does not match its digest: the registry sent other content");
			goto out;
		}
		if (oci_index_pick(json, len, NULL, node_arch(), &pick, err, errlen))
			goto out;
		free(json);
		json = NULL;
		want = NULL;
		if (registry_manifest(reg, pick.digest, &json, &len, media, sizeof(media), err, errlen))
			goto out;
		snprintf(img->manifest_digest, sizeof(img->manifest_digest), "%s", pick.digest);
		want = img->manifest_digest;
	}
	if (!check_digest(json, len, want, actual, sizeof(actual))) {
		snprintf(err, errlen, "the manifest does not match its digest %.80s: the registry sent other content", want);
		goto out;
	}
	snprintf(img->manifest_digest, sizeof(img->manifest_digest), "%s", actual);
	if (!(m = malloc(sizeof(*m)))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (oci_manifest_parse(json, len, m, err, errlen))
		goto out;
	free(json);
	json = NULL;
	/* the config, through a memory file, checked like any blob */
	{
		int fd = memfd_create("octopus-config", MFD_CLOEXEC);

		if (fd < 0 || m->config.size > OCI_MAX_JSON ||
		    registry_blob(reg, m->config.digest, fd, OCI_MAX_JSON, err, errlen) || lseek(fd, 0, SEEK_SET) < 0 ||
		    !(json = ct_image_read_small(fd, &len, "image config", err, errlen))) {
			if (fd >= 0)
				close(fd);
			if (fd < 0 || m->config.size > OCI_MAX_JSON)
				snprintf(err, errlen, "image config: %s", fd < 0 ? strerror(errno) : "too large");
			goto out;
		}
		close(fd);
		if (!check_digest(json, len, m->config.digest, actual, sizeof(actual)) ||
		    oci_config_parse(json, len, &img->config, err, errlen)) {
			if (!err[0] || strncmp(err, "image config", 12))
				snprintf(err, errlen, "image config %.80s does not match its digest", m->config.digest);
			goto out;
		}
		img->config_json = json;
		img->config_len = len;
		json = NULL;
	}
	img->resolve_ms = ms_since(&t0);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (ct_pull_layers(cache, m, ref, &ro, workers, img, err, errlen))
		goto out;
	img->fetch_ms = ms_since(&t0);
	rc = 0;
out:
	free(json);
	free(m);
	registry_free(reg);
	return rc;
}

/* ref with its registry swapped for the mirror */
static img_ref_t mirrored(const img_ref_t *ref, const char *mirror)
{
	img_ref_t m = *ref;

	snprintf(m.registry, sizeof(m.registry), "%s", mirror);
	return m;
}

/*
 * A configured mirror first (an air-gapped cluster's copy of Docker Hub, a
 * pull-through cache), then the registry itself. Digests make a mirror
 * safe: it can serve a stale tag, never other content under a digest.
 */
static int prepare_registry(const img_ref_t *ref, const ct_image_opts_t *o, layer_cache_t *cache, ct_image_t *img,
			    char *err, size_t errlen)
{
	char first[ERR_LINE];

	if (!registry_allowed(ref, o, err, errlen))
		return -1;
	if (o && o->mirror && *o->mirror) {
		img_ref_t m = mirrored(ref, o->mirror);

		if (!pull_registry(&m, o->plain_http, o->mirror_credentials, o->pull_workers, cache, img, err, errlen)) {
			img->from_mirror = 1;
			return 0;
		}
		snprintf(first, sizeof(first), "%s", err);
		ct_image_release(img);
		ct_image_reset(img);
		err[0] = '\0';
		if (!pull_registry(ref, o->plain_http, o->credentials, o->pull_workers, cache, img, err, errlen)) {
			snprintf(img->mirror_error, sizeof(img->mirror_error), "%.250s", first);
			return 0;
		}
		{
			char second[ERR_LINE];

			snprintf(second, sizeof(second), "%s", err);
			snprintf(err, errlen, "mirror %s: %.200s; then %s: %.200s", o->mirror, first, ref->registry, second);
		}
		return -1;
	}
	return pull_registry(ref, o ? o->plain_http : NULL, o ? o->credentials : NULL, o ? o->pull_workers : 1, cache, img, err, errlen);
}

static int resolve_at(const img_ref_t *ref, const char *plain_http, const char *credentials, long timeout_s,
		      char *digest, size_t len, char *err, size_t errlen)
{
	registry_opts_t ro = { plain_http, credentials, timeout_s };
	char media[REG_MEDIA_MAX], *json = NULL;
	registry_t *reg;
	size_t n;
	int rc = -1;

	if (!(reg = registry_new(ref, &ro, err, errlen)))
		return -1;
	if (!registry_manifest(reg, ref->tag, &json, &n, media, sizeof(media), err, errlen)) {
		check_digest(json, n, NULL, digest, len);
		rc = 0;
	}
	free(json);
	registry_free(reg);
	return rc;
}

int ct_image_resolve(const img_ref_t *ref, const ct_image_opts_t *o, long timeout_s, char *digest, size_t len,
		     char *err, size_t errlen)
{
	if (ref->source != IMG_REGISTRY || ref->digest[0]) {
		snprintf(digest, len, "%s", ref->digest);
		return 0;
	}
	if (!registry_allowed(ref, o, err, errlen))
		return -1;
	if (o && o->mirror && *o->mirror) {
		img_ref_t m = mirrored(ref, o->mirror);

		if (!resolve_at(&m, o->plain_http, o->mirror_credentials, timeout_s, digest, len, err, errlen))
			return 0;
	}
	return resolve_at(ref, o ? o->plain_http : NULL, o ? o->credentials : NULL, timeout_s, digest, len, err, errlen);
}

/*
 * oci-archive: the tar is opened by the user, unpacked (safely, like a
 * layer) into a directory only root can read, and read as a layout; its
 * blobs still go through the digest checks.
 */
/* The OCI archive streaming on fd (what label names), unpacked to a private directory, then read as a layout. */
static int unpack_archive(int fd, const char *label, const img_ref_t *ref, layout_t *l, layer_cache_t *cache,
			  ct_image_t *img, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	layer_limits_t lim = cache->limits;
	int rc = -1;

	snprintf(tmp, sizeof(tmp), "%s/tmp/archive.%d.%ld", cache->root, (int)getpid(), (long)time(NULL));
	if (mkdir(tmp, 0700) || (l->dirfd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "layer cache %s: %s", tmp, strerror(errno));
		rmdir(tmp);
		return -1;
	}
	lim.keep_owner = 0;
	if (layer_unpack_fd(fd, l->dirfd, &lim, NULL, err, errlen)) {
		char why[ERR_LINE];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "%s is not a readable OCI archive: %s", label, why);
	} else {
		l->layout = label;
		rc = prepare_layout(ref, l, cache, img, err, errlen);
	}
	close(l->dirfd);
	l->dirfd = -1;
	fs_remove_at(AT_FDCWD, tmp);
	return rc;
}

static int prepare_archive(const img_ref_t *ref, layout_t *l, layer_cache_t *cache, ct_image_t *img, char *err,
			   size_t errlen)
{
	int fd, rc;

	if ((fd = user_opener_open(l->uo, NULL, ref->path, O_RDONLY | O_NONBLOCK, err, errlen)) < 0)
		return -1;
	rc = unpack_archive(fd, ref->path, ref, l, cache, img, err, errlen);
	close(fd);
	return rc;
}

/* podman:// and dockerd://: the tool's save, as the user, streamed into the archive path above */
static int prepare_daemon(const img_ref_t *ref, const ct_image_opts_t *o, layout_t *l, layer_cache_t *cache,
			  ct_image_t *img, char *err, size_t errlen)
{
	ct_daemon_run_t run;
	img_ref_t one = *ref;
	char label[IMG_PATH_MAX + 16], tool_err[ERR_LINE];
	int rc;

	if (!o->daemon)
		return errf(err, errlen, "%s images are taken in job steps only", ref->source == IMG_PODMAN ? "podman://" : "dockerd://");
	if (ct_daemon_save_start(ref, o->daemon, &run, err, errlen))
		return -1;
	img_ref_format(ref, label, sizeof(label));
	one.tag[0] = '\0';     /* the save holds the one image asked for */
	rc = unpack_archive(run.out, label, &one, l, cache, img, err, errlen);
	/* the tool's own failure explains a short or empty stream best */
	if (ct_daemon_save_finish(&run, tool_err, sizeof(tool_err)))
		return errf(err, errlen, "%s: %s", label, tool_err);
	if (rc && ref->source == IMG_DOCKERD && strstr(err, "index.json")) {
		snprintf(tool_err, sizeof(tool_err), "%s", err);
		return errf(err, errlen, "%s (docker save writes an OCI index from Docker 25 on; older daemons: "
					 "skopeo copy docker-daemon:NAME oci-archive:/path, then --container-image=oci-archive:/path)",
			    tool_err);
	}
	return rc;
}

int ct_image_prepare(const img_ref_t *ref, const ct_image_opts_t *o, user_opener_t *uo, layer_cache_t *cache,
		     ct_image_t *img, char *err, size_t errlen)
{
	layout_t l = { uo, ref->path, -1 };
	int rc;

	ct_image_reset(img);
	err[0] = '\0';
	switch (ref->source) {
	case IMG_SQUASHFS:
		rc = ct_image_prepare_squashfs(ref, o, uo, img, err, errlen);
		break;
	case IMG_OCI_LAYOUT:
		rc = prepare_layout(ref, &l, cache, img, err, errlen);
		break;
	case IMG_REGISTRY:
		rc = prepare_registry(ref, o, cache, img, err, errlen);
		break;
	case IMG_PODMAN:
	case IMG_DOCKERD:
		rc = prepare_daemon(ref, o, &l, cache, img, err, errlen);
		break;
	default:
		rc = prepare_archive(ref, &l, cache, img, err, errlen);
	}
	if (rc)
		ct_image_release(img);
	return rc;
}

void ct_image_reset(ct_image_t *img)
{
	memset(img, 0, offsetof(ct_image_t, layers));
}

void ct_image_release(ct_image_t *img)
{
	for (size_t i = 0; i < img->nlayers; i++)
		if (img->layers[i].lock_fd >= 0)
			close(img->layers[i].lock_fd);
	img->nlayers = 0;
	if (img->has_squashfs && img->squashfs_fd >= 0)
		close(img->squashfs_fd);
	img->has_squashfs = 0;
	oci_config_free(&img->config);
	free(img->config_json);
	img->config_json = NULL;
}

/*
 * The user's login for the image's registry, from the files podman, skopeo
 * and docker write, read with the user's rights (uo: through the helper in
 * slurmstepd; NULL: directly, in srun/sbatch, which run as the user).
 */
int ct_image_load_login(user_opener_t *uo, const char *home, const char *registry, char *out, size_t len)
{
	static const char *const files[] = { ".config/containers/auth.json", ".docker/config.json" };
	char err[ERR_LINE], path[PATH_MAX], *buf = malloc(1 << 20);
	int found = 0;

	out[0] = '\0';
	for (size_t i = 0; buf && home && home[0] == '/' && !found && i < 2; i++) {
		ssize_t n, total = 0;
		int fd;

		snprintf(path, sizeof(path), "%s/%s", home, files[i]);
		fd = uo ? user_opener_open(uo, home, files[i], O_RDONLY | O_NONBLOCK, err, sizeof(err))
			: open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		while (total < (1 << 20) && (n = read(fd, buf + total, (size_t)((1 << 20) - total))) > 0)
			total += n;
		close(fd);
		found = cred_lookup(buf, (size_t)total, registry, out, len) == 1;
		explicit_bzero(buf, (size_t)total);
	}
	free(buf);
	return found;
}
