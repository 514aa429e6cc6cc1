/* SPDX-License-Identifier: Apache-2.0 */
/* The GPU userspace ccinit starts, and the CDI spec (gpu/daemons.c). */
#pragma once

#include <stddef.h>

#include "init/core/config.h"
#include "init/gpu/topology.h"

/* NVRC's fixed 120 s failed on 8 GPUs: 120 s plus 60 s per GPU (600 s for 8, NVRC's new value). */
unsigned gpu_persistenced_timeout_s(unsigned configured_s, unsigned gpu_count);
/* Starts nvidia-persistenced and waits for its socket; a child that fails is an error. */
int gpu_persistenced_start(const struct ccinit_config *c, unsigned gpu_count, char *why,
                           size_t why_size);
/* nvidia-smi -lgc/-lmc/-pl when set. */
int gpu_smi_knobs(const struct ccinit_config *c, char *why, size_t why_size);
/* nv-hostengine and dcgm-exporter when nvrc.dcgm asks and the image has them. */
int gpu_dcgm_start(const struct ccinit_config *c, char *why, size_t why_size);
/* The fabric manager for the NVL4 modes (FABRIC_MODE 0, or 1 in the service VM). */
int gpu_fabricmanager_start(const struct ccinit_config *c, enum gpu_mode mode, char *why,
                            size_t why_size);
/* Reaps the daemons started so far: one that exited non-zero is an error. */
int gpu_daemons_check(char *why, size_t why_size);
/* The CDI spec: nvidia-ctk when the image has it, else written from the nodes made. */
int gpu_cdi_write(const struct ccinit_config *c, const struct gpu_topology *t, char (*nodes)[64],
                  unsigned count, char *why, size_t why_size);
