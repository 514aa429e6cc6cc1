/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dm-verity format and verify on files or block devices. The whole tree is
 * built in memory (about 1/127 of the data for sha256 on 4 KiB blocks) and
 * written with one pwrite, so the hash device sees the same bytes as from
 * `veritysetup format`: the 512-byte superblock if asked, then the tree, and
 * nothing else (gaps and bytes past the tree are left as they were).
 */
#include "init/base/fileio.h"
#include "measurement/verity.h"
#include "measurement/verity_engine.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <unistd.h>

void verity_opts_init(struct verity_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->hash_name = "sha256";
	o->format = VERITY_FORMAT_NORMAL;
	o->data_block_size = 4096;
	o->hash_block_size = 4096;
	o->superblock = true;
}

int verity_digest_size(const char *hash_name)
{
	struct verity_hasher h;
	int r = verity_hasher_init(&h, hash_name, VERITY_FORMAT_NORMAL, NULL, 0);

	if (r < 0)
		return r;
	r = (int)h.digest_size;
	verity_hasher_done(&h);
	return r;
}

static int device_size(int fd, uint64_t *size)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISBLK(st.st_mode))
		return ioctl(fd, BLKGETSIZE64, size) < 0 ? -errno : 0;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	*size = (uint64_t)st.st_size;
	return 0;
}

/* Reads what is there; bytes past the end of the device read as zeros. */
static int read_zero_padded(int fd, uint8_t *buf, size_t len, uint64_t off)
{
	ssize_t n = pread_full(fd, buf, len, (off_t)off);

	if (n < 0)
		return (int)n;
	memset(buf + n, 0, len - (size_t)n);
	return 0;
}

struct tree {
	struct verity_geometry geo;
	struct verity_hasher h;
	uint8_t *blocks;   /* the tree, hash_blocks * hash_block_size bytes */
	uint8_t *data_map; /* the data, when it is a regular file we could map */
	size_t data_map_len;
};

/*
 * Mapping a regular file saves the copy pread() makes (about a sixth of the
 * CPU time on a cached image); the engine lets each chunk's pages go once
 * hashed, so a gigabyte image does not stay resident. Block devices and
 * anything else are read.
 */
static void tree_map_data(struct tree *t, int data_fd)
{
	struct stat st;
	uint64_t len = t->geo.data_blocks * t->geo.data_block_size;
	void *p;

	if (fstat(data_fd, &st) < 0 || !S_ISREG(st.st_mode) || len > SIZE_MAX ||
	    (uint64_t)st.st_size < len)
		return;
	p = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, data_fd, 0);
	if (p == MAP_FAILED)
		return;
	(void)madvise(p, (size_t)len, MADV_SEQUENTIAL);
	t->data_map = p;
	t->data_map_len = (size_t)len;
}

static uint8_t *level_ptr(const struct tree *t, uint8_t *base, uint32_t level)
{
	return base + (t->geo.level_block[level] - t->geo.hash_start_block) *
	                      (uint64_t)t->geo.hash_block_size;
}

static int tree_setup(struct tree *t, const struct verity_opts *o, int data_fd,
                      uint64_t data_blocks, const uint8_t *salt, size_t salt_size, int format,
                      const char *hash_name, uint32_t dbs, uint32_t hbs)
{
	uint64_t size, bytes;
	int r;

	memset(t, 0, sizeof(*t));
	if (salt_size > VERITY_MAX_SALT_SIZE || (salt_size && !salt))
		return -EINVAL;
	r = device_size(data_fd, &size);
	if (r < 0)
		return r;
	if (dbs < VERITY_MIN_BLOCK_SIZE)
		return -EINVAL;
	if (data_blocks == 0)
		data_blocks = size / dbs;
	if (data_blocks == 0 || data_blocks > size / dbs)
		return -ENOSPC; /* data device smaller than the blocks asked for */
	r = verity_hasher_init(&t->h, hash_name, format, salt, salt_size);
	if (r < 0)
		return r;
	r = verity_geometry_compute(&t->geo, data_blocks, dbs, hbs, t->h.digest_size, format,
	                            o->superblock, o->hash_offset);
	if (r < 0)
		goto fail;
	t->h.stride = t->geo.digest_stride;
	t->h.per_block_bits = t->geo.hash_per_block_bits;
	bytes = t->geo.hash_blocks * hbs;
	if (bytes / hbs != t->geo.hash_blocks || bytes > SIZE_MAX) {
		r = -EFBIG;
		goto fail;
	}
	t->blocks = calloc(1, bytes ? (size_t)bytes : 1);
	if (!t->blocks) {
		r = -ENOMEM;
		goto fail;
	}
	return 0;
fail:
	verity_hasher_done(&t->h);
	return r;
}

