/* SPDX-License-Identifier: Apache-2.0 */
/* The real kernel behind the seam (init/core/sys.h): thin wrappers that turn -1/errno into -errno.
 */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init/core/sys.h"

#define RET_NERRNO(expr) ((expr) < 0 ? -errno : 0)

static int real_mount(const char *source, const char *target, const char *fstype,
                      unsigned long flags, const void *data)
{
	return RET_NERRNO(mount(source, target, fstype, flags, data));
}

static int real_mkdir(const char *path, mode_t mode)
{
	return RET_NERRNO(mkdir(path, mode));
}

static int real_mknod(const char *path, mode_t mode, dev_t dev)
{
	return RET_NERRNO(mknod(path, mode, dev));
}

static int real_open(const char *path, int flags, mode_t mode)
{
	int fd = open(path, flags | O_CLOEXEC, mode);
	return fd < 0 ? -errno : fd;
}

static int real_ioctl(int fd, unsigned long request, void *arg)
{
	int r = ioctl(fd, request, arg);
	return r < 0 ? -errno : r;
}

static int real_socket(int domain, int type, int protocol)
{
	int fd = socket(domain, type | SOCK_CLOEXEC, protocol);
	return fd < 0 ? -errno : fd;
}

static int real_finit_module(int fd, const char *params, int flags)
{
	return RET_NERRNO(syscall(SYS_finit_module, fd, params, flags));
}

static int real_chown(const char *path, unsigned uid, unsigned gid)
{
	return RET_NERRNO(chown(path, (uid_t)uid, (gid_t)gid));
}

static int real_unshare(int flags)
{
	return RET_NERRNO(unshare(flags));
}

static int real_reboot(int cmd)
{
	return RET_NERRNO(reboot(cmd));
}

static int real_chroot(const char *path)
{
	return RET_NERRNO(chroot(path));
}

static int real_getrandom(void *buf, size_t len)
{
	/* Blocking is right here: an early-boot key must never come from an uninitialised pool. */
	size_t done = 0;
	while (done < len) {
		ssize_t n = getrandom((char *)buf + done, len - done, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)n;
	}
	return 0;
}

static int64_t real_now_ns(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int real_poll(struct pollfd *fds, unsigned long nfds, int timeout_ms)
{
	int n = poll(fds, (nfds_t)nfds, timeout_ms);
	return n < 0 ? -errno : n;
}

const struct sys_ops sys_real = {
        .mount = real_mount,
        .mkdir = real_mkdir,
        .mknod = real_mknod,
        .open = real_open,
        .ioctl = real_ioctl,
        .socket = real_socket,
        .finit_module = real_finit_module,
        .unshare = real_unshare,
        .chown = real_chown,
        .reboot = real_reboot,
        .chroot = real_chroot,
        .getrandom = real_getrandom,
        .now_ns = real_now_ns,
        .poll = real_poll,
};

const struct sys_ops *sys = &sys_real;
const char *sys_root = "";

int sys_path(char *buf, size_t size, const char *path)
{
	int n = snprintf(buf, size, "%s%s", sys_root, path);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Opens path below sys_root through the seam. Returns an fd or a negative errno. */
static int open_below_root(const char *path, int flags)
{
	char full[512];
	int r = sys_path(full, sizeof(full), path);

	return r < 0 ? r : sys->open(full, flags | O_CLOEXEC, 0);
}

int sys_read_file(const char *path, char *buf, size_t size)
{
	int r, fd = open_below_root(path, O_RDONLY);
	if (fd < 0)
		return fd;
	size_t len = 0;
	while (len + 1 < size) {
		ssize_t n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			close(fd);
			return r;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	while (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return (int)len;
}

int sys_write_file(const char *path, const char *value)
{
	int r, fd = open_below_root(path, O_WRONLY);
	if (fd < 0)
		return fd;
	size_t len = strlen(value);
	ssize_t n = write(fd, value, len);
	r = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
	close(fd);
	return r;
}
