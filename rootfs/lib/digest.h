/* SPDX-License-Identifier: Apache-2.0 */
/* File digests with OpenSSL: the one read-and-hash loop of ccimage. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * SHA-256 of a whole file, and its SHA-1 too when sha1 is not NULL, in one
 * pass; *size (when given) gets its length. nofollow refuses a symlink
 * (-ELOOP): the SBOM hashes what the image holds, never a link's target.
 */
int digest_file(const char *path, bool nofollow, uint8_t sha256[32], uint8_t sha1[20],
                uint64_t *size);

/* SHA-256 of a whole file as lowercase hex. */
int digest_file_hex(const char *path, char hex[65]);
