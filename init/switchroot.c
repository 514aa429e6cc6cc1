/* SPDX-License-Identifier: Apache-2.0 */
/*
 * switch_root, after systemd's recipe with its known traps avoided
 * (init/README.md, 6):
 *  - MS_MOVE fails on shared mounts, so / is made private first;
 *  - /dev, /proc, /sys, /run and /tmp move into the new root, submounts
 *    (securityfs, configfs, the verified root's layers under /run) with them;
 *  - sync() before anything is detached;
 *  - pivot_root() cannot work on the initial rootfs, so for an initramfs the
 *    old contents are deleted (their memory freed) and the new root is
 *    moved over / and chrooted into, as the kernel's initramfs documentation says.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/base/log.h"
#include "init/switchroot.h"
#include "init/core/sys.h"

/* Mounts that travel into the new root, each with what lives below it. */
static const char *const moved_mounts[] = {
        "/dev",  /* devtmpfs: the nodes for every device found so far */
        "/proc", /* needed by everything, kata-agent first */
        "/sys",  /* with securityfs and configfs below it */
        "/run",  /* runtime state, and /run/ccinit's root layers */
        "/tmp",
};

/* Deletes everything below dirfd on device dev, without crossing into other mounts. */
static int remove_children(int dirfd, dev_t dev)
{
	DIR *d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return -errno;
	}
	struct dirent *de;
	int r = 0;
	while ((de = readdir(d))) {
		struct stat st;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != dev)
			continue; /* a mount point: the new root, or one being moved */
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd, de->d_name,
			                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				(void)remove_children(sub, dev);
			if (unlinkat(dirfd, de->d_name, AT_REMOVEDIR) < 0 && errno != EBUSY && !r)
				r = -errno;
		} else if (unlinkat(dirfd, de->d_name, 0) < 0 && !r) {
			r = -errno;
		}
	}
	closedir(d);
	return r;
}

int switch_root(struct boot *b, const char *new_root)
{
	char target[256];
	struct stat root_st;
	int r;

	if (stat("/", &root_st) < 0)
		return boot_error(b, -errno, "stat /");
	sync();
	r = sys->mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	if (r < 0)
		return boot_error(b, r, "making / private");
	for (size_t i = 0; i < sizeof(moved_mounts) / sizeof(moved_mounts[0]); i++) {
		snprintf(target, sizeof(target), "%s%s", new_root, moved_mounts[i]);
		r = sys->mkdir(target, 0755);
		if (r < 0 && r != -EEXIST)
			return boot_error(b, r, "the new root has no %s and cannot make it",
			                  moved_mounts[i]);
		r = sys->mount(moved_mounts[i], target, NULL, MS_MOVE, NULL);
		if (r < 0)
			return boot_error(b, r, "moving %s into the new root", moved_mounts[i]);
	}
	if (chdir(new_root) < 0)
		return boot_error(b, -errno, "chdir %s", new_root);

	/* Free the initramfs (ccinit's own file included: the running image stays mapped). */
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return boot_error(b, -errno, "opening the old root");
	r = remove_children(fd, root_st.st_dev);
	if (r < 0)
		log_warning("freeing the initramfs: %s, continuing", strerror(-r));

	r = sys->mount(".", "/", NULL, MS_MOVE, NULL);
	if (r < 0)
		return boot_error(b, r, "moving %s onto /", new_root);
	r = sys->chroot(".");
	if (r < 0)
		return boot_error(b, r, "chroot into the new root");
	if (chdir("/") < 0)
		return boot_error(b, -errno, "chdir / in the new root");
	return 0;
}
