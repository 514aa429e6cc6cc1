/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dm-verity tree builder: geometry against the worked example in measurement/README.md, 1.1, and
 * cryptsetup's rules, the superblock layout, and known answers taken from
 * `veritysetup format` 2.6.1 on a fixed input (200 blocks of 4096 bytes,
 * block i filled with byte i).
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "measurement/verity.h"
#include "init/base/hex.h"
#include "measurement/verity_sha256_x16.h"
#include "tests/lib/tap.h"

static const uint8_t salt8[8] = {1, 2, 3, 4, 5, 6, 7, 8};

TEST(geometry_worked_example)
{
	struct verity_geometry g;

	/* measurement/README.md, 1.1: 19,076 blocks give levels of 150, 2 and 1 blocks. */
	ASSERT_EQ(verity_geometry_compute(&g, 19076, 4096, 4096, 32, 1, false, 0), 0);
	ASSERT_EQ(g.levels, 3);
	ASSERT_EQ(g.hash_per_block_bits, 7);
	ASSERT_EQ(g.level_size[0], 150);
	ASSERT_EQ(g.level_size[1], 2);
	ASSERT_EQ(g.level_size[2], 1);
	/* Top level first on disk. */
	ASSERT_EQ(g.level_block[2], 0);
	ASSERT_EQ(g.level_block[1], 1);
	ASSERT_EQ(g.level_block[0], 3);
	ASSERT_EQ(g.hash_blocks, 153);
	ASSERT_EQ(g.hash_end, 153 * 4096);

	/* With a superblock: one more 4096-byte block in front. */
	ASSERT_EQ(verity_geometry_compute(&g, 19076, 4096, 4096, 32, 1, true, 0), 0);
	ASSERT_EQ(g.hash_start_block, 1);
	ASSERT_EQ(g.level_block[2], 1);
	ASSERT_EQ(g.hash_end, 154 * 4096);
}

TEST(geometry_edges)
{
	struct verity_geometry g;

	/* One block: no tree at all; the root is the block's own digest. */
	ASSERT_EQ(verity_geometry_compute(&g, 1, 4096, 4096, 32, 1, false, 0), 0);
	ASSERT_EQ(g.levels, 0);
	ASSERT_EQ(g.hash_end, 0);
	ASSERT_EQ(verity_geometry_compute(&g, 1, 4096, 4096, 32, 1, true, 0), 0);
	ASSERT_EQ(g.hash_end, 4096); /* veritysetup still claims the superblock's block */
	/* Exactly one full hash block, then one more block needs a second level. */
	ASSERT_EQ(verity_geometry_compute(&g, 128, 4096, 4096, 32, 1, false, 0), 0);
	ASSERT_EQ(g.levels, 1);
	ASSERT_EQ(verity_geometry_compute(&g, 129, 4096, 4096, 32, 1, false, 0), 0);
	ASSERT_EQ(g.levels, 2);
	ASSERT_EQ(g.level_size[0], 2);
	/* sha1 digests take 32-byte slots in format 1 and pack in format 0; 128 per block either
	 * way. */
	ASSERT_EQ(verity_geometry_compute(&g, 1000, 4096, 4096, 20, 1, false, 0), 0);
	ASSERT_EQ(g.digest_stride, 32);
	ASSERT_EQ(g.hash_per_block_bits, 7);
	ASSERT_EQ(verity_geometry_compute(&g, 1000, 4096, 4096, 20, 0, false, 0), 0);
	ASSERT_EQ(g.digest_stride, 20);
	ASSERT_EQ(g.hash_per_block_bits, 7);
	/* sha512 on 512-byte blocks: 8 per block. */
	ASSERT_EQ(verity_geometry_compute(&g, 4099, 512, 512, 64, 1, false, 0), 0);
	ASSERT_EQ(g.hash_per_block_bits, 3);
	ASSERT_EQ(g.levels, 5);
	/* Offsets: without a superblock rounded down to a block, with one rounded up past it. */
	ASSERT_EQ(verity_geometry_compute(&g, 100, 4096, 4096, 32, 1, false, 1024), 0);
	ASSERT_EQ(g.hash_start_block, 0);
	ASSERT_EQ(verity_geometry_compute(&g, 100, 4096, 1024, 32, 1, true, 512), 0);
	ASSERT_EQ(g.hash_start_block, 1);
	ASSERT_EQ(verity_geometry_compute(&g, 100, 4096, 4096, 32, 1, true, 8192), 0);
	ASSERT_EQ(g.hash_start_block, 3);
	/* Refusals. */
	ASSERT_EQ(verity_geometry_compute(&g, 0, 4096, 4096, 32, 1, false, 0), -EINVAL);
	ASSERT_EQ(verity_geometry_compute(&g, 10, 3000, 4096, 32, 1, false, 0), -EINVAL);
	ASSERT_EQ(verity_geometry_compute(&g, 10, 256, 4096, 32, 1, false, 0), -EINVAL);
	ASSERT_EQ(verity_geometry_compute(&g, 10, 4096, 4096, 32, 2, false, 0), -EINVAL);
	ASSERT_EQ(verity_geometry_compute(&g, 10, 4096, 4096, 32, 1, false, 100), -EINVAL);
	ASSERT_EQ(verity_geometry_compute(&g, 10, 4096, 512, 64, 1, false, 0), 0);
	ASSERT_EQ(verity_geometry_compute(&g, UINT64_MAX, 512, 512, 64, 1, false, 0), -EINVAL);
}

