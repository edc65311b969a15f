/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mint_jwt.h"

#include <errno.h>
#include <fcntl.h>
#include <jwt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int mint_key_load(const char *path, unsigned char *key, size_t *keylen, char *why, size_t len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	ssize_t n;

	if (fd < 0) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(why, len, "%s is not a regular file", path);
		close(fd);
		return -1;
	}
	/* whoever can read it can mint a root token */
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(why, len, "%s is mode %03o: the signing key must be readable by its owner only (chmod 600)",
			 path, (unsigned)(st.st_mode & 0777));
		close(fd);
		return -1;
	}
	n = read(fd, key, MINT_KEY_MAX);
	close(fd);
	if (n < 16 || (size_t)st.st_size > MINT_KEY_MAX) {
		snprintf(why, len, "%s holds %lld bytes: a key is 16 to %d bytes (32 random bytes, as Slurm's docs say)",
			 path, (long long)st.st_size, MINT_KEY_MAX);
		return -1;
	}
	*keylen = (size_t)n;
	return 0;
}

int mint_token(const unsigned char *key, size_t keylen, const char *user, int64_t now, int lifespan, char *out,
	       size_t outlen)
{
	jwt_t *jwt = NULL;
	char *s = NULL;
	int rc = -1;

	if (jwt_new(&jwt))
		return -1;
	if (jwt_add_grant_int(jwt, "iat", (long)now) || jwt_add_grant_int(jwt, "exp", (long)(now + lifespan)) ||
	    jwt_add_grant(jwt, "sun", user) || jwt_set_alg(jwt, JWT_ALG_HS256, key, (int)keylen))
		goto out;
	if (!(s = jwt_encode_str(jwt)) || strlen(s) >= outlen)
		goto out;
	memcpy(out, s, strlen(s) + 1);
	rc = 0;
out:
	free(s);
	jwt_free(jwt);
	return rc;
}
