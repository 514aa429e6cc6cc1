/* SPDX-License-Identifier: Apache-2.0 */
/* Small helpers the TDX and event-log code share: hashing, hex, whole-file reads. */
#include "measurement/measure_input.h"
#include "measurement/tdx.h"
#include "init/base/hex.h" /* hex_encode, hex_decode */

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int tdx_sha384(const void *data, size_t len, uint8_t out[SHA384_LEN])
{
	unsigned int n = 0;

	return EVP_Digest(data, len, out, &n, EVP_sha384(), NULL) == 1 ? 0 : -EIO;
}

int tdx_extend(uint8_t mr[SHA384_LEN], const uint8_t digest[SHA384_LEN])
{
	uint8_t buf[2 * SHA384_LEN];

	for (size_t i = 0; i < SHA384_LEN; i++) {
		buf[i] = mr[i];
		buf[SHA384_LEN + i] = digest[i];
	}
	return tdx_sha384(buf, sizeof(buf), mr);
}

char *tdx_hex(const uint8_t *bytes, size_t len, char *out)
{
	hex_encode(bytes, len, out);
	return out;
}

int tdx_unhex(const char *s, uint8_t *out, size_t len)
{
	/* Exactly len bytes: a digest of the wrong size is an error, not a prefix. */
	if (strlen(s) != 2 * len)
		return -EINVAL;
	return hex_decode(s, 2 * len, out, len) == (int)len ? 0 : -EINVAL;
}

int tdx_read_file(const char *path, uint8_t **data, size_t *len, char *why, size_t why_size)
{
	return read_file_all(path, TDX_FILE_MAX, data, len, why, why_size);
}