static void tree_free(struct tree *t)
{
	if (t->data_map)
		munmap(t->data_map, t->data_map_len);
	free(t->blocks);
	verity_hasher_done(&t->h);
}

/* Builds every level bottom up into t->blocks and the root digest. */
static int tree_build(struct tree *t, int data_fd, unsigned threads, uint8_t *root)
{
	const struct verity_geometry *g = &t->geo;
	int r;

	if (g->levels == 0) {
		uint8_t *blk = malloc(g->data_block_size);

		if (!blk)
			return -ENOMEM;
		r = read_zero_padded(data_fd, blk, g->data_block_size, 0);
		if (r == 0)
			r = verity_hasher_digest(&t->h, blk, g->data_block_size, root);
		free(blk);
		return r;
	}
	for (uint32_t i = 0; i < g->levels; i++) {
		struct verity_level_job job = {
		        .h = &t->h,
		        .in_fd = data_fd,
		        .in_blocks = i ? g->level_size[i - 1] : g->data_blocks,
		        .in_block_size = i ? g->hash_block_size : g->data_block_size,
		        .in_mem = i ? level_ptr(t, t->blocks, i - 1) : t->data_map,
		        .in_mem_mapped = i == 0 && t->data_map,
		        .out_block_size = g->hash_block_size,
		        .out = level_ptr(t, t->blocks, i),
		        .threads = threads,
		};

		r = verity_level_run(&job);
		if (r < 0)
			return r;
	}
	return verity_hasher_digest(&t->h, level_ptr(t, t->blocks, g->levels - 1),
	                            g->hash_block_size, root);
}

static int same_file_overlap(int data_fd, int hash_fd, const struct verity_geometry *g,
                             uint64_t hash_offset)
{
	struct stat a, b;

	if (fstat(data_fd, &a) < 0 || fstat(hash_fd, &b) < 0)
		return -errno;
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino || a.st_rdev != b.st_rdev)
		return 0;
	return hash_offset < g->data_blocks * g->data_block_size ? -EINVAL : 0;
}

/* Superblock UUID when none is given: the first 128 bits of the root hash, as a v4 UUID. */
static void derive_uuid(const uint8_t *root, uint8_t uuid[16])
{
	memcpy(uuid, root, 16);
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40);
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
}

int verity_format_fd(const struct verity_opts *o, int data_fd, int hash_fd,
                     struct verity_result *res)
{
	struct tree t;
	uint64_t hsize;
	int r;

