// SPDX-License-Identifier: Apache-2.0
/*
 * The NVIDIA devices on PCI and the mode NVRC derives from their counts
 * (init/README.md, 4.4). Read from sysfs below sys_root, so tests fake the bus
 * with a directory tree.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init/core/enum_name.h"
#include "init/gpu/topology.h"
#include "init/core/sys.h"

#define PCI_DEVICES     "/sys/bus/pci/devices"
#define VENDOR_NVIDIA   0x10de
#define VENDOR_MELLANOX 0x15b3
#define VPD_MAX         (64 * 1024)
#define PCI_ENTRIES_MAX 1024

int gpu_mode_from_counts(unsigned nvswitches, unsigned gpus, unsigned swmng, enum gpu_mode *mode)
{
	if (nvswitches == 0 && gpus == 0 && swmng == 0)
		*mode = GPU_MODE_CPU;
	else if (nvswitches == 0 && gpus > 0 && swmng == 0)
		*mode = GPU_MODE_GPU;
	else if (nvswitches == 4 && gpus == 8 && swmng == 0)
		*mode = GPU_MODE_GPU_NVL4;
	else if (nvswitches == 4 && gpus == 0 && swmng == 0)
		*mode = GPU_MODE_SERVICEVM_NVL4;
	else if (nvswitches == 0 && gpus == 8 && swmng == 4)
		*mode = GPU_MODE_GPU_NVL5;
	else if (nvswitches == 0 && gpus == 0 && swmng == 4)
		*mode = GPU_MODE_SERVICEVM_NVL5;
	else
		return -ENOTSUP;
	return 0;
}

const char *gpu_mode_name(enum gpu_mode m)
{
	static const char *const names[] = {
	        [GPU_MODE_CPU] = "cpu",           [GPU_MODE_GPU] = "gpu",
	        [GPU_MODE_GPU_NVL4] = "gpu-nvl4", [GPU_MODE_SERVICEVM_NVL4] = "servicevm-nvl4",
	        [GPU_MODE_GPU_NVL5] = "gpu-nvl5", [GPU_MODE_SERVICEVM_NVL5] = "servicevm-nvl5",
	};

	return ENUM_NAME_OF(names, m, "?");
}

enum gpu_policy gpu_policy_resolve(enum gpu_policy p, bool gpu_image)
{
	if (p != GPU_AUTO)
		return p;
	return gpu_image ? GPU_REQUIRED : GPU_OPTIONAL;
}

const char *gpu_policy_name(enum gpu_policy p)
{
	/* The knob's own words (init/core/config.c), so the name printed is the one to give. */
	return p == GPU_AUTO ? "auto" : p <= GPU_OFF ? gpu_choices[p] : "?";
}

static int read_hex(const char *dev, const char *attr, unsigned long *value)
{
	char path[256], buf[32], *end;
	int r;

	if (snprintf(path, sizeof(path), PCI_DEVICES "/%s/%s", dev, attr) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	r = sys_read_file(path, buf, sizeof(buf));
	if (r < 0)
		return r;
	errno = 0;
	*value = strtoul(buf, &end, 16);
	if (errno || end == buf || (*end != '\0' && *end != '\n'))
		return -EINVAL;
	return 0;
}

/* The NIC's VPD names the management function SW_MNG: binary, so not sys_read_file. */
static bool vpd_has_sw_mng(const char *dev)
{
	static const char tag[] = "SW_MNG";
	char rel[256], path[512];
	bool found = false;
	char *buf;
	ssize_t n;
	size_t len = 0;
	int fd;

	if (snprintf(rel, sizeof(rel), PCI_DEVICES "/%s/vpd", dev) >= (int)sizeof(rel) ||
	    sys_path(path, sizeof(path), rel) < 0)
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	buf = malloc(VPD_MAX);
	if (buf) {
		while (len < VPD_MAX && (n = read(fd, buf + len, VPD_MAX - len)) > 0)
			len += (size_t)n;
		found = memmem(buf, len, tag, sizeof(tag) - 1) != NULL;
		free(buf);
	}
	close(fd);
	return found;
}

static int add(struct gpu_pci *list, unsigned *count, const char *bdf, unsigned long device)
{
	if (*count >= GPU_MAX)
		return -E2BIG;
	snprintf(list[*count].bdf, sizeof(list[*count].bdf), "%s", bdf);
	list[*count].device = (uint16_t)device;
	(*count)++;
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int classify(struct gpu_topology *t, const char *dev)
{
	unsigned long vendor, class, device = 0;

	if (read_hex(dev, "vendor", &vendor) < 0 || read_hex(dev, "class", &class) < 0)
		return 0; /* not a device we can read: not ours */
	(void)read_hex(dev, "device", &device);

	if (vendor == VENDOR_NVIDIA && (class >> 16) == 0x03)
		return add(t->gpus, &t->gpu_count, dev, device);
	if (vendor == VENDOR_NVIDIA && (class >> 8) == 0x0680)
		return add(t->nvswitches, &t->nvswitch_count, dev, device);
	if (vendor == VENDOR_MELLANOX && vpd_has_sw_mng(dev))
		return add(t->swmng, &t->swmng_count, dev, device);
	return 0;
}

int gpu_topology_scan(struct gpu_topology *t, char *why, size_t why_size)
{
	char path[512];
	char *names[PCI_ENTRIES_MAX];
	unsigned n = 0;
	struct dirent *de;
	DIR *d;
	int r = 0;

	memset(t, 0, sizeof(*t));
	r = sys_path(path, sizeof(path), PCI_DEVICES);
	if (r < 0)
		return r;
	d = opendir(path);
	if (!d) {
		/* No PCI bus at all (some microVMs): no devices, mode cpu. */
		if (errno == ENOENT)
			return 0;
		r = -errno;
		snprintf(why, why_size, "cannot list %s", PCI_DEVICES);
		return r;
	}
	while ((de = readdir(d)) && n < PCI_ENTRIES_MAX) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= GPU_BDF_LEN)
			continue;
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	/* Sorted by address, which is the order the driver numbers its minors in. */
	qsort(names, n, sizeof(names[0]), cmp_name);
	for (unsigned i = 0; i < n; i++) {
		if (r == 0)
			r = classify(t, names[i]);
		free(names[i]);
	}
	if (r == -E2BIG) {
		snprintf(why, why_size, "more than %d NVIDIA devices of one kind on PCI", GPU_MAX);
		return r;
	}
	if (r < 0)
		return r;

	r = gpu_mode_from_counts(t->nvswitch_count, t->gpu_count, t->swmng_count, &t->mode);
	if (r < 0)
		snprintf(
		        why, why_size,
		        "unknown PCI topology: %u NVSwitches, %u GPUs, %u SW_MNG NICs (known: "
		        "n GPUs; 8 GPUs + 4 NVSwitches; 4 NVSwitches; 8 GPUs + 4 SW_MNG; 4 SW_MNG)",
		        t->nvswitch_count, t->gpu_count, t->swmng_count);
	return r;
}
