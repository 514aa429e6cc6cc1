/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kata's one-line dm-verity parameters (measurement/README.md, 1.5):
 *   root_hash=<hex>,salt=<hex>,data_blocks=<n>,data_block_size=<n>,hash_block_size=<n>
 * shared by ccimage (which writes it) and ccinit (which reads it from the
 * command line), so both ends agree on one strict grammar.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "init/base/hex.h" /* its users print digests */

#define VERITY_MAX_DIGEST 64
#define VERITY_MAX_SALT   256

struct verity_params {
	uint8_t root_hash[VERITY_MAX_DIGEST];
	size_t root_hash_size;
	uint8_t salt[VERITY_MAX_SALT];
	size_t salt_size;
	uint64_t data_blocks;
	uint32_t data_block_size;
	uint32_t hash_block_size;
	char hash_name[16]; /* sha256 unless the line says hash=...; root_hash size must match */
};

/*
 * Parses the line. Every field is required; sizes are powers of two from 512
 * to 4096 (the kernel needs data blocks <= page size), data_blocks non-zero,
 * hex even-length and lowercase or uppercase. Unknown fields are refused.
 * On error returns -EINVAL and names the offending field in why.
 */
int verity_params_parse(struct verity_params *p, const char *line, char *why, size_t why_size);

/* Formats p back into the one-line form. Returns the length or -ENOSPC. */
int verity_params_format(const struct verity_params *p, char *buf, size_t size);
