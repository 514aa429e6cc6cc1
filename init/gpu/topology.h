/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The NVIDIA devices on PCI and the mode NVRC derives from their counts
 * (gpu/topology.c, init/README.md, 4.4), and the GPU policy that follows
 * from the image.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "init/core/config.h"

#define GPU_MAX     32
#define GPU_BDF_LEN 16

enum gpu_mode {
	GPU_MODE_CPU,            /* no NVIDIA device: nothing to do */
	GPU_MODE_GPU,            /* GPUs, no NVLink fabric */
	GPU_MODE_GPU_NVL4,       /* 8 GPUs + 4 NVSwitches (Hopper HGX) */
	GPU_MODE_SERVICEVM_NVL4, /* 4 NVSwitches, no GPU: the fabric's service VM */
	GPU_MODE_GPU_NVL5,       /* 8 GPUs + 4 SW_MNG NICs (Blackwell HGX) */
	GPU_MODE_SERVICEVM_NVL5, /* 4 SW_MNG NICs, no GPU */
};

struct gpu_pci {
	char bdf[GPU_BDF_LEN];
	uint16_t device;
};

struct gpu_topology {
	unsigned gpu_count, nvswitch_count, swmng_count;
	struct gpu_pci gpus[GPU_MAX]; /* sorted by address: the driver's minor order */
	struct gpu_pci nvswitches[GPU_MAX];
	struct gpu_pci swmng[GPU_MAX];
	enum gpu_mode mode;
};

/*
 * Scans /sys/bus/pci/devices. -ENOTSUP (with why) for a combination NVRC's
 * table does not know; -E2BIG past GPU_MAX devices of a kind.
 */
int gpu_topology_scan(struct gpu_topology *t, char *why, size_t why_size);
/* NVRC's mode table (init/README.md, 4.4). -ENOTSUP for any other combination. */
int gpu_mode_from_counts(unsigned nvswitches, unsigned gpus, unsigned swmng, enum gpu_mode *mode);
const char *gpu_mode_name(enum gpu_mode m);
/* ccinit.gpu=auto: required in a GPU image (one that ships NVIDIA firmware), else optional. */
enum gpu_policy gpu_policy_resolve(enum gpu_policy p, bool gpu_image);
const char *gpu_policy_name(enum gpu_policy p);
