/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Input handling for `ccimage measure` (measure_cmd.c): numbers and hex as
 * sev-snp-measure's Python argparse reads them, and the files it hashes.
 */
#pragma once

#include "init/base/hex.h" /* hex_encode */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Python int(s, base) for base 10 or 0 (0x/0o/0b prefixes): surrounding whitespace, a sign and
 * single underscores between digits are accepted; leading zeros only in base 10. The value must
 * fit in 127 bits. Returns 0 or -EINVAL.
 */
int py_int(const char *s, int base, __int128 *out);

/* Python bytes.fromhex(): pairs of hex digits, ASCII whitespace allowed between pairs. Returns
 * the number of bytes, or -EINVAL. */
int py_fromhex(const char *s, uint8_t *out, size_t cap);

/*
 * Reads a whole input file under the input rule (init/base/cmdfiles.h: a
 * regular file of at most max bytes, or "-") into a new buffer; why says
 * what is wrong with it.
 */
int read_file_all(const char *path, size_t max, uint8_t **data, size_t *size, char *why,
                  size_t why_size);

/* SHA-256 of a file, streamed: a regular file of at most max bytes. */
struct file_hash {
	const char *path;
	uint64_t max;
	uint8_t sha256[32];
	uint64_t size;
	int err; /* 0 or negative errno, with why */
	char why[160];
};
void file_hash_run(struct file_hash *h);
/* Hashes every file on its own thread (the large initrd must not wait for the kernel) while
 * fn(arg) runs on the calling thread. Errors are left in each h[i].err. */
int file_hash_parallel(struct file_hash *h, size_t n, void (*fn)(void *), void *arg);

bool utf8_valid(const char *s);
