// SPDX-License-Identifier: Apache-2.0
/*
 * The GPU code's readers of driver and device text: /proc/devices, the
 * driver's params and capability files, a GPU's information file, and a
 * NIC's VPD (device-controlled bytes, so host-controlled in a CVM). The input
 * is split on NUL bytes into those files below a temp sys_root; mknod is a
 * no-op.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/gpu/nodes.h"
#include "init/gpu/topology.h"
#include "init/core/sys.h"

static char root[64];

static int noop_mknod(const char *path, mode_t mode, dev_t dev)
{
	(void)path, (void)mode, (void)dev;
	return 0;
}

static int noop_mkdir(const char *path, mode_t mode)
{
	(void)path, (void)mode;
	return 0;
}

static struct sys_ops ops;

static void put(const char *rel, const uint8_t *data, size_t size)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
}

static void setup(void)
{
	static const char *dirs[] = {"/proc",
	                             "/proc/driver",
	                             "/proc/driver/nvidia",
	                             "/proc/driver/nvidia/gpus",
	                             "/proc/driver/nvidia/gpus/0000:10:00.0",
	                             "/proc/driver/nvidia/capabilities",
	                             "/sys",
	                             "/sys/bus",
	                             "/sys/bus/pci",
	                             "/sys/bus/pci/devices",
	                             "/sys/bus/pci/devices/0000:10:00.0",
	                             "/sys/bus/pci/devices/0000:20:00.0"};
	char path[512];

	snprintf(root, sizeof(root), "/tmp/fuzz-gpu-XXXXXX");
	if (!mkdtemp(root))
		abort();
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", root, dirs[i]);
		mkdir(path, 0755);
	}
	put("/sys/bus/pci/devices/0000:10:00.0/vendor", (const uint8_t *)"0x10de", 6);
	put("/sys/bus/pci/devices/0000:10:00.0/class", (const uint8_t *)"0x030200", 8);
	put("/sys/bus/pci/devices/0000:20:00.0/vendor", (const uint8_t *)"0x15b3", 6);
	put("/sys/bus/pci/devices/0000:20:00.0/class", (const uint8_t *)"0x020000", 8);
	sys_root = root;
	ops = sys_real;
	ops.mknod = noop_mknod;
	ops.mkdir = noop_mkdir;
	sys = &ops;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *files[] = {"/proc/devices", "/proc/driver/nvidia/params",
	                              "/proc/driver/nvidia/capabilities/cap",
	                              "/proc/driver/nvidia/gpus/0000:10:00.0/information",
	                              "/sys/bus/pci/devices/0000:20:00.0/vpd"};
	struct gpu_topology t;
	struct gpu_info info;
	char why[256];
	size_t off = 0;

	if (!root[0])
		setup();
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const uint8_t *end = off < size ? memchr(data + off, 0, size - off) : NULL;
		size_t n = end ? (size_t)(end - (data + off)) : size - (off < size ? off : size);
		put(files[i], data + (off < size ? off : size), n);
		off += n + 1;
	}
	(void)gpu_chardev_major("nvidia-uvm");
	(void)gpu_info_read("0000:10:00.0", &info);
	if (gpu_topology_scan(&t, why, sizeof(why)) == 0)
		(void)gpu_nodes_create(&t, NULL, 0, NULL, why, sizeof(why));
	return 0;
}
