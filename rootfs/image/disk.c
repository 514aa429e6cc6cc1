/* SPDX-License-Identifier: Apache-2.0 */
/* Kata-layout disk image: layout arithmetic, our own MBR, and the copy. */
#include "init/base/bytes.h"
#include "rootfs/image/disk.h"
#include "rootfs/lib/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int disk_layout_compute(struct disk_layout *l, uint64_t fs_bytes, uint64_t tree_bytes)
{
	uint64_t mib, hash_start_mib;

	memset(l, 0, sizeof(*l));
	if (fs_bytes > (1ULL << 50) || tree_bytes > (1ULL << 50))
		return -EFBIG;
	mib = (fs_bytes + DISK_MIB) / DISK_MIB + 2;
	mib = mib * 100 / 99 + 1;
	/*
	 * Kata computes floor(size * 0.99) with awk; for the sizes awk prints
	 * without an exponent that equals this integer form.
	 */
	for (;; mib++) {
		hash_start_mib = mib * 99 / 100;
		if ((hash_start_mib - 1) * DISK_MIB >= fs_bytes &&
		    (mib - hash_start_mib) * DISK_MIB >= tree_bytes)
			break;
	}
	if (mib * (DISK_MIB / DISK_SECTOR) > UINT32_MAX)
		return -EFBIG; /* past what an MBR can address */
	l->size = mib * DISK_MIB;
	l->p1_start = DISK_MIB / DISK_SECTOR;
	l->p1_sectors = (hash_start_mib - 1) * (DISK_MIB / DISK_SECTOR);
	l->p2_start = hash_start_mib * (DISK_MIB / DISK_SECTOR);
	/* parted's "-1s": p2 ends on the disk's last sector. */
	l->p2_sectors = l->size / DISK_SECTOR - l->p2_start;
	return 0;
}

/* CHS from an LBA on the customary 255-head, 63-sector geometry; 1023/254/63 past its end. */
static void chs(uint8_t out[3], uint64_t lba)
{
	uint64_t c = lba / (255 * 63), h = (lba / 63) % 255, s = lba % 63 + 1;

	if (c > 1023) {
		c = 1023;
		h = 254;
		s = 63;
	}
	out[0] = (uint8_t)h;
	out[1] = (uint8_t)((s & 0x3f) | ((c >> 2) & 0xc0));
	out[2] = (uint8_t)c;
}

static void entry(uint8_t *e, bool boot, uint64_t start, uint64_t sectors)
{
	e[0] = boot ? 0x80 : 0x00;
	chs(e + 1, start);
	e[4] = 0x83;
	chs(e + 5, start + sectors - 1);
	put_le32(e + 8, (uint32_t)start);
	put_le32(e + 12, (uint32_t)sectors);
}

void disk_mbr_build(const struct disk_layout *l, uint8_t mbr[512])
{
	memset(mbr, 0, 512);
	put_le32(mbr + 440, l->signature);
	entry(mbr + 446, true, l->p1_start, l->p1_sectors);
	entry(mbr + 462, false, l->p2_start, l->p2_sectors);
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
}

/* src's bytes at off of out: -EFBIG when it is larger than its partition (max). */
static int copy_into(int out, const char *src, uint64_t off, uint64_t max)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), r;

	if (in < 0)
		return -errno;
	r = lseek(out, (off_t)off, SEEK_SET) < 0 ? -errno : copy_fd(in, out, max, NULL);
	close(in);
	return r;
}

int disk_write(const struct disk_layout *l, const char *path, const char *fs_path,
               const char *tree_path)
{
	uint8_t mbr[512];
	int fd, r;

	(void)unlink(path); /* never inherit bytes from an older image */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	disk_mbr_build(l, mbr);
	if (ftruncate(fd, (off_t)l->size) < 0 || pwrite(fd, mbr, sizeof(mbr), 0) != sizeof(mbr)) {
		r = -errno;
		goto out;
	}
	r = copy_into(fd, fs_path, l->p1_start * DISK_SECTOR, l->p1_sectors * DISK_SECTOR);
	if (r == 0)
		r = copy_into(fd, tree_path, l->p2_start * DISK_SECTOR,
		              l->p2_sectors * DISK_SECTOR);
	/*
	 * No fdatasync: no other output is synced either (the output directory's
	 * rename makes a build visible whole, not durable), and for a gigabyte
	 * root it was seconds of waiting on the disk for this one file.
	 */
out:
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}