TEST(superblock_layout)
{
	struct verity_sb_info in = {.format = 1,
	                            .data_block_size = 4096,
	                            .hash_block_size = 4096,
	                            .data_blocks = 200,
	                            .salt_size = 8};
	struct verity_sb_info out;
	uint8_t raw[VERITY_SB_SIZE];
	/* The first 96 bytes veritysetup 2.6.1 wrote for the same parameters. */
	static const uint8_t want[96] = {
	        0x76, 0x65, 0x72, 0x69, 0x74, 0x79, 0,    0,    1,    0,    0,    0,    1,    0,
	        0,    0,    0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0x4d, 0xef, 0x81, 0x23, 0x45, 0x67,
	        0x89, 0xab, 0xcd, 0xef, 0x73, 0x68, 0x61, 0x32, 0x35, 0x36, 0,    0,    0,    0,
	        0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
	        0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10, 0,    0,    0,    0x10,
	        0,    0,    0xc8, 0,    0,    0,    0,    0,    0,    0,    8,    0,    0,    0,
	        0,    0,    0,    0,    1,    2,    3,    4,    5,    6,    7,    8};

	ASSERT_EQ(uuid_from_text("12345678-9abc-4def-8123-456789abcdef", in.uuid), 0);
	strcpy(in.algorithm, "sha256");
	memcpy(in.salt, salt8, 8);
	ASSERT_EQ(verity_sb_build(&in, raw), 0);
	ASSERT_MEM(raw, want, sizeof(want));
	for (size_t i = sizeof(want); i < sizeof(raw); i++)
		ASSERT_EQ(raw[i], 0);
	ASSERT_EQ(verity_sb_parse(&out, raw, sizeof(raw)), 0);
	ASSERT_STR(out.algorithm, "sha256");
	ASSERT_EQ(out.data_blocks, 200);
	ASSERT_EQ(out.salt_size, 8);
	ASSERT_MEM(out.uuid, in.uuid, 16);

	ASSERT_EQ(verity_sb_parse(&out, raw, 511), -EINVAL);
	raw[8] = 2; /* version */
	ASSERT_EQ(verity_sb_parse(&out, raw, sizeof(raw)), -EINVAL);
	raw[8] = 1;
	raw[80] = 0x01; /* salt size 257 */
	raw[81] = 0x01;
	ASSERT_EQ(verity_sb_parse(&out, raw, sizeof(raw)), -EINVAL);
	raw[0] = 'V';
	ASSERT_EQ(verity_sb_parse(&out, raw, sizeof(raw)), -ENODATA);
}

TEST(uuid_text)
{
	uint8_t u[16];
	char s[37];

	ASSERT_EQ(uuid_from_text("12345678-9ABC-4def-8123-456789abcdef", u), 0);
	uuid_to_text(u, s);
	ASSERT_STR(s, "12345678-9abc-4def-8123-456789abcdef");
	ASSERT_EQ(uuid_from_text("12345678-9abc-4def-8123-456789abcde", u), -EINVAL);
	ASSERT_EQ(uuid_from_text("12345678x9abc-4def-8123-456789abcdef", u), -EINVAL);
	ASSERT_EQ(uuid_from_text("g2345678-9abc-4def-8123-456789abcdef", u), -EINVAL);
}

