/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/lib/fake_sys.h"

char fake_sys_log[65536];
int64_t fake_sys_clock_ns;
struct sys_ops fake_sys_ops;

#define FAKE_MAX 64

static bool tree;
static struct {
	char path[64];
	fake_sys_ioctl_fn handler;
	int fd; /* the last one opened on it */
} devices[4];
static struct fake_sys_node nodes[FAKE_MAX];
static unsigned node_count;
static struct {
	char path[64];
	unsigned uid, gid;
} owners[FAKE_MAX];
static unsigned owner_count;

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

static int fake_mkdir(const char *path, mode_t mode)
{
	char full[512];
	int r = record("mkdir %s %o", path, (unsigned)mode);

	if (r < 0 || !tree)
		return r;
	if (sys_path(full, sizeof(full), path) < 0)
		return -ENAMETOOLONG;
	return mkdir(full, mode) < 0 ? -errno : 0;
}

static int fake_mknod(const char *path, mode_t mode, dev_t dev)
{
	char full[512];
	int fd, r = record("mknod %s %o %lu", path, (unsigned)mode, (unsigned long)dev);

	if (r < 0)
		return r;
	if (node_count >= FAKE_MAX || strlen(path) >= sizeof(nodes[0].path))
		return -ENOSPC;
	if (tree) {
		if (sys_path(full, sizeof(full), path) < 0)
			return -ENAMETOOLONG;
		fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
		close(fd);
	}
	snprintf(nodes[node_count].path, sizeof(nodes[0].path), "%s", path);
	nodes[node_count].mode = mode;
	nodes[node_count++].dev = dev;
	return 0;
}

/* Files are real (below sys_root): tests build a fake /proc or /sys in a temp dir. */
static int fake_open(const char *path, int flags, mode_t mode)
{
	int r = record("open %s", path);
	if (r < 0)
		return r;
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		if (!devices[i].path[0] || strcmp(devices[i].path, path) != 0)
			continue;
		if (!devices[i].handler)
			return -ENOENT;
		/* A real descriptor (of /dev/null), so the caller's close() is honest. */
		devices[i].fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		return devices[i].fd < 0 ? -errno : devices[i].fd;
	}
	int fd = open(path, flags | O_CLOEXEC, mode);
	return fd < 0 ? -errno : fd;
}

static int fake_ioctl(int fd, unsigned long request, void *arg)
{
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		if (!devices[i].handler || devices[i].fd != fd)
			continue;
		int r = record("ioctl %s %#lx", devices[i].path, request);
		return r < 0 ? r : devices[i].handler(request, arg);
	}
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

/* Recorded, not done: unprivileged tests cannot give files away. */
static int fake_chown(const char *path, unsigned uid, unsigned gid)
{
	int r = record("chown %s %u:%u", path, uid, gid);

	if (r == 0 && owner_count < FAKE_MAX) {
		snprintf(owners[owner_count].path, sizeof(owners[0].path), "%s", path);
		owners[owner_count].uid = uid;
		owners[owner_count++].gid = gid;
	}
	return r;
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

/* Really waits (a test's programs are real processes); a wait that times out moves the clock past
 * it. */
static int fake_poll(struct pollfd *fds, unsigned long nfds, int timeout_ms)
{
	int r = record("poll %lu %d", nfds, timeout_ms);

	if (r < 0)
		return r;
	r = poll(fds, (nfds_t)nfds, timeout_ms);
	if (r < 0)
		return -errno;
	if (r == 0 && timeout_ms > 0)
		fake_sys_clock_ns += (int64_t)timeout_ms * 1000000;
	return r;
}

static const struct sys_ops fake_ops = {
        .mount = fake_mount,
        .mkdir = fake_mkdir,
        .mknod = fake_mknod,
        .open = fake_open,
        .ioctl = fake_ioctl,
        .socket = fake_socket,
        .finit_module = fake_finit_module,
        .reboot = fake_reboot,
        .chroot = fake_chroot,
        .getrandom = fake_getrandom,
        .unshare = fake_unshare,
        .chown = fake_chown,
        .now_ns = fake_now_ns,
        .poll = fake_poll,
};

void fake_sys_install(const char *root)
{
	fake_sys_log[0] = '\0';
	fake_sys_clock_ns = 0;
	memset(failures, 0, sizeof(failures));
	memset(devices, 0, sizeof(devices));
	tree = false;
	node_count = owner_count = 0;
	fake_sys_ops = fake_ops;
	sys = &fake_sys_ops;
	sys_root = root ? root : "";
}

void fake_sys_tree(void)
{
	tree = true;
}

void fake_sys_device(const char *path, fake_sys_ioctl_fn handler)
{
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		if (!devices[i].path[0] || strcmp(devices[i].path, path) == 0) {
			snprintf(devices[i].path, sizeof(devices[i].path), "%s", path);
			devices[i].handler = handler;
			devices[i].fd = -1;
			return;
		}
	}
	fprintf(stderr, "fake_sys_device %s: more devices than the fake holds\n", path);
	abort();
}

const struct fake_sys_node *fake_sys_node(const char *path)
{
	for (unsigned i = 0; i < node_count; i++)
		if (strcmp(nodes[i].path, path) == 0)
			return &nodes[i];
	return NULL;
}

const char *fake_sys_owner(const char *path)
{
	static char owner[32];

	for (unsigned i = owner_count; i-- > 0;)
		if (strcmp(owners[i].path, path) == 0) {
			snprintf(owner, sizeof(owner), "%u:%u", owners[i].uid, owners[i].gid);
			return owner;
		}
	return NULL;
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