	memset(res, 0, sizeof(*res));
	r = tree_setup(&t, o, data_fd, o->data_blocks, o->salt, o->salt_size, o->format,
	               o->hash_name ? o->hash_name : "sha256", o->data_block_size,
	               o->hash_block_size);
	if (r < 0)
		return r;
	r = same_file_overlap(data_fd, hash_fd, &t.geo, o->hash_offset);
	if (r < 0)
		goto out;
	if (!o->no_mmap)
		tree_map_data(&t, data_fd);
	if (!t.data_map)
		(void)posix_fadvise(data_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	r = tree_build(&t, data_fd, o->threads, res->root_hash);
	if (r < 0)
		goto out;
	res->root_hash_size = t.h.digest_size;
	res->geo = t.geo;

	if (o->superblock) {
		struct verity_sb_info sb = {
		        .format = (uint32_t)o->format,
		        .data_block_size = o->data_block_size,
		        .hash_block_size = o->hash_block_size,
		        .data_blocks = t.geo.data_blocks,
		        .salt_size = (uint16_t)o->salt_size,
		};
		uint8_t raw[VERITY_SB_SIZE];

		if (o->uuid_set)
			memcpy(res->uuid, o->uuid, 16);
		else
			derive_uuid(res->root_hash, res->uuid);
		memcpy(sb.uuid, res->uuid, 16);
		strncpy(sb.algorithm, o->hash_name ? o->hash_name : "sha256",
		        sizeof(sb.algorithm) - 1);
		if (o->salt_size)
			memcpy(sb.salt, o->salt, o->salt_size);
		r = verity_sb_build(&sb, raw);
		if (r == 0)
			r = pwrite_full(hash_fd, raw, sizeof(raw), (off_t)o->hash_offset);
		if (r < 0)
			goto out;
	}
	r = pwrite_full(hash_fd, t.blocks, t.geo.hash_blocks * t.geo.hash_block_size,
	                t.geo.hash_start_block * (uint64_t)t.geo.hash_block_size);
	if (r < 0)
		goto out;
	/* veritysetup leaves the hash file at least as long as the tree's end. */
	r = device_size(hash_fd, &hsize);
	if (r == 0 && hsize < t.geo.hash_end && ftruncate(hash_fd, (off_t)t.geo.hash_end) < 0)
		r = -errno;
	if (r == 0 && fdatasync(hash_fd) < 0)
		r = -errno;
out:
	tree_free(&t);
	return r;
}

int verity_format(const struct verity_opts *o, const char *data_path, const char *hash_path,
                  struct verity_result *r)
{
	int dfd, hfd, ret;