static int kat_data(void)
{
	int fd = memfd_create("data", MFD_CLOEXEC);
	uint8_t blk[4096];

	ASSERT_TRUE(fd >= 0);
	for (int i = 0; i < 200; i++) {
		memset(blk, i, sizeof(blk));
		ASSERT_EQ(write(fd, blk, sizeof(blk)), (ssize_t)sizeof(blk));
	}
	return fd;
}

static void sha256_fd(int fd, char hex[65])
{
	uint8_t buf[65536], md[32];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	ssize_t n;
	off_t off = 0;

	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		EVP_DigestUpdate(c, buf, (size_t)n);
		off += n;
	}
	EVP_DigestFinal_ex(c, md, NULL);
	EVP_MD_CTX_free(c);
	hex_encode(md, 32, hex);
}

static void root_hex(const struct verity_result *r, char *hex)
{
	hex_encode(r->root_hash, r->root_hash_size, hex);
}

TEST(known_answer_sha256_4k)
{
	struct verity_opts o;
	struct verity_result r;
	int data = kat_data(), hash = memfd_create("hash", MFD_CLOEXEC);
	char hex[129], file[65];

	verity_opts_init(&o);
	o.superblock = false;
	o.salt = salt8;
	o.salt_size = 8;
	/* Mapped and read (as from a block device), one to three threads: same bytes. */
	for (unsigned run = 0; run < 6; run++) {
		o.threads = 1 + run % 3;
		o.no_mmap = run >= 3;
		ASSERT_EQ(ftruncate(hash, 0), 0);
		ASSERT_EQ(verity_format_fd(&o, data, hash, &r), 0);
		root_hex(&r, hex);
		ASSERT_STR(hex, "9859513a645aeb9bc35dca9a62618cca2f89202293faab7cd86c637cd285f892");
		sha256_fd(hash, file);
		ASSERT_STR(file,
		           "5945ee29789e9cba2e174b19dc8cb5470d90acc831ddbcea7e473a51d25184b1");
	}
	/* The same tree behind a superblock with a fixed UUID. */
	o.superblock = true;
	o.uuid_set = true;
	ASSERT_EQ(uuid_from_text("12345678-9abc-4def-8123-456789abcdef", o.uuid), 0);
	ASSERT_EQ(ftruncate(hash, 0), 0);
	ASSERT_EQ(verity_format_fd(&o, data, hash, &r), 0);
	sha256_fd(hash, file);
	ASSERT_STR(file, "ef52c4014d92a4ad8758e9c9ccaebb3eb3499acf0e531947cdb6464ce97f56f6");
	close(hash);
	close(data);
}

TEST(known_answer_sha512_512)
{
	struct verity_opts o;
	struct verity_result r;
	int data = kat_data(), hash = memfd_create("hash", MFD_CLOEXEC);
	char hex[129], file[65];

	verity_opts_init(&o);
	o.superblock = false;
	o.hash_name = "sha512";
	o.data_block_size = 512;
	o.hash_block_size = 1024;
	o.salt_size = 0; /* "--salt=-" */
	ASSERT_EQ(verity_format_fd(&o, data, hash, &r), 0);
	ASSERT_EQ(r.geo.data_blocks, 1600);
	ASSERT_EQ(r.geo.hash_blocks, 108);
	root_hex(&r, hex);
	ASSERT_STR(hex, "3e643eb8e60de36e72023d3341c9c9ffcd80ebdc7d9f113a2742d9a7d5215be6"
	                "d13e1c940003f9919a42ee106c71f806de4f34187f3276f8fc3d54b755ee111a");
	sha256_fd(hash, file);
	ASSERT_STR(file, "4d0987b47c23841e44695d5bb68405dd20b54f21f6e3678854c639305e6b08ff");
	close(hash);
	close(data);
}

