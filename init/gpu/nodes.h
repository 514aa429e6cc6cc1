/* SPDX-License-Identifier: Apache-2.0 */
/* The NVIDIA device nodes, and what the driver's procfs says of each GPU (gpu/nodes.c). */
#pragma once

#include "init/gpu/topology.h"

struct gpu_info {
	char bdf[GPU_BDF_LEN];
	int minor; /* -1: unknown */
	char model[96];
	char uuid[64];
};

/* Major of a character device in /proc/devices; -ENOENT when absent. */
int gpu_chardev_major(const char *name);
/* Reads /proc/driver/nvidia/gpus/<bdf>/information. */
int gpu_info_read(const char *bdf, struct gpu_info *info);
/*
 * Creates /dev/nvidiactl, /dev/nvidiaN (one per GPU, minors from the driver),
 * /dev/nvidia-uvm, /dev/nvidia-uvm-tools and /dev/nvidia-caps/nvidia-capN,
 * with the modes nvidia-modprobe would give them. Paths, if given, receive the
 * nodes made (for the CDI spec): up to max entries of 64 bytes.
 */
int gpu_nodes_create(const struct gpu_topology *t, char (*paths)[64], unsigned max, unsigned *count,
                     char *why, size_t why_size);
