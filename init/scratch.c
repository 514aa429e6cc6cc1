/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The writable layer over the read-only verified root. Everything the guest
 * writes lands here, so it must be confidential from the host: either guest
 * memory (tmpfs, which the TEE already encrypts and integrity-protects), or a
 * host disk under dm-crypt with a key made this boot and wiped after use, so
 * nothing from an earlier boot can be read or replayed. A filesystem is made
 * fresh each boot (no journal: there is nothing to recover).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "init/crypt.h"
#include "init/devices.h"
#include "init/base/log.h"
#include "init/scratch.h"
#include "init/core/spawn.h"
#include "init/steps.h"
#include "init/core/sys.h"

#define SCRATCH_DM_NAME "ccinit-scratch"
#define MKE2FS          "/sbin/mke2fs"
/* LUKS2's header alone takes 16 MiB; a smaller layer is of no use to a container. */
#define SCRATCH_MIN_BYTES (32u << 20)

static int mount_tmpfs(struct boot *b, const char *dir)
{
	char data[64] = "mode=0755";
	if (b->config.scratch_size)
		snprintf(data, sizeof(data), "mode=0755,size=%llu",
		         (unsigned long long)b->config.scratch_size);
	int r = sys->mount("scratch", dir, "tmpfs", MS_NOSUID | MS_NODEV, data);
	if (r < 0)
		return boot_error(b, r, "mounting tmpfs scratch on %s", dir);
	return 0;
}

/*
 * On dm-integrity a sector that was never written has no valid tag, and
 * reading it is an error. mke2fs probes both ends of the device for old
 * signatures before it writes anything, so those ends are written first.
 */