TEST(verify_finds_first_bad_block)
{
	struct verity_opts o;
	struct verity_result r;
	struct verity_verify_report rep;
	int data = kat_data(), hash = memfd_create("hash", MFD_CLOEXEC);
	uint8_t b;

	verity_opts_init(&o);
	o.superblock = false;
	o.salt = salt8;
	o.salt_size = 8;
	o.threads = 2;
	o.no_mmap = true; /* verify reads as from a block device */
	ASSERT_EQ(verity_format_fd(&o, data, hash, &r), 0);
	ASSERT_EQ(r.geo.levels, 2);
	ASSERT_EQ(verity_verify_fd(&o, data, hash, r.root_hash, r.root_hash_size, &rep), 0);
	ASSERT_EQ(rep.fault, VERITY_OK);

	/* Two bad data blocks: the lower one is reported. */
	b = 0xee;
	ASSERT_EQ(pwrite(data, &b, 1, 150 * 4096 + 9), 1);
	ASSERT_EQ(pwrite(data, &b, 1, 7 * 4096), 1);
	ASSERT_EQ(verity_verify_fd(&o, data, hash, r.root_hash, r.root_hash_size, &rep), 0);
	ASSERT_EQ(rep.fault, VERITY_BAD_DATA_BLOCK);
	ASSERT_EQ(rep.block, 7);
	ASSERT_EQ(rep.position, 7 * 4096);
	close(data);
	data = kat_data();

	/* A leaf block (level 0 starts at hash block 1). */
	ASSERT_EQ(pwrite(hash, &b, 1, 2 * 4096 + 33), 1);
	ASSERT_EQ(verity_verify_fd(&o, data, hash, r.root_hash, r.root_hash_size, &rep), 0);
	ASSERT_EQ(rep.fault, VERITY_BAD_HASH_BLOCK);
	ASSERT_EQ(rep.level, 0);
	ASSERT_EQ(rep.block, 1);

	/* The top block against the root. */
	ASSERT_EQ(pwrite(hash, &b, 1, 5), 1);
	ASSERT_EQ(verity_verify_fd(&o, data, hash, r.root_hash, r.root_hash_size, &rep), 0);
	ASSERT_EQ(rep.fault, VERITY_BAD_ROOT);

	/* A tree cut short reads as zeros and fails, never reads out of bounds. */
	ASSERT_EQ(verity_format_fd(&o, data, hash, &r), 0);
	ASSERT_EQ(ftruncate(hash, 4096), 0);
	ASSERT_EQ(verity_verify_fd(&o, data, hash, r.root_hash, r.root_hash_size, &rep), 0);
	ASSERT_EQ(rep.fault, VERITY_BAD_HASH_BLOCK);
	ASSERT_EQ(rep.level, 0);
	ASSERT_EQ(rep.block, 0);

	/* Wrong root size is a usage error, not a verdict. */
	ASSERT_EQ(verity_verify_fd(&o, data, hash, r.root_hash, 20, &rep), -EINVAL);
	close(hash);
	close(data);
}

TEST(verify_checks_padding_under_a_good_root)
{
	/* A builder that left garbage in the unused tail of the only hash block, and
	 * computed the root over it: the digests match but veritysetup would refuse it. */
	struct verity_opts o;
	struct verity_result r;
	struct verity_verify_report rep;
	int data = memfd_create("data", MFD_CLOEXEC), hash = memfd_create("hash", MFD_CLOEXEC);
	uint8_t blk[4096] = {0}, root[32];
	unsigned len = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	for (int i = 0; i < 3; i++) {
		memset(blk, 'a' + i, sizeof(blk));
		ASSERT_EQ(write(data, blk, sizeof(blk)), 4096);
	}
	verity_opts_init(&o);
	o.superblock = false;
	o.salt = salt8;
	o.salt_size = 8;
	ASSERT_EQ(verity_format_fd(&o, data, hash, &r), 0);
	ASSERT_EQ(pread(hash, blk, sizeof(blk), 0), 4096);
	blk[4000] = 1;
	ASSERT_EQ(pwrite(hash, blk, sizeof(blk), 0), 4096);
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, salt8, 8);
	EVP_DigestUpdate(c, blk, sizeof(blk));
	EVP_DigestFinal_ex(c, root, &len);
	EVP_MD_CTX_free(c);
	ASSERT_EQ(verity_verify_fd(&o, data, hash, root, 32, &rep), 0);
	ASSERT_EQ(rep.fault, VERITY_BAD_HASH_BLOCK);
	ASSERT_EQ(rep.level, 0);
	ASSERT_EQ(rep.block, 0);
	close(hash);
	close(data);
}

