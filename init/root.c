/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Step 4: the root the agent runs from. Which mode is read from the command
 * line and from what / is:
 *  - initramfs: / is the initramfs and no ccinit.root is given; the TEE
 *    measured the initramfs whole with the kernel, so it is the root;
 *  - verified root: / is the initramfs and ccinit.root names the disks;
 *    dm-verity over them with the root hash from the (measured) command
 *    line, erofs read-only, a writable layer, overlayfs, switch root;
 *  - rootfs mode: / is not the initramfs, so the kernel (dm-mod.create=) or
 *    an earlier stage built it; check it is the verity device we expect.
 * Nothing the host controls (disk contents, order, presence) can change what
 * runs without failing here or at the first read of a tampered block.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/vfs.h>

#include "init/crypt.h"
#include "init/devices.h"
#include "init/extensions.h"
#include "init/base/log.h"
#include "init/rootfs_check.h"
#include "init/scratch.h"
#include "init/steps.h"
#include "init/switchroot.h"
#include "init/core/sys.h"

#define ROOT_DM_NAME "ccinit-root"
#define LOWER_DIR    "/run/ccinit/lower"   /* the verified erofs, read-only */
#define SCRATCH_DIR  "/run/ccinit/scratch" /* the writable layer */
#define NEW_ROOT     "/sysroot"            /* the overlay, until it becomes / */

#define RAMFS_MAGIC 0x858458f6
#define TMPFS_MAGIC 0x01021994

static bool root_is_initramfs(void)
{
	struct statfs s;
	return statfs("/", &s) == 0 && (s.f_type == RAMFS_MAGIC || s.f_type == TMPFS_MAGIC);
}

/* ccinit.root: one disk in Kata's layout (p1 data, p2 hash), or "DATA,HASH". */
static int find_devices(struct boot *b, char *data, char *hash, size_t size)
{
	char spec[CONFIG_PATH_MAX];
	snprintf(spec, sizeof(spec), "%s", b->config.root);
	char *comma = strchr(spec, ',');
	unsigned timeout = b->config.root_timeout_s;
	int r;
	if (comma) {
		*comma = '\0';
		r = device_wait(spec, 0, timeout, data, size, b->why, sizeof(b->why));
		if (r >= 0)
			r = device_wait(comma + 1, 0, timeout, hash, size, b->why, sizeof(b->why));
	} else {
		r = device_wait(spec, 1, timeout, data, size, b->why, sizeof(b->why));
		if (r >= 0)
			r = device_wait(spec, 2, timeout, hash, size, b->why, sizeof(b->why));
	}
	return r;
}

static int make_dir(struct boot *b, const char *path)
{
	char partial[256];
	snprintf(partial, sizeof(partial), "%s", path);
	for (char *p = strchr(partial + 1, '/');; p = strchr(p + 1, '/')) {
		if (p)
			*p = '\0';
		int r = sys->mkdir(partial, 0755);
		if (r < 0 && r != -EEXIST)
			return boot_error(b, r, "mkdir %s", partial);
		if (!p)
			return 0;
		*p = '/';
	}
}

static int assemble(struct boot *b)
{
	char data[128], hash[128], verity[64];
	int r;

	if (!b->config.root_verity_set)
		return boot_error(b, -EINVAL, "ccinit.root given without ccinit.root.verity");
	crypt_logging_setup();

	int t = trace_begin(&b->trace, "devices");
	r = find_devices(b, data, hash, sizeof(data));
	trace_end(&b->trace, t);
	if (r < 0)
		return r;
	/* The scratch step refuses these devices before it writes anything. */
	snprintf(b->root_data, sizeof(b->root_data), "%s", data);
	snprintf(b->root_hash, sizeof(b->root_hash), "%s", hash);

	t = trace_begin(&b->trace, "dm-verity");
	r = crypt_verity_open(ROOT_DM_NAME, data, hash, &b->config.root_verity, verity,
	                      sizeof(verity), b->why, sizeof(b->why));
	trace_end(&b->trace, t);
	if (r < 0)
		return r;
	if ((r = make_dir(b, LOWER_DIR)) < 0 || (r = make_dir(b, SCRATCH_DIR)) < 0 ||
	    (r = make_dir(b, NEW_ROOT)) < 0)
		return r;
	/* Any tampered block reads as EIO from here on: dm-verity checks every read. */
	r = sys->mount(verity, LOWER_DIR, "erofs", MS_RDONLY | MS_NOSUID | MS_NODEV, NULL);
	if (r < 0)
		return boot_error(b, r, "mounting erofs from %s (verity over %s)", verity, data);

	t = trace_begin(&b->trace, "scratch");
	r = scratch_mount(b, SCRATCH_DIR);
	trace_end(&b->trace, t);
	if (r < 0)
		return r;

	r = sys->mount("overlay", NEW_ROOT, "overlay", MS_NODEV,
	               "lowerdir=" LOWER_DIR ",upperdir=" SCRATCH_DIR "/upper,workdir=" SCRATCH_DIR
	               "/work");
	if (r < 0)
		return boot_error(b, r, "mounting the overlay on " NEW_ROOT);

	t = trace_begin(&b->trace, "switch-root");
	r = switch_root(b, NEW_ROOT);
	trace_end(&b->trace, t);
	if (r < 0)
		return r;
	log_info("root: overlay of %s (dm-verity over %s, %s) and %s scratch", verity, data, hash,
	         b->config.scratch);
	/* Later modules (GPU, ccinit.modules.extra) come from the verified root. */
	return modules_open_tree(b, "");
}

static int choose_root(struct boot *b)
{
	if (!root_is_initramfs())
		return rootfs_check(b);
	if (b->config.root[0])
		return assemble(b);
	if (b->config.root_verity_set)
		return boot_error(b, -EINVAL, "ccinit.root.verity given without ccinit.root");
	log_info("root: the initramfs (measured whole at launch)");
	return 0;
}

int verified_root(struct boot *b)
{
	int r = choose_root(b);
	/* Kata's extension disks, in the final root's /run, under the same verity rules. */
	return r < 0 ? r : extensions_mount(b);
}
