/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Our own dm-verity hash-tree builder (measurement/README.md, 1.1-1.3). Its hash device
 * bytes and root hash are byte-identical to `veritysetup format` on the same
 * inputs; it hashes in parallel (one thread per CPU over each level) so an
 * image build does not wait on a single core. Nothing here is random: the salt
 * and the superblock UUID are always given or derived by the caller.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VERITY_MAX_LEVELS      63
#define VERITY_MAX_DIGEST_SIZE 64
#define VERITY_MAX_SALT_SIZE   256
#define VERITY_SB_SIZE         512
#define VERITY_MIN_BLOCK_SIZE  512
#define VERITY_MAX_BLOCK_SIZE                                                                      \
	(512 * 1024) /* veritysetup's limit; the kernel needs <= page size                         \
	              */

/* Format 0 is Chrome OS's (digest = H(block || salt), digests packed), 1 the normal one. */
enum { VERITY_FORMAT_CHROMEOS = 0, VERITY_FORMAT_NORMAL = 1 };

/*
 * Where each level of the tree lives. Levels are numbered from the leaves
 * (level 0 holds the digests of the data blocks); on disk the top level comes
 * first and level 0 last, after hash_start_block.
 */
struct verity_geometry {
	uint64_t data_blocks;
	uint32_t data_block_size;
	uint32_t hash_block_size;
	uint32_t digest_size;   /* bytes of one digest */
	uint32_t digest_stride; /* bytes per digest slot: next power of two (format 1) or packed */
	uint32_t hash_per_block_bits; /* log2(digests per hash block) */
	uint32_t levels;              /* 0 when there is a single data block */
	uint64_t hash_start_block; /* first tree block, counted in hash blocks from device start */
	uint64_t level_block[VERITY_MAX_LEVELS]; /* absolute hash-block index of each level */
	uint64_t level_size[VERITY_MAX_LEVELS];  /* blocks in each level */
	uint64_t hash_blocks;                    /* blocks in the whole tree */
	uint64_t hash_end;                       /* bytes: end of the tree on the hash device */
};

/*
 * Computes the layout. hash_offset is in bytes and must be a multiple of 512;
 * with a superblock the tree starts on the first hash block after it.
 * Returns 0 or -EINVAL (bad block size, zero blocks, tree past 2^64).
 */
int verity_geometry_compute(struct verity_geometry *g, uint64_t data_blocks,
                            uint32_t data_block_size, uint32_t hash_block_size,
                            uint32_t digest_size, int format, bool superblock,
                            uint64_t hash_offset);

/* The superblock (struct verity_sb, 512 bytes, little-endian; measurement/README.md, 1.2). */
struct verity_sb_info {
	uint32_t version;
	uint32_t format; /* hash_type */
	uint8_t uuid[16];
	char algorithm[32]; /* NUL-terminated */
	uint32_t data_block_size;
	uint32_t hash_block_size;
	uint64_t data_blocks;
	uint8_t salt[VERITY_MAX_SALT_SIZE];
	uint16_t salt_size;
};

/* Serialises info into out[VERITY_SB_SIZE]. Returns 0 or -EINVAL (name too long). */
int verity_sb_build(const struct verity_sb_info *info, uint8_t out[VERITY_SB_SIZE]);
/*
 * Parses a superblock read from a hash device: signature, version 1, format
 * 0/1, block sizes powers of two in range, salt size <= 256, a NUL inside the
 * algorithm field. Returns 0, -ENODATA (no signature) or -EINVAL.
 */
int verity_sb_parse(struct verity_sb_info *info, const uint8_t *buf, size_t len);

struct verity_opts {
	const char *hash_name; /* OpenSSL digest name, lowercase; NULL: sha256 */
	int format;            /* VERITY_FORMAT_NORMAL unless Chrome OS format is wanted */
	uint32_t data_block_size;
	uint32_t hash_block_size;
	uint64_t data_blocks; /* 0: as many whole blocks as the data device holds */
	const uint8_t *salt;  /* salt_size bytes; an empty salt is allowed ("-") */
	size_t salt_size;
	bool superblock;
	bool uuid_set; /* with a superblock: uuid given; otherwise derived from the root hash */
	uint8_t uuid[16];
	uint64_t hash_offset; /* bytes into the hash device */
	unsigned threads;     /* 0: one per CPU we may run on */
	bool no_mmap;         /* read regular files with pread too (tests the block-device path) */
};

/* Fills the defaults veritysetup uses: sha256, format 1, 4096/4096, superblock. */
void verity_opts_init(struct verity_opts *o);
/*
 * Threads to use: n, or the number of CPUs this process may run on when n is
 * 0 (an image build gives mkfs.erofs the same count).
 */
unsigned verity_threads(unsigned n);

struct verity_result {
	struct verity_geometry geo;
	uint8_t root_hash[VERITY_MAX_DIGEST_SIZE];
	size_t root_hash_size;
	uint8_t uuid[16]; /* what went into the superblock, if one was written */
};

/*
 * Builds the tree of data_fd into hash_fd (which may be the same file, with
 * the tree behind the data) and writes the superblock if asked. Writes only
 * the superblock's 512 bytes and the tree blocks, and extends the hash file to
 * the end of the tree, as veritysetup does. Returns 0 or a negative errno.
 */
int verity_format_fd(const struct verity_opts *o, int data_fd, int hash_fd,
                     struct verity_result *r);
/* The same on paths; the hash file is created (0644) if missing. */
int verity_format(const struct verity_opts *o, const char *data_path, const char *hash_path,
                  struct verity_result *r);

enum verity_fault {
	VERITY_OK = 0,
	VERITY_BAD_ROOT, /* the top block (or the single data block) does not hash to the root */
	VERITY_BAD_HASH_BLOCK, /* a hash block does not match its parent's digest, or its padding */
	VERITY_BAD_DATA_BLOCK, /* a data block does not match its leaf digest */
};

struct verity_verify_report {
	enum verity_fault fault;
	uint32_t level;    /* for BAD_HASH_BLOCK: the level of the bad block */
	uint64_t block;    /* index of the first bad block: data block, or block within its level */
	uint64_t position; /* byte offset of that block on its device */
};

/*
 * Checks the data and the stored tree against root_hash, top down as the
 * kernel does: the top block against the root, each hash block against its
 * parent, then every data block against its leaf. With o->superblock the
 * superblock is read, must agree with the options, and its parameters are
 * used. Returns 0 when the check ran (report->fault says whether it passed),
 * or a negative errno when it could not run.
 */
int verity_verify_fd(const struct verity_opts *o, int data_fd, int hash_fd,
                     const uint8_t *root_hash, size_t root_hash_size,
                     struct verity_verify_report *report);
int verity_verify(const struct verity_opts *o, const char *data_path, const char *hash_path,
                  const uint8_t *root_hash, size_t root_hash_size,
                  struct verity_verify_report *report);

/* Digest size of a hash name, or -EINVAL if OpenSSL does not know it. */
int verity_digest_size(const char *hash_name);
