/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kata-layout disk: the size arithmetic of image_builder's create_disk
 * (rootfs/README.md, 1), checked by hand for a few sizes, and the MBR bytes
 * (the 4 MiB case matches what parted 3.5 writes for the same partitions).
 */
#include <fcntl.h>
#include <unistd.h>

#include "rootfs/image/disk.h"
#include "rootfs/image/image.h"
#include "tests/lib/tap.h"

TEST(layout_small_erofs)
{
	struct disk_layout l;

	/* 405,504 bytes: (0 + 1) + 2 = 3 MiB, 3 * 100 / 99 + 1 = 4 MiB, p2 from floor(3.96) = 3
	 * MiB. */
	ASSERT_EQ(disk_layout_compute(&l, 405504, 4096), 0);
	ASSERT_EQ(l.size, 4 * DISK_MIB);
	ASSERT_EQ(l.p1_start, 2048);
	ASSERT_EQ(l.p1_sectors, 4096);
	ASSERT_EQ(l.p2_start, 6144);
	ASSERT_EQ(l.p2_sectors, 2048);
}

TEST(layout_100_mib)
{
	struct disk_layout l;

	/* 101 + 2 = 103 MiB, 103 * 100 / 99 + 1 = 105 MiB, hash from floor(103.95) = 103 MiB. */
	ASSERT_EQ(disk_layout_compute(&l, 100 * DISK_MIB, 203 * 4096), 0);
	ASSERT_EQ(l.size, 105 * DISK_MIB);
	ASSERT_EQ(l.p1_sectors, 102 * 2048);
	ASSERT_EQ(l.p2_start, 103 * 2048);
	ASSERT_EQ(l.p2_sectors, 2 * 2048);
	ASSERT_TRUE(l.p1_sectors * 512 >= 100 * DISK_MIB);
}

TEST(layout_grows_for_a_big_tree)
{
	struct disk_layout l;

	/* Kata's 1% is enough for sha256 on 4 KiB blocks, not for 512-byte sha512 trees. */
	ASSERT_EQ(disk_layout_compute(&l, 100 * DISK_MIB, 20 * DISK_MIB), 0);
	ASSERT_TRUE(l.p2_sectors * 512 >= 20 * DISK_MIB);
	ASSERT_TRUE(l.p1_sectors * 512 >= 100 * DISK_MIB);
	ASSERT_EQ(l.p2_start + l.p2_sectors, l.size / 512);
	ASSERT_EQ(disk_layout_compute(&l, 3ULL << 40, 0), -EFBIG); /* past an MBR's reach */
}

TEST(mbr_bytes)
{
	struct disk_layout l;
	uint8_t mbr[512];
	/* Partition entries parted 3.5 wrote for the 4 MiB disk, CHS fields aside. */
	static const uint8_t p1[16] = {0x80, 0,    0, 0, 0x83, 0,    0, 0,
	                               0x00, 0x08, 0, 0, 0x00, 0x10, 0, 0};
	static const uint8_t p2[16] = {0x00, 0,    0, 0, 0x83, 0,    0, 0,
	                               0x00, 0x18, 0, 0, 0x00, 0x08, 0, 0};
	uint8_t e[16];

	ASSERT_EQ(disk_layout_compute(&l, 405504, 4096), 0);
	l.signature = 0x11223344;
	disk_mbr_build(&l, mbr);
	ASSERT_EQ(mbr[440], 0x44);
	ASSERT_EQ(mbr[443], 0x11);
	ASSERT_EQ(mbr[510], 0x55);
	ASSERT_EQ(mbr[511], 0xaa);
	for (int i = 0; i < 440; i++)
		ASSERT_EQ(mbr[i], 0);
	memcpy(e, mbr + 446, 16);
	memset(e + 1, 0, 3);
	memset(e + 5, 0, 3);
	ASSERT_MEM(e, p1, 16);
	memcpy(e, mbr + 462, 16);
	memset(e + 1, 0, 3);
	memset(e + 5, 0, 3);
	ASSERT_MEM(e, p2, 16);
	/* CHS of LBA 2048 on 255/63: cylinder 0, head 32, sector 33. */
	ASSERT_EQ(mbr[447], 32);
	ASSERT_EQ(mbr[448], 33);
	ASSERT_EQ(mbr[449], 0);
	/* Entries 3 and 4 empty. */
	for (int i = 478; i < 510; i++)
		ASSERT_EQ(mbr[i], 0);

	/* Past 1024 cylinders CHS saturates at 1023/254/63. */
	ASSERT_EQ(disk_layout_compute(&l, 20000 * DISK_MIB, 160 * DISK_MIB), 0);
	disk_mbr_build(&l, mbr);
	ASSERT_EQ(mbr[467], 254);
	ASSERT_EQ(mbr[468], 0xff);
	ASSERT_EQ(mbr[469], 0xff);
}

TEST(derived_names_depend_on_every_input)
{
	struct image_opts a, b;
	uint8_t ua[16], ub[16], sa[32], sb[32], h[32] = {1};

	image_opts_init(&a);
	image_opts_init(&b);
	image_erofs_uuid(&a, ua);
	image_erofs_uuid(&b, ub);
	ASSERT_MEM(ua, ub, 16);
	ASSERT_EQ(ua[6] >> 4, 4); /* a version 4 UUID */
	ASSERT_EQ(ua[8] >> 6, 2);
	b.source_date_epoch = 1;
	image_erofs_uuid(&b, ub);
	ASSERT_TRUE(memcmp(ua, ub, 16) != 0);
	/* Length-prefixed fields: moving a character between name and seed changes the UUID. */
	a.name = "ab";
	a.salt_seed = "c";
	b = a;
	b.name = "a";
	b.salt_seed = "bc";
	image_erofs_uuid(&a, ua);
	image_erofs_uuid(&b, ub);
	ASSERT_TRUE(memcmp(ua, ub, 16) != 0);

	image_verity_salt(&a, h, sa);
	image_verity_salt(&a, h, sb);
	ASSERT_MEM(sa, sb, 32);
	h[31] = 1;
	image_verity_salt(&a, h, sb);
	ASSERT_TRUE(memcmp(sa, sb, 32) != 0);
}