TEST(format_refuses_bad_inputs)
{
	struct verity_opts o;
	struct verity_result r;
	int data = kat_data(), hash = memfd_create("hash", MFD_CLOEXEC);

	verity_opts_init(&o);
	o.superblock = false;
	o.data_blocks = 201; /* one more than there is */
	ASSERT_EQ(verity_format_fd(&o, data, hash, &r), -ENOSPC);
	o.data_blocks = 0;
	o.hash_name = "md5-not-a-digest";
	ASSERT_EQ(verity_format_fd(&o, data, hash, &r), -EINVAL);
	o.hash_name = "shake256"; /* an XOF has no fixed digest */
	ASSERT_EQ(verity_format_fd(&o, data, hash, &r), -EINVAL);
	o.hash_name = "sha256";
	/* The tree may follow the data in the same file, never overlap it. */
	o.hash_offset = 100 * 4096;
	ASSERT_EQ(verity_format_fd(&o, data, data, &r), -EINVAL);
	o.hash_offset = 200 * 4096;
	ASSERT_EQ(verity_format_fd(&o, data, data, &r), 0);
	/* No salt at all (salt NULL, "--salt=-") behind a superblock. */
	o.hash_offset = 0;
	o.superblock = true;
	o.salt = NULL;
	o.salt_size = 0;
	ASSERT_EQ(verity_format_fd(&o, data, hash, &r), 0);
	ASSERT_EQ(verity_digest_size("sha1"), 20);
	ASSERT_EQ(verity_digest_size("sha512"), 64);
	close(hash);
	close(data);
}

static void sha256_ref(const uint8_t *a, size_t an, const uint8_t *b, size_t bn, const uint8_t *c,
                       size_t cn, uint8_t out[32])
{
	EVP_MD_CTX *x = EVP_MD_CTX_new();

	EVP_DigestInit_ex(x, EVP_sha256(), NULL);
	EVP_DigestUpdate(x, a, an);
	EVP_DigestUpdate(x, b, bn);
	EVP_DigestUpdate(x, c, cn);
	EVP_DigestFinal_ex(x, out, NULL);
	EVP_MD_CTX_free(x);
}

TEST(sha256_x16_matches_openssl)
{
	/* Lengths around every padding boundary, salts in front and behind, odd strides. */
	static const size_t lens[] = {1, 55, 56, 63, 64, 65, 119, 120, 512, 1000, 4096};
	static const size_t salts[] = {0, 1, 8, 32, 55, 63, 64, 65, 256};
	uint8_t pre[256], out[SHA256_X16_LANES][32], want[32];
	size_t stride = 4096 + 13;
	uint8_t *data = malloc(SHA256_X16_LANES * stride);

	if (!sha256_x16_available())
		tap_skip("no AVX-512 on this CPU (or CCIMAGE_VERITY_SIMD=0)");
	for (size_t i = 0; i < SHA256_X16_LANES * stride; i++)
		data[i] = (uint8_t)(i * 2654435761u >> 7);
	for (size_t i = 0; i < sizeof(pre); i++)
		pre[i] = (uint8_t)(255 - i);
	for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++)
		for (size_t si = 0; si < sizeof(salts) / sizeof(salts[0]); si++) {
			size_t n = lens[li], s = salts[si];

			sha256_x16(pre, s, data, stride, n, NULL, 0, out);
			for (int l = 0; l < SHA256_X16_LANES; l++) {
				sha256_ref(pre, s, data + l * stride, n, NULL, 0, want);
				if (memcmp(out[l], want, 32) != 0)
					tap_fail("salt %zu || %zu bytes, lane %d differs", s, n, l);
			}
			sha256_x16(NULL, 0, data, stride, n, pre, s, out);
			for (int l = 0; l < SHA256_X16_LANES; l++) {
				sha256_ref(NULL, 0, data + l * stride, n, pre, s, want);
				if (memcmp(out[l], want, 32) != 0)
					tap_fail("%zu bytes || salt %zu, lane %d differs", n, s, l);
			}
		}
	free(data);
}

