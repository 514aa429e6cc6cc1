/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kata's measured-rootfs disk (rootfs/README.md, 1): an MBR disk, p1 the
 * filesystem from 1 MiB, p2 the dm-verity tree, sized as Kata's image_builder
 * `create_disk` sizes them. We write the MBR ourselves so the disk signature
 * is derived, never random, and no parted or loop device is needed.
 */
#pragma once

#include <stdint.h>

#define DISK_SECTOR 512u
#define DISK_MIB    (1024u * 1024u)

struct disk_layout {
	uint64_t size;     /* bytes, a whole number of MiB */
	uint64_t p1_start; /* LBA (sectors) */
	uint64_t p1_sectors;
	uint64_t p2_start;
	uint64_t p2_sectors;
	uint32_t signature; /* MBR disk signature at byte 440 */
};

/*
 * Kata's arithmetic for an erofs of fs_bytes: image size
 * floor((fs_bytes + 1 MiB) / 1 MiB) + 2 MiB, scaled by 100/99 (+1) because it
 * is measured; p1 from 1 MiB to floor(size * 0.99) MiB, p2 from there to the
 * last sector. Grows the disk if the tree (tree_bytes) would not fit in p2.
 * Returns 0 or -EFBIG.
 */
int disk_layout_compute(struct disk_layout *l, uint64_t fs_bytes, uint64_t tree_bytes);

/* The 512-byte MBR: p1 bootable, both type 0x83 (Linux), CHS fields as LBA-era tools fill them. */
void disk_mbr_build(const struct disk_layout *l, uint8_t mbr[512]);

/*
 * Writes the disk to path: MBR, fs_path's bytes at p1, tree_path's at p2,
 * zeros (holes) elsewhere. Returns 0 or a negative errno.
 */
int disk_write(const struct disk_layout *l, const char *path, const char *fs_path,
               const char *tree_path);
