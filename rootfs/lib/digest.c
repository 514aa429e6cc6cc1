/* SPDX-License-Identifier: Apache-2.0 */
#include "rootfs/lib/digest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "init/base/hex.h"

#define CHUNK (1 << 20)

/* Feeds the file to both contexts (b may be NULL). */
static int hash_fd(int fd, EVP_MD_CTX *a, EVP_MD_CTX *b, uint64_t *total)
{
	uint8_t *buf = malloc(CHUNK);
	ssize_t n;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	*total = 0;
	while ((n = read(fd, buf, CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (!EVP_DigestUpdate(a, buf, (size_t)n) ||
		    (b && !EVP_DigestUpdate(b, buf, (size_t)n))) {
			r = -EIO;
			break;
		}
		*total += (uint64_t)n;
	}
	free(buf);
	return r;
}

int digest_file(const char *path, bool nofollow, uint8_t sha256[32], uint8_t sha1[20],
                uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
	EVP_MD_CTX *a = EVP_MD_CTX_new(), *b = sha1 ? EVP_MD_CTX_new() : NULL;
	uint64_t total = 0;
	int r;

	if (fd < 0 || !a || (sha1 && !b)) {
		r = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	if (!EVP_DigestInit_ex(a, EVP_sha256(), NULL) ||
	    (b && !EVP_DigestInit_ex(b, EVP_sha1(), NULL))) {
		r = -EIO;
		goto out;
	}
	r = hash_fd(fd, a, b, &total);
	if (r == 0 &&
	    (!EVP_DigestFinal_ex(a, sha256, NULL) || (b && !EVP_DigestFinal_ex(b, sha1, NULL))))
		r = -EIO;
	if (r == 0 && size)
		*size = total;
out:
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(a);
	EVP_MD_CTX_free(b);
	return r;
}

int digest_file_hex(const char *path, char hex[65])
{
	uint8_t md[32];
	int r = digest_file(path, false, md, NULL, NULL);

	if (r == 0)
		hex_encode(md, sizeof(md), hex);
	return r;
}
