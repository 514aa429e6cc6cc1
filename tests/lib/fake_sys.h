/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A fake kernel at the seam (init/core/sys.h): records every call as one text
 * line ("mount proc /proc proc 0xe"), answers from a small table of
 * programmed failures, and keeps a fake clock. Tests install it with
 * fake_sys_install() and read fake_sys_log afterwards.
 *
 * Tests that run a step against a tree of files (a temp dir as sys_root)
 * ask for fake_sys_tree(): mkdir and mknod then act below sys_root. Fake
 * character devices (fake_sys_device) answer ioctls from a test's handler.
 */
#pragma once

#include <stdint.h>

#include "init/core/sys.h"

extern char fake_sys_log[65536];
extern int64_t fake_sys_clock_ns;

/* The table installed; after fake_sys_install() a test may replace one entry. */
extern struct sys_ops fake_sys_ops;

/* Installs the fake (and clears its log, failures, devices and nodes); sys_root becomes root (or
 * ""). */
void fake_sys_install(const char *root);
/* The next call whose log line starts with prefix fails with err (negative errno). */
void fake_sys_fail(const char *prefix, int err);

/*
 * mkdir makes the directory below sys_root; mknod makes a plain file there
 * standing for the node (unprivileged tests cannot make device nodes), and
 * fails -EEXIST when something is already there, as the kernel does.
 */
void fake_sys_tree(void);

/*
 * A character device at path (as the step opens it): an fd opened on it
 * sends its ioctls to handler, which answers as the driver would (0 or a
 * negative errno). A NULL handler: the device is absent, open fails -ENOENT.
 */
typedef int (*fake_sys_ioctl_fn)(unsigned long request, void *arg);
void fake_sys_device(const char *path, fake_sys_ioctl_fn handler);

struct fake_sys_node {
	char path[64];
	mode_t mode;
	dev_t dev;
};

/* The node mknod made at path, or NULL. */
const struct fake_sys_node *fake_sys_node(const char *path);
/* The owner chown last gave path, as "uid:gid", or NULL. */
const char *fake_sys_owner(const char *path);
