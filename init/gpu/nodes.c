// SPDX-License-Identifier: Apache-2.0
/*
 * The NVIDIA device nodes. The driver registers its character devices but
 * creates no nodes (nvidia-modprobe does that on a normal system), so we make
 * them with the numbers and modes nvidia-modprobe uses: 195:255 for the
 * control device, 195:<minor> per GPU, the nvidia-uvm major from
 * /proc/devices with minors 0 and 1, and one node per capability file under
 * /proc/driver/nvidia/capabilities. Modes come from the driver's
 * DeviceFileMode (default 0666), applied exactly (umask cleared), and owners
 * from DeviceFileUID/GID, as nvidia-modprobe's chmod and chown after mknod do.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "init/gpu/nodes.h"
#include "init/base/log.h"
#include "init/core/sys.h"

#define NV_MAJOR         195
#define NV_CTL_MINOR     255
#define NV_PARAMS        "/proc/driver/nvidia/params"
#define NV_CAPS_PROC     "/proc/driver/nvidia/capabilities"
#define NV_CAPS_DEV      "/dev/nvidia-caps"
#define NV_NVSWITCH_PERM "/proc/driver/nvidia-nvswitch/permissions"
#define CAPS_DEPTH_MAX   4

struct node_params {
	unsigned mode, uid, gid, modify;
};

struct node_list {
	char (*paths)[64];
	unsigned max, count;
};

int gpu_chardev_major(const char *name)
{
	char buf[8192], *line, *save = NULL;
	bool in_chr = false;
	int r = sys_read_file("/proc/devices", buf, sizeof(buf));

	if (r < 0)
		return r;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char dev[64];
		int major;

		if (strcmp(line, "Character devices:") == 0) {
			in_chr = true;
			continue;
		}
		if (strcmp(line, "Block devices:") == 0)
			in_chr = false;
		if (!in_chr || sscanf(line, " %d %63s", &major, dev) != 2)
			continue;
		if (strcmp(dev, name) == 0)
			return major;
	}
	return -ENOENT;
}

/* "Key: value" lines as the driver's procfs files write them; unknown keys are skipped. */
static void parse_params(const char *text, struct node_params *p)
{
	const char *line = text;

	while (line && *line) {
		unsigned v;
		char key[32];

		if (sscanf(line, "%31[^:]: %u", key, &v) == 2) {
			if (strcmp(key, "DeviceFileUID") == 0)
				p->uid = v;
			else if (strcmp(key, "DeviceFileGID") == 0)
				p->gid = v;
			else if (strcmp(key, "DeviceFileMode") == 0)
				p->mode = v & 0777;
			else if (strcmp(key, "ModifyDeviceFiles") == 0 ||
			         strcmp(key, "DeviceFileModify") == 0)
				p->modify = v;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
}

static void read_params(const char *proc_path, struct node_params *p)
{
	char buf[4096];

	*p = (struct node_params){.mode = 0666, .uid = 0, .gid = 0, .modify = 1};
	if (proc_path && sys_read_file(proc_path, buf, sizeof(buf)) >= 0)
		parse_params(buf, p);
}

static int make_node(struct node_list *l, const char *path, int major, int minor,
                     const struct node_params *p, char *why, size_t why_size)
{
	char full[512];
	struct stat st;
	mode_t old;
	int r;

	if (!p->modify)
		return 0; /* the driver's parameters say someone else manages the nodes */
	old = umask(0);
	r = sys->mknod(path, S_IFCHR | p->mode, makedev(major, minor));
	umask(old);
	if (r == -EEXIST) {
		/* Keep an existing node only if it is exactly the one we would make. */
		if (sys_path(full, sizeof(full), path) < 0 || stat(full, &st) < 0 ||
		    !S_ISCHR(st.st_mode) || st.st_rdev != makedev(major, minor)) {
			snprintf(why, why_size, "%s exists and is not char %d:%d", path, major,
			         minor);
			return -EEXIST;
		}
		r = 0;
	}
	if (r < 0) {
		snprintf(why, why_size, "mknod %s (char %d:%d)", path, major, minor);
		return r;
	}
	/* The owner the driver reports (NVreg_DeviceFileUID/GID), as nvidia-modprobe sets it. */
	if ((p->uid || p->gid) && (r = sys->chown(path, p->uid, p->gid)) < 0) {
		snprintf(why, why_size, "chown %s to %u:%u (DeviceFileUID/GID)", path, p->uid,
		         p->gid);
		return r;
	}
	if (l->paths && l->count < l->max)
		snprintf(l->paths[l->count++], 64, "%s", path);
	return 0;
}

static void copy_field(char *dst, size_t size, const char *text, const char *key)
{
	const char *p = strstr(text, key);
	size_t n;

	dst[0] = '\0';
	if (!p)
		return;
	p += strlen(key);
	p += strspn(p, " \t");
	n = strcspn(p, "\n");
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

int gpu_info_read(const char *bdf, struct gpu_info *info)
{
	char path[128], buf[4096], minor[16], *end;
	int r;

	memset(info, 0, sizeof(*info));
	info->minor = -1;
	snprintf(info->bdf, sizeof(info->bdf), "%s", bdf);
	if (snprintf(path, sizeof(path), "/proc/driver/nvidia/gpus/%s/information", bdf) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	r = sys_read_file(path, buf, sizeof(buf));
	if (r < 0)
		return r;
	copy_field(info->model, sizeof(info->model), buf, "Model:");
	copy_field(info->uuid, sizeof(info->uuid), buf, "GPU UUID:");
	copy_field(minor, sizeof(minor), buf, "Device Minor:");
	errno = 0;
	long m = strtol(minor, &end, 10);
	if (minor[0] && !errno && *end == '\0' && m >= 0 && m < NV_CTL_MINOR)
		info->minor = (int)m;
	return 0;
}

static int caps_walk(struct node_list *l, int major, const char *dir, int depth, char *why,
                     size_t why_size)
{
	char full[512], rel[512], buf[512];
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (depth > CAPS_DEPTH_MAX || sys_path(full, sizeof(full), dir) < 0)
		return 0;
	d = opendir(full);
	if (!d)
		return 0;
	while (r == 0 && (de = readdir(d))) {
		struct node_params p;
		char node[64];
		int minor = -1;
		const char *m;

		if (de->d_name[0] == '.' ||
		    snprintf(rel, sizeof(rel), "%s/%s", dir, de->d_name) >= (int)sizeof(rel))
			continue;
		if (sys_read_file(rel, buf, sizeof(buf)) < 0) {
			r = caps_walk(l, major, rel, depth + 1, why, why_size);
			continue;
		}
		m = strstr(buf, "DeviceFileMinor:");
		if (!m || sscanf(m, "DeviceFileMinor: %d", &minor) != 1 || minor < 0 ||
		    minor > 0xfffff)
			continue;
		read_params(NULL, &p);
		parse_params(buf, &p);
		snprintf(node, sizeof(node), NV_CAPS_DEV "/nvidia-cap%d", minor);
		r = make_node(l, node, major, minor, &p, why, why_size);
	}
	closedir(d);
	return r;
}

/* The fabric manager's devices: nvidia-nvswitchctl (minor 255) and one per switch. */
static int nvswitch_nodes(struct node_list *l, unsigned count, char *why, size_t why_size)
{
	struct node_params p;
	int major = gpu_chardev_major("nvidia-nvswitch");
	int r;

	if (major < 0) {
		snprintf(why, why_size, "nvidia-nvswitch is not in /proc/devices");
		return major;
	}
	read_params(NV_NVSWITCH_PERM, &p);
	r = make_node(l, "/dev/nvidia-nvswitchctl", major, NV_CTL_MINOR, &p, why, why_size);
	for (unsigned i = 0; r == 0 && i < count; i++) {
		char node[64];

		snprintf(node, sizeof(node), "/dev/nvidia-nvswitch%u", i);
		r = make_node(l, node, major, (int)i, &p, why, why_size);
	}
	return r;
}

int gpu_nodes_create(const struct gpu_topology *t, char (*paths)[64], unsigned max, unsigned *count,
                     char *why, size_t why_size)
{
	struct node_list l = {.paths = paths, .max = max};
	struct node_params p;
	int major, r;

	read_params(NV_PARAMS, &p);
	r = make_node(&l, "/dev/nvidiactl", NV_MAJOR, NV_CTL_MINOR, &p, why, why_size);
	for (unsigned i = 0; r == 0 && i < t->gpu_count; i++) {
		struct gpu_info info;
		char node[64];

		/* The driver's own minor; the address order is its numbering when unreadable. */
		if (gpu_info_read(t->gpus[i].bdf, &info) < 0 || info.minor < 0)
			info.minor = (int)i;
		snprintf(node, sizeof(node), "/dev/nvidia%d", info.minor);
		r = make_node(&l, node, NV_MAJOR, info.minor, &p, why, why_size);
	}
	if (r < 0)
		goto out;

	if (t->nvswitch_count) {
		r = nvswitch_nodes(&l, t->nvswitch_count, why, why_size);
		if (r < 0)
			goto out;
	}
	if (t->gpu_count == 0)
		goto out; /* the fabric's service VM: no uvm */

	major = gpu_chardev_major("nvidia-uvm");
	if (major < 0) {
		snprintf(why, why_size, "nvidia-uvm is not in /proc/devices");
		r = major;
		goto out;
	}
	/* nvidia-modprobe passes no procfs path for uvm: always the defaults. */
	read_params(NULL, &p);
	r = make_node(&l, "/dev/nvidia-uvm", major, 0, &p, why, why_size);
	if (r == 0)
		r = make_node(&l, "/dev/nvidia-uvm-tools", major, 1, &p, why, why_size);
	if (r < 0)
		goto out;

	major = gpu_chardev_major("nvidia-caps");
	if (major >= 0) {
		r = sys->mkdir(NV_CAPS_DEV, 0755);
		if (r < 0 && r != -EEXIST) {
			snprintf(why, why_size, "mkdir %s", NV_CAPS_DEV);
			goto out;
		}
		r = caps_walk(&l, major, NV_CAPS_PROC, 0, why, why_size);
	}
out:
	if (count)
		*count = l.count;
	return r < 0 ? r : 0;
}