	dfd = open(data_path, O_RDONLY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	hfd = open(hash_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (hfd < 0) {
		ret = -errno;
		close(dfd);
		return ret;
	}
	ret = verity_format_fd(o, dfd, hfd, r);
	close(hfd);
	close(dfd);
	return ret;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Unused slots and the padding after each digest must be zero, as veritysetup checks. */
static bool hash_block_padding_ok(const struct tree *t, const uint8_t *blk, uint64_t used)
{
	const struct verity_geometry *g = &t->geo;

	for (uint64_t s = 0; s < used; s++)
		if (!all_zero(blk + s * g->digest_stride + g->digest_size,
		              g->digest_stride - g->digest_size))
			return false;
	return all_zero(blk + used * g->digest_stride,
	                g->hash_block_size - used * g->digest_stride);
}

/* Checks level `level` of the stored tree (digests it holds and its padding) top down. */
static int check_level(struct tree *t, uint32_t level, unsigned threads,
                       struct verity_verify_report *rep, int data_fd)
{
	const struct verity_geometry *g = &t->geo;
	uint64_t per_block = 1ULL << g->hash_per_block_bits;
	uint64_t children = level ? g->level_size[level - 1] : g->data_blocks;
	const uint8_t *base = level_ptr(t, t->blocks, level);
	struct verity_level_job job = {
	        .h = &t->h,
	        .in_fd = data_fd,
	        .in_blocks = children,
	        .in_block_size = level ? g->hash_block_size : g->data_block_size,
	        .in_mem = level ? level_ptr(t, t->blocks, level - 1) : t->data_map,
	        .in_mem_mapped = level == 0 && t->data_map,
	        .out_block_size = g->hash_block_size,
	        .expect = base,
	        .threads = threads,
	};
	int r;

	for (uint64_t b = 0; b < g->level_size[level]; b++) {
		uint64_t used = children - b * per_block;

		if (used > per_block)
			used = per_block;
		if (!hash_block_padding_ok(t, base + b * g->hash_block_size, used)) {
			*rep = (struct verity_verify_report){VERITY_BAD_HASH_BLOCK, level, b,
			                                     (g->level_block[level] + b) *
			                                             (uint64_t)g->hash_block_size};
			return 0;
		}
	}
	r = verity_level_run(&job);
	if (r < 0)
		return r;
	if (job.first_bad == UINT64_MAX)
		return 0;
	if (level == 0)
		*rep = (struct verity_verify_report){VERITY_BAD_DATA_BLOCK, 0, job.first_bad,
		                                     job.first_bad * g->data_block_size};
	else
		*rep = (struct verity_verify_report){
		        VERITY_BAD_HASH_BLOCK, level - 1, job.first_bad,
		        (g->level_block[level - 1] + job.first_bad) * (uint64_t)g->hash_block_size};
	return 0;
}

int verity_verify_fd(const struct verity_opts *o, int data_fd, int hash_fd,
                     const uint8_t *root_hash, size_t root_hash_size,
                     struct verity_verify_report *rep)
{
	struct verity_opts eff = *o;
	struct verity_sb_info sb;
	char hash_name[sizeof(sb.algorithm)];
	uint8_t digest[VERITY_MAX_DIGEST_SIZE];
	struct tree t;
	int r;

	memset(rep, 0, sizeof(*rep));
	snprintf(hash_name, sizeof(hash_name), "%s", o->hash_name ? o->hash_name : "sha256");
	if (o->superblock) {
		uint8_t raw[VERITY_SB_SIZE];

		r = read_zero_padded(hash_fd, raw, sizeof(raw), o->hash_offset);
		if (r < 0)
			return r;
		r = verity_sb_parse(&sb, raw, sizeof(raw));
		if (r < 0)
			return r;
		if (o->data_blocks && o->data_blocks != sb.data_blocks)
			return -EINVAL;
		/* The superblock is authoritative for what it describes, as for veritysetup. */
		snprintf(hash_name, sizeof(hash_name), "%s", sb.algorithm);
		eff.format = (int)sb.format;
		eff.data_block_size = sb.data_block_size;
		eff.hash_block_size = sb.hash_block_size;
		eff.data_blocks = sb.data_blocks;
		eff.salt = sb.salt;
		eff.salt_size = sb.salt_size;
	}
	r = tree_setup(&t, &eff, data_fd, eff.data_blocks, eff.salt, eff.salt_size, eff.format,
	               hash_name, eff.data_block_size, eff.hash_block_size);
	if (r < 0)
		return r;
	if (root_hash_size != t.h.digest_size) {
		r = -EINVAL;
		goto out;
	}
	if (!o->no_mmap)
		tree_map_data(&t, data_fd);
	if (t.geo.levels == 0) {
		r = tree_build(&t, data_fd, o->threads, digest);
		if (r == 0 && memcmp(digest, root_hash, root_hash_size) != 0)
			*rep = (struct verity_verify_report){VERITY_BAD_DATA_BLOCK, 0, 0, 0};
		goto out;
	}
	r = read_zero_padded(hash_fd, t.blocks, t.geo.hash_blocks * t.geo.hash_block_size,
	                     t.geo.hash_start_block * (uint64_t)t.geo.hash_block_size);
	if (r < 0)
		goto out;
	r = verity_hasher_digest(&t.h, level_ptr(&t, t.blocks, t.geo.levels - 1),
	                         t.geo.hash_block_size, digest);
	if (r < 0)
		goto out;
	if (memcmp(digest, root_hash, root_hash_size) != 0) {
		*rep = (struct verity_verify_report){VERITY_BAD_ROOT, t.geo.levels - 1, 0,
		                                     t.geo.level_block[t.geo.levels - 1] *
		                                             (uint64_t)t.geo.hash_block_size};
		goto out;
	}
	for (int lvl = (int)t.geo.levels - 1; lvl >= 0 && rep->fault == VERITY_OK; lvl--) {
		r = check_level(&t, (uint32_t)lvl, o->threads, rep, data_fd);
		if (r < 0)
			break;
	}
out:
	tree_free(&t);
	return r;
}

int verity_verify(const struct verity_opts *o, const char *data_path, const char *hash_path,
                  const uint8_t *root_hash, size_t root_hash_size, struct verity_verify_report *rep)
{
	int dfd, hfd, r;

	dfd = open(data_path, O_RDONLY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	hfd = open(hash_path, O_RDONLY | O_CLOEXEC);
	if (hfd < 0) {
		r = -errno;
		close(dfd);
		return r;
	}
	r = verity_verify_fd(o, dfd, hfd, root_hash, root_hash_size, rep);
	close(hfd);
	close(dfd);
	return r;
}
