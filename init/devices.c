/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Block devices appear asynchronously (virtio probes after init starts, and
 * partitions after the disk). Rather than sleep-poll, listen on the kernel's
 * uevent netlink socket: open it first, then look, then wait for events until
 * the device is there or the deadline passes. Nothing here trusts the device
 * contents; it only finds the node.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "init/devices.h"
#include "init/core/sys.h"
#include "init/base/why.h"

static int uevent_open(void)
{
	struct sockaddr_nl addr = {.nl_family = AF_NETLINK, .nl_groups = 1};
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	                NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int block_devices_each(const char *attr,
                       int (*fn)(const char *dev, const char *value, void *userdata),
                       void *userdata)
{
	char dir[256];
	int r = sys_path(dir, sizeof(dir), "/sys/block");
	if (r < 0)
		return r;
	DIR *d = opendir(dir);
	if (!d)
		return -errno;
	struct dirent *de;
	r = 0;
	while (r == 0 && (de = readdir(d))) {
		char path[320], value[128];
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/%s", de->d_name, attr);
		if (sys_read_file(path, value, sizeof(value)) >= 0)
			r = fn(de->d_name, value, userdata);
	}
	closedir(d);
	return r;
}

struct named {
	const char *want;
	char *found;
	size_t size;
};

static int match_value(const char *dev, const char *value, void *userdata)
{
	struct named *n = userdata;
	if (strcmp(value, n->want) != 0)
		return 0;
	snprintf(n->found, n->size, "%s", dev);
	return 1;
}

int block_device_find(const char *attr, const char *value, char *dev, size_t size)
{
	struct named n = {value, dev, size};
	int r = block_devices_each(attr, match_value, &n);
	return r == 1 ? 0 : r < 0 ? r : -ENOENT;
}

/* Linux names partitions "vda1" but "nvme0n1p1": a "p" when the disk name ends in a digit. */
static void partition_path(const char *disk, unsigned partition, char *path, size_t size)
{
	size_t len = strlen(disk);
	bool digit = len && disk[len - 1] >= '0' && disk[len - 1] <= '9';
	snprintf(path, size, "%s%s%u", disk, digit ? "p" : "", partition);
}

static int resolve(const char *spec, unsigned partition, char *path, size_t size)
{
	char disk[300], full[300];
	struct stat st;
	if (strncmp(spec, "serial:", 7) == 0) {
		char name[256];
		int r = block_device_find("serial", spec + 7, name, sizeof(name));
		if (r < 0)
			return r;
		snprintf(disk, sizeof(disk), "/dev/%s", name);
	} else {
		snprintf(disk, sizeof(disk), "%s", spec);
	}
	if (partition)
		partition_path(disk, partition, path, size);
	else
		snprintf(path, size, "%s", disk);
	if (sys_path(full, sizeof(full), path) < 0)
		return -ENAMETOOLONG;
	if (stat(full, &st) < 0)
		return -errno;
	return S_ISBLK(st.st_mode) ? 0 : -ENOTBLK;
}

int device_wait(const char *spec, unsigned partition, unsigned timeout_s, char *path, size_t size,
                char *why, size_t why_size)
{
	int64_t deadline = sys->now_ns() + (int64_t)timeout_s * 1000000000;
	int fd = uevent_open();
	if (fd < 0)
		return why_set(why, why_size, fd, "uevent socket");
	int r;
	for (;;) {
		r = resolve(spec, partition, path, size);
		if (r != -ENOENT)
			break;
		int64_t left_ms = (deadline - sys->now_ns()) / 1000000;
		if (left_ms <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, (int)left_ms) < 0 && errno != EINTR) {
			r = -errno;
			break;
		}
		char buf[8192];
		while (recv(fd, buf, sizeof(buf), 0) > 0)
			; /* any event is a reason to look again; the look decides */
	}
	close(fd);
	if (r == -ETIMEDOUT && partition)
		return why_set(why, why_size, r, "%s partition %u did not appear within %u s", spec,
		               partition, timeout_s);
	if (r == -ETIMEDOUT)
		return why_set(why, why_size, r, "%s did not appear within %u s", spec, timeout_s);
	if (r < 0)
		return why_set(why, why_size, r, "device %s", spec);
	return 0;
}

int block_device_disk(const char *dev, char *name, size_t name_size, char *disk, size_t disk_size)
{
	char full[300], link[300], real[4096];
	struct stat st;
	if (sys_path(full, sizeof(full), dev) < 0)
		return -ENAMETOOLONG;
	if (stat(full, &st) < 0)
		return -errno;
	if (!S_ISBLK(st.st_mode))
		return -ENOTBLK;
	/* /sys/dev/block/M:m links to .../block/<disk> or .../block/<disk>/<partition>. */
	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(st.st_rdev), minor(st.st_rdev));
	if (sys_path(full, sizeof(full), link) < 0)
		return -ENAMETOOLONG;
	if (!realpath(full, real))
		return -errno;
	char *last = strrchr(real, '/');
	if (!last)
		return -EINVAL;
	snprintf(name, name_size, "%s", last + 1);
	snprintf(full + strlen(full), sizeof(full) - strlen(full), "/partition");
	if (access(full, F_OK) == 0) {
		*last = '\0';
		last = strrchr(real, '/');
		if (!last)
			return -EINVAL;
	}
	snprintf(disk, disk_size, "%s", last + 1);
	return 0;
}