TEST(read_path_with_large_blocks)
{
	/* 64 KiB data blocks and 512 KiB hash blocks: the pread buffer stays bounded. */
	struct verity_opts o;
	struct verity_result a, b;
	struct verity_verify_report rep;
	int data = memfd_create("data", MFD_CLOEXEC), h1 = memfd_create("h1", MFD_CLOEXEC),
	    h2 = memfd_create("h2", MFD_CLOEXEC);
	uint8_t blk[65536];

	for (int i = 0; i < 40; i++) {
		memset(blk, i * 7, sizeof(blk));
		ASSERT_EQ(write(data, blk, sizeof(blk)), (ssize_t)sizeof(blk));
	}
	verity_opts_init(&o);
	o.superblock = false;
	o.salt = salt8;
	o.salt_size = 8;
	o.data_block_size = 65536;
	o.hash_block_size = 524288;
	ASSERT_EQ(verity_format_fd(&o, data, h1, &a), 0);
	o.no_mmap = true;
	o.threads = 2;
	ASSERT_EQ(verity_format_fd(&o, data, h2, &b), 0);
	ASSERT_MEM(a.root_hash, b.root_hash, 32);
	ASSERT_EQ(verity_verify_fd(&o, data, h1, a.root_hash, 32, &rep), 0);
	ASSERT_EQ(rep.fault, VERITY_OK);
	blk[0] = 1;
	ASSERT_EQ(pwrite(data, blk, 1, 39 * 65536 + 100), 1);
	ASSERT_EQ(verity_verify_fd(&o, data, h1, a.root_hash, 32, &rep), 0);
	ASSERT_EQ(rep.fault, VERITY_BAD_DATA_BLOCK);
	ASSERT_EQ(rep.block, 39);
	close(h2);
	close(h1);
	close(data);
}

TEST(verify_reads_superblock_at_offset)
{
	/* A tree appended to its data with a superblock in front, checked from the superblock
	 * alone. */
	struct verity_opts o, v;
	struct verity_result r;
	struct verity_verify_report rep;
	int data = kat_data();

	verity_opts_init(&o);
	o.salt = salt8;
	o.salt_size = 8;
	o.hash_name = "sha1";
	o.data_block_size = 1024;
	o.hash_offset = 200 * 4096;
	ASSERT_EQ(verity_format_fd(&o, data, data, &r), 0);
	ASSERT_EQ(r.geo.hash_start_block, 200 * 4096 / 4096 + 1);
	/* Only the offset and "there is a superblock": the rest comes from it. */
	verity_opts_init(&v);
	v.hash_offset = o.hash_offset;
	v.data_blocks = 800;
	ASSERT_EQ(verity_verify_fd(&v, data, data, r.root_hash, r.root_hash_size, &rep), 0);
	ASSERT_EQ(rep.fault, VERITY_OK);
	v.data_blocks = 799; /* disagrees with the superblock */
	ASSERT_EQ(verity_verify_fd(&v, data, data, r.root_hash, r.root_hash_size, &rep), -EINVAL);
	v.data_blocks = 0;
	v.hash_offset = 0; /* no superblock there */
	ASSERT_EQ(verity_verify_fd(&v, data, data, r.root_hash, r.root_hash_size, &rep), -ENODATA);
	close(data);
}

/*
 * A regular file is mapped but never resident whole: each hashed chunk's pages
 * are let go, so what the build holds does not grow with the image.
 */
TEST(format_lets_hashed_data_go)
{
	enum { MIB = 1 << 20, SIZE_MIB = 192 };
	struct verity_opts o;
	struct verity_result r;
	struct rusage before, after;
	int data = memfd_create("data", MFD_CLOEXEC), hash = memfd_create("hash", MFD_CLOEXEC);
	uint8_t *chunk = malloc(MIB);

	ASSERT_TRUE(data >= 0 && hash >= 0 && chunk);
	for (int i = 0; i < SIZE_MIB; i++) {
		memset(chunk, i + 1, MIB);
		ASSERT_EQ(write(data, chunk, MIB), MIB);
	}
	free(chunk);
	verity_opts_init(&o);
	o.superblock = false;
	o.threads = 2;
	ASSERT_EQ(getrusage(RUSAGE_SELF, &before), 0);
	ASSERT_EQ(verity_format_fd(&o, data, hash, &r), 0);
	ASSERT_EQ(getrusage(RUSAGE_SELF, &after), 0);
	/* Mapped whole it adds 192 MiB; a 2 MiB chunk per thread and the 1.5 MiB tree, a few. */
	ASSERT_INT(after.ru_maxrss - before.ru_maxrss, <, 48 * 1024);
	close(hash);
	close(data);
}
