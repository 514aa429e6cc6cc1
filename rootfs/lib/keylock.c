/* SPDX-License-Identifier: Apache-2.0 */
#include "rootfs/lib/keylock.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "init/base/hex.h"
#include "rootfs/lib/fsutil.h"

int keylock_key(const char *text, size_t len, char hex[65])
{
	unsigned char md[32];
	unsigned mdlen = 0;

	if (!EVP_Digest(text, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		return -EIO;
	hex_encode(md, sizeof(md), hex);
	return 0;
}

/* The locked descriptor, to close when done, or a negative errno with why set. */
static int keylock_take(const char *dir, const char *key, char *why, size_t why_size)
{
	char lock[PATH_MAX];
	int r;

	if (snprintf(lock, sizeof(lock), "%s/.lock-%.32s", dir, key) >= (int)sizeof(lock))
		return -ENAMETOOLONG;
	/* A first run may name a cache directory that does not exist yet. */
	if ((r = mkdir_parents(lock, 0755)) < 0) {
		snprintf(why, why_size, "creating %s: %s", dir, strerror(-r));
		return r;
	}
	return lock_path(lock, 0644, why, why_size);
}

int keylock_get(const char *dir, const char *key, const char *product, const char *what,
                bool cached_only, keylock_build_fn *build, void *ctx, bool *cached, char *why,
                size_t why_size)
{
	int r = 0, fd = keylock_take(dir, key, why, why_size);

	if (fd < 0)
		return fd;
	*cached = access(product, F_OK) == 0;
	if (!*cached && cached_only) {
		snprintf(why, why_size, "%s not in the cache (%s)", what, product);
		r = -ENOENT;
	} else if (!*cached) {
		r = build(ctx, why, why_size);
	}
	close(fd);
	return r;
}
