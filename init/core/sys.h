/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one seam between ccinit and the kernel. Every system call a boot step
 * makes that changes or inspects system state goes through `sys`, so unit
 * tests can swap in a fake kernel (tests/lib/fake_sys.c) and run boot steps
 * unprivileged, as kmod's testsuite does. A static binary cannot be
 * interposed with LD_PRELOAD, hence a table rather than symbol tricks.
 *
 * All operations return 0 (or a non-negative result) on success and a
 * negative errno on failure: never -1 with errno.
 */
#pragma once

#include <poll.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

struct sys_ops {
	int (*mount)(const char *source, const char *target, const char *fstype,
	             unsigned long flags, const void *data);
	int (*mkdir)(const char *path, mode_t mode);
	int (*mknod)(const char *path, mode_t mode, dev_t dev);
	int (*open)(const char *path, int flags, mode_t mode); /* returns an fd */
	int (*ioctl)(int fd, unsigned long request, void *arg);
	int (*socket)(int domain, int type, int protocol);          /* returns an fd */
	int (*finit_module)(int fd, const char *params, int flags); /* init/core/modules_load.c */
	int (*reboot)(int cmd);
	int (*chroot)(const char *path);
	int (*getrandom)(void *buf, size_t len);
	int (*unshare)(int flags);
	int (*chown)(const char *path, unsigned uid, unsigned gid);
	int64_t (*now_ns)(void); /* CLOCK_BOOTTIME: time since the kernel started */
	/* Waits for events on fds until timeout_ms: a fake clock moves with it. Returns the ready
	 * count. */
	int (*poll)(struct pollfd *fds, unsigned long nfds, int timeout_ms);
};

/* The table in use: the real kernel unless a test installed a fake. */
extern const struct sys_ops *sys;
extern const struct sys_ops sys_real;

/*
 * A prefix put in front of absolute paths that steps read (proc, sys, dev).
 * Empty on a real boot; tests point it at a directory that fakes sysfs.
 */
extern const char *sys_root;

/* Joins sys_root and path into buf. Returns -ENAMETOOLONG if it does not fit. */
int sys_path(char *buf, size_t size, const char *path);

/* Reads a whole small file (below sys_root) into buf, NUL-terminated, trailing newline removed. */
int sys_read_file(const char *path, char *buf, size_t size);

/* Writes a string to a file (below sys_root), as one write. */
int sys_write_file(const char *path, const char *value);
