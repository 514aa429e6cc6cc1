/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tests/lib/fake_sys.h"

char fake_sys_log[16384];
int64_t fake_sys_clock_ns;

static struct {
	char prefix[128];
	int err;
} failures[8];

static int record(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int record(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	size_t used = strlen(fake_sys_log);
	snprintf(fake_sys_log + used, sizeof(fake_sys_log) - used, "%s\n", line);
	for (size_t i = 0; i < sizeof(failures) / sizeof(failures[0]); i++) {
		if (failures[i].err &&
		    strncmp(line, failures[i].prefix, strlen(failures[i].prefix)) == 0) {
			int err = failures[i].err;
			failures[i].err = 0;
			return err;
		}
	}
	return 0;
}

static int fake_mount(const char *source, const char *target, const char *fstype,
                      unsigned long flags, const void *data)
{
	return record("mount %s %s %s %#lx %s", source ? source : "-", target,
	              fstype ? fstype : "-", flags, data ? (const char *)data : "-");
}

static int fake_umount2(const char *target, int flags)
{
	return record("umount2 %s %d", target, flags);
}

static int fake_mkdir(const char *path, mode_t mode)
{
	return record("mkdir %s %o", path, (unsigned)mode);
}

static int fake_mknod(const char *path, mode_t mode, dev_t dev)
{
	return record("mknod %s %o %lu", path, (unsigned)mode, (unsigned long)dev);
}

static int fake_symlink(const char *target, const char *linkpath)
{
	return record("symlink %s %s", target, linkpath);
}

/* Files are real (below sys_root): tests build a fake /proc or /sys in a temp dir. */
static int fake_open(const char *path, int flags, mode_t mode)
{
	int r = record("open %s", path);
	if (r < 0)
		return r;
	int fd = open(path, flags | O_CLOEXEC, mode);
	return fd < 0 ? -errno : fd;
}

static int fake_ioctl(int fd, unsigned long request, void *arg)
{
	(void)fd;
	/* Interface requests name the interface and flags: what a test wants to see. */
	if (request == SIOCGIFFLAGS || request == SIOCSIFFLAGS) {
		struct ifreq *ifr = arg;
		return record("ioctl %s %s %#x",
		              request == SIOCGIFFLAGS ? "SIOCGIFFLAGS" : "SIOCSIFFLAGS",
		              ifr->ifr_name, (unsigned)(uint16_t)ifr->ifr_flags);
	}
	return record("ioctl %#lx", request);
}

/* A real descriptor (of /dev/null), so the caller's close() is honest. */
static int fake_socket(int domain, int type, int protocol)
{
	int r = record("socket %d %#x %d", domain, (unsigned)type, protocol);
	if (r < 0)
		return r;
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Names the file by its descriptor's basename, so a test sees which module went in. */
static int fake_finit_module(int fd, const char *params, int flags)
{
	char link[64], path[512] = "?";
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	path[n > 0 ? n : 1] = '\0';
	const char *base = strrchr(path, '/');
	return record("finit_module %s '%s' %d", base ? base + 1 : path, params, flags);
}

static int fake_reboot(int cmd)
{
	return record("reboot %#x", (unsigned)cmd);
}

static int fake_pivot_root(const char *new_root, const char *put_old)
{
	return record("pivot_root %s %s", new_root, put_old);
}

static int fake_chroot(const char *path)
{
	return record("chroot %s", path);
}

static int fake_getrandom(void *buf, size_t len)
{
	/* Deterministic, and never zero: a test can see that the key was wiped. */
	memset(buf, 0xa5, len);
	return record("getrandom %zu", len);
}

static int fake_chown(const char *path, unsigned uid, unsigned gid)
{
	return record("chown %s %u:%u", path, uid, gid);
}

static int fake_unshare(int flags)
{
	return record("unshare %#x", (unsigned)flags);
}

static int64_t fake_now_ns(void)
{
	fake_sys_clock_ns += 1000000; /* each reading advances a millisecond */
	return fake_sys_clock_ns;
}

static const struct sys_ops fake_ops = {
        .mount = fake_mount,
        .umount2 = fake_umount2,
        .mkdir = fake_mkdir,
        .mknod = fake_mknod,
        .symlink = fake_symlink,
        .open = fake_open,
        .ioctl = fake_ioctl,
        .socket = fake_socket,
        .finit_module = fake_finit_module,
        .reboot = fake_reboot,
        .pivot_root = fake_pivot_root,
        .chroot = fake_chroot,
        .getrandom = fake_getrandom,
        .unshare = fake_unshare,
        .chown = fake_chown,
        .now_ns = fake_now_ns,
};

void fake_sys_install(const char *root)
{
	fake_sys_log[0] = '\0';
	fake_sys_clock_ns = 0;
	memset(failures, 0, sizeof(failures));
	sys = &fake_ops;
	sys_root = root ? root : "";
}

void fake_sys_fail(const char *prefix, int err)
{
	for (size_t i = 0; i < sizeof(failures) / sizeof(failures[0]); i++) {
		if (!failures[i].err) {
			snprintf(failures[i].prefix, sizeof(failures[i].prefix), "%s", prefix);
			failures[i].err = err;
			return;
		}
	}
}
