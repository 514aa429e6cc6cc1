/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The parallel hashing engine under verity.c: one tree level at a time, the
 * level's output blocks split into chunks that worker threads take in turn.
 * Internal to measurement/verity*.c.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "measurement/verity.h"

struct verity_hasher {
	const void *md; /* EVP_MD *, fetched once; kept opaque so callers need no OpenSSL headers */
	int format;
	const uint8_t *salt;
	size_t salt_size;
	uint32_t digest_size;
	uint32_t stride;         /* bytes per digest slot in a hash block */
	uint32_t per_block_bits; /* log2(digest slots per hash block) */
	bool x16;                /* sha256 with the 16-lane AVX-512 code */
};

/* Fetches the digest; returns 0 or -EINVAL (unknown name). Free with verity_hasher_done(). */
int verity_hasher_init(struct verity_hasher *h, const char *hash_name, int format,
                       const uint8_t *salt, size_t salt_size);
void verity_hasher_done(struct verity_hasher *h);
/* One digest of one block (salted per the format); out holds digest_size bytes. */
int verity_hasher_digest(const struct verity_hasher *h, const uint8_t *block, size_t len,
                         uint8_t *out);

/*
 * One level: digests of in_blocks input blocks (read from in_fd at in_offset,
 * or taken from in_mem) packed into hash blocks. Either stored into out
 * (zeroed by the caller: padding stays zero) or compared with expect, in which
 * case first_bad ends as the lowest input block whose digest differs
 * (UINT64_MAX when none does).
 */
struct verity_level_job {
	const struct verity_hasher *h;
	int in_fd;
	uint64_t in_offset;
	const uint8_t *in_mem;
	/*
	 * in_mem maps a file: each chunk's pages leave this process once hashed
	 * (the page cache keeps them), so resident memory stays near a chunk per
	 * thread instead of growing to the file's size.
	 */
	bool in_mem_mapped;
	uint32_t in_block_size;
	uint64_t in_blocks;
	uint32_t out_block_size;
	uint8_t *out;
	const uint8_t *expect;
	unsigned threads;
	/* results */
	uint64_t first_bad;
};

/* Runs the job; returns 0 or the first worker's negative errno (I/O, short data). */
int verity_level_run(struct verity_level_job *job);
