/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dm-verity layout arithmetic and the superblock, kept free of I/O so unit
 * tests and the fuzzer drive them directly. The rules are cryptsetup's
 * (measurement/README.md, 1.1, 1.2): digests per hash block are rounded down to a power
 * of two, the top level is stored first, and a superblock pushes the tree to
 * the next hash block.
 */
#include "init/base/bytes.h"
#include "measurement/verity.h"
#include "init/base/verity_params.h"

#include <errno.h>
#include <string.h>

static bool is_pow2_in(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v >= lo && v <= hi && (v & (v - 1)) == 0;
}

static unsigned bits_down(uint64_t v)
{
	unsigned b = 0;

	while (v >>= 1)
		b++;
	return b;
}

static uint32_t pow2_up(uint32_t v)
{
	uint32_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

int verity_geometry_compute(struct verity_geometry *g, uint64_t data_blocks,
                            uint32_t data_block_size, uint32_t hash_block_size,
                            uint32_t digest_size, int format, bool superblock, uint64_t hash_offset)
{
	uint64_t pos;
	unsigned bits;

	memset(g, 0, sizeof(*g));
	if (!is_pow2_in(data_block_size, VERITY_MIN_BLOCK_SIZE, VERITY_MAX_BLOCK_SIZE) ||
	    !is_pow2_in(hash_block_size, VERITY_MIN_BLOCK_SIZE, VERITY_MAX_BLOCK_SIZE))
		return -EINVAL;
	if (format != VERITY_FORMAT_CHROMEOS && format != VERITY_FORMAT_NORMAL)
		return -EINVAL;
	if (digest_size == 0 || digest_size > VERITY_MAX_DIGEST_SIZE || data_blocks == 0)
		return -EINVAL;
	if (hash_offset % 512)
		return -EINVAL;

	g->data_blocks = data_blocks;
	g->data_block_size = data_block_size;
	g->hash_block_size = hash_block_size;
	g->digest_size = digest_size;
	g->digest_stride = format == VERITY_FORMAT_NORMAL ? pow2_up(digest_size) : digest_size;
	if (g->digest_stride > hash_block_size)
		return -EINVAL;
	bits = bits_down(hash_block_size / digest_size);
	g->hash_per_block_bits = bits;

	if (superblock) {
		if (hash_offset > UINT64_MAX - VERITY_SB_SIZE - hash_block_size)
			return -EINVAL;
		g->hash_start_block =
		        (hash_offset + VERITY_SB_SIZE + hash_block_size - 1) / hash_block_size;
	} else {
		g->hash_start_block = hash_offset / hash_block_size;
	}

	while (bits * g->levels < 64 && ((data_blocks - 1) >> (bits * g->levels)))
		g->levels++;
	if (g->levels > VERITY_MAX_LEVELS)
		return -EINVAL;

	pos = g->hash_start_block;
	for (int i = (int)g->levels - 1; i >= 0; i--) {
		unsigned shift = (unsigned)(i + 1) * bits;
		uint64_t s;

		if (shift > 63)
			return -EINVAL;
		s = (data_blocks >> shift) + ((data_blocks & ((1ULL << shift) - 1)) ? 1 : 0);
		g->level_block[i] = pos;
		g->level_size[i] = s;
		if (pos + s < pos)
			return -EINVAL;
		pos += s;
	}
	g->hash_blocks = pos - g->hash_start_block;
	if (pos > UINT64_MAX / hash_block_size)
		return -EINVAL;
	g->hash_end = pos * hash_block_size;
	/* A superblock alone still claims its hash block (veritysetup extends the file to it). */
	return 0;
}

static const uint8_t sb_signature[8] = {'v', 'e', 'r', 'i', 't', 'y', 0, 0};

enum {
	SB_OFF_VERSION = 8,
	SB_OFF_HASH_TYPE = 12,
	SB_OFF_UUID = 16,
	SB_OFF_ALGORITHM = 32,
	SB_OFF_DATA_BS = 64,
	SB_OFF_HASH_BS = 68,
	SB_OFF_DATA_BLOCKS = 72,
	SB_OFF_SALT_SIZE = 80,
	SB_OFF_SALT = 88,
	SB_ALGORITHM_SIZE = 32,
};

int verity_sb_build(const struct verity_sb_info *info, uint8_t out[VERITY_SB_SIZE])
{
	size_t alen = strnlen(info->algorithm, sizeof(info->algorithm));

	if (alen == 0 || alen >= SB_ALGORITHM_SIZE || info->salt_size > VERITY_MAX_SALT_SIZE)
		return -EINVAL;
	memset(out, 0, VERITY_SB_SIZE);
	memcpy(out, sb_signature, sizeof(sb_signature));
	put_le32(out + SB_OFF_VERSION, 1);
	put_le32(out + SB_OFF_HASH_TYPE, info->format);
	memcpy(out + SB_OFF_UUID, info->uuid, 16);
	memcpy(out + SB_OFF_ALGORITHM, info->algorithm, alen);
	put_le32(out + SB_OFF_DATA_BS, info->data_block_size);
	put_le32(out + SB_OFF_HASH_BS, info->hash_block_size);
	put_le64(out + SB_OFF_DATA_BLOCKS, info->data_blocks);
	put_le16(out + SB_OFF_SALT_SIZE, info->salt_size);
	memcpy(out + SB_OFF_SALT, info->salt, info->salt_size);
	return 0;
}

int verity_sb_parse(struct verity_sb_info *info, const uint8_t *buf, size_t len)
{
	memset(info, 0, sizeof(*info));
	if (len < VERITY_SB_SIZE)
		return -EINVAL;
	if (memcmp(buf, sb_signature, sizeof(sb_signature)) != 0)
		return -ENODATA;
	info->version = le32(buf + SB_OFF_VERSION);
	info->format = le32(buf + SB_OFF_HASH_TYPE);
	if (info->version != 1 || info->format > VERITY_FORMAT_NORMAL)
		return -EINVAL;
	memcpy(info->uuid, buf + SB_OFF_UUID, 16);
	if (!memchr(buf + SB_OFF_ALGORITHM, 0, SB_ALGORITHM_SIZE) || buf[SB_OFF_ALGORITHM] == 0)
		return -EINVAL;
	/* Only up to the NUL: what follows it is padding, not part of the name. */
	memcpy(info->algorithm, buf + SB_OFF_ALGORITHM,
	       strlen((const char *)buf + SB_OFF_ALGORITHM));
	info->data_block_size = le32(buf + SB_OFF_DATA_BS);
	info->hash_block_size = le32(buf + SB_OFF_HASH_BS);
	if (!is_pow2_in(info->data_block_size, VERITY_MIN_BLOCK_SIZE, VERITY_MAX_BLOCK_SIZE) ||
	    !is_pow2_in(info->hash_block_size, VERITY_MIN_BLOCK_SIZE, VERITY_MAX_BLOCK_SIZE))
		return -EINVAL;
	info->data_blocks = le64(buf + SB_OFF_DATA_BLOCKS);
	if (info->data_blocks == 0)
		return -EINVAL;
	info->salt_size = le16(buf + SB_OFF_SALT_SIZE);
	if (info->salt_size > VERITY_MAX_SALT_SIZE)
		return -EINVAL;
	memcpy(info->salt, buf + SB_OFF_SALT, info->salt_size);
	return 0;
}