static int initialise_ends(struct boot *b, const char *dev)
{
	static const char zeros[65536];
	const off_t span = 1 << 20;
	int fd = sys->open(dev, O_WRONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return boot_error(b, fd, "opening %s", dev);
	off_t size = lseek(fd, 0, SEEK_END);
	int r = size < 2 * span ? -ENOSPC : 0;
	for (off_t off = 0; r == 0 && off < span; off += (off_t)sizeof(zeros))
		if (pwrite(fd, zeros, sizeof(zeros), off) != (ssize_t)sizeof(zeros) ||
		    pwrite(fd, zeros, sizeof(zeros), size - span + off) != (ssize_t)sizeof(zeros))
			r = errno ? -errno : -EIO; /* a short write sets no errno */
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r < 0 ? boot_error(b, r, "initialising the integrity tags of %s", dev) : 0;
}

/* Two block devices share blocks: the same one, or a disk and one of its partitions. */
static bool overlap(const char *name_a, const char *disk_a, const char *name_b, const char *disk_b)
{
	return strcmp(disk_a, disk_b) == 0 &&
	       (strcmp(name_a, name_b) == 0 || strcmp(name_a, disk_a) == 0 ||
	        strcmp(name_b, disk_b) == 0);
}

/*
 * The scratch disk is encrypted with a fresh key and formatted: whatever it
 * holds is gone. It must not be a disk ccinit is told to verify (the root's
 * data or hash, an extension), whatever names the command line used for
 * them. Checked before the first write; the kernel's "busy" only happens to
 * protect a device that is already mapped, and an extension is not yet.
 */
static int scratch_distinct(struct boot *b, const char *device)
{
	char name[64], disk[64], other_name[64], other_disk[64], serial[64];
	const char *verified[][2] = {{"data", b->root_data}, {"hash", b->root_hash}};
	int r = block_device_disk(device, name, sizeof(name), disk, sizeof(disk));
	if (r < 0)
		return boot_error(b, r, "finding the disk of scratch device %s", device);
	for (size_t i = 0; i < 2; i++) {
		if (!verified[i][1][0])
			continue;
		r = block_device_disk(verified[i][1], other_name, sizeof(other_name), other_disk,
		                      sizeof(other_disk));
		if (r < 0)
			return boot_error(b, r, "finding the disk of %s", verified[i][1]);
		if (overlap(name, disk, other_name, other_disk))
			return boot_error(
			        b, -EPERM,
			        "scratch device %s (%s) overlaps the root's %s device %s: "
			        "refusing to encrypt and format a verified disk",
			        device, b->config.scratch, verified[i][0], verified[i][1]);
	}
	for (unsigned i = 0; i < b->config.extension_count; i++) {
		snprintf(serial, sizeof(serial), "extension-%s", b->config.extensions[i].name);
		if (block_device_find("serial", serial, other_disk, sizeof(other_disk)) == 0 &&
		    strcmp(other_disk, disk) == 0)
			return boot_error(
			        b, -EPERM,
			        "scratch device %s (%s) is extension %s's disk: refusing to "
			        "encrypt and format a verified disk",
			        device, b->config.scratch, b->config.extensions[i].name);
	}
	return 0;
}

/* A read-only or tiny disk, said as such before dm-crypt and mke2fs fail on it less clearly. */
static int scratch_usable(struct boot *b, const char *device)
{
	uint64_t bytes = 0;
	int ro = 0;
	int fd = sys->open(device, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return boot_error(b, fd, "opening scratch device %s", device);
	int r = sys->ioctl(fd, BLKROGET, &ro);
	if (r >= 0)
		r = sys->ioctl(fd, BLKGETSIZE64, &bytes);
	close(fd);
	if (r < 0)
		return boot_error(b, r, "reading the size of scratch device %s", device);
	if (ro)
		return boot_error(b, -EROFS, "scratch device %s (%s) is read-only", device,
		                  b->config.scratch);
	if (bytes < SCRATCH_MIN_BYTES)
		return boot_error(b, -ENOSPC,
		                  "scratch device %s (%s) has %llu bytes, less than the %u MiB a "
		                  "writable layer needs",
		                  device, b->config.scratch, (unsigned long long)bytes,
		                  SCRATCH_MIN_BYTES >> 20);
	return 0;
}

static int mount_encrypted(struct boot *b, const char *dir)
{
	char device[128], mapped[64];
	int r = device_wait(b->config.scratch, 0, b->config.root_timeout_s, device, sizeof(device),
	                    b->why, sizeof(b->why));
	if (r < 0)
		return r;
	if ((r = scratch_distinct(b, device)) < 0 || (r = scratch_usable(b, device)) < 0)
		return r;
	int t = trace_begin(&b->trace, "dm-crypt");
	r = crypt_scratch_open(SCRATCH_DM_NAME, device, b->config.scratch_integrity, mapped,
	                       sizeof(mapped), b->why, sizeof(b->why));
	trace_end(&b->trace, t);
	if (r < 0)
		return r;
	if (b->config.scratch_integrity != INTEGRITY_NONE && (r = initialise_ends(b, mapped)) < 0)
		return r;

	/*
	 * With dm-integrity, mke2fs must write every table the kernel will read
	 * later (an unwritten sector reads as an error). Without it, zeroing the
	 * inode tables is the kernel's background job, not the boot's.
	 */
	bool integrity = b->config.scratch_integrity != INTEGRITY_NONE;
	const char *const mkfs[] = {MKE2FS,
	                            "-q",
	                            "-F",
	                            "-t",
	                            "ext4",
	                            "-O",
	                            "^has_journal",
	                            "-E",
	                            integrity ? "lazy_itable_init=0,lazy_journal_init=0,nodiscard"
	                                      : "nodiscard",
	                            "-b",
	                            "4096",
	                            mapped,
	                            NULL};
	t = trace_begin(&b->trace, "mkfs");
	char why[384] = "";
	r = run_program_output(mkfs, why, sizeof(why));
	trace_end(&b->trace, t);
	if (r < 0)
		return boot_error(b, r, "making the scratch filesystem on %s (over %s): %s", mapped,
		                  device, why);
	r = sys->mount(mapped, dir, "ext4", MS_NOSUID | MS_NODEV | MS_NOATIME, NULL);
	if (r < 0)
		return boot_error(b, r, "mounting the scratch filesystem on %s", dir);
	log_info("scratch: %s encrypted as %s (%s)", device, mapped,
	         b->config.scratch_integrity == INTEGRITY_NONE   ? "aes-xts-plain64"
	         : b->config.scratch_integrity == INTEGRITY_AEAD ? "LUKS2, aes-gcm AEAD integrity"
	                                                         : "LUKS2, hmac-sha256 integrity");
	return 0;
}

int scratch_mount(struct boot *b, const char *dir)
{
	if (!b->config.scratch[0])
		return boot_error(b, -EINVAL,
		                  "no writable layer: give ccinit.scratch=<device>|tmpfs");
	int r = strcmp(b->config.scratch, "tmpfs") == 0 ? mount_tmpfs(b, dir)
	                                                : mount_encrypted(b, dir);
	if (r < 0)
		return r;
	char sub[256];
	static const char *const dirs[] = {"upper", "work"};
	for (size_t i = 0; i < 2; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", dir, dirs[i]);
		r = sys->mkdir(sub, 0755);
		if (r < 0 && r != -EEXIST)
			return boot_error(b, r, "mkdir %s", sub);
	}
	return 0;
}
