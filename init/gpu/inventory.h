/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The GPU topology the measured command line pins, held against PCI and the
 * driver, and the nvidia module's options for a topology (gpu/inventory.c).
 */
#pragma once

#include <stddef.h>

#include "init/core/config.h"
#include "init/gpu/topology.h"
#include "init/core/tee.h"

/* ccinit.gpu.count / ccinit.nvswitch.count against PCI: -ENODEV naming both numbers. */
int gpu_count_check_pci(const struct ccinit_config *c, const struct gpu_topology *t, char *why,
                        size_t why_size);
/* The same against the devices the driver bound (its procfs), after it loaded. */
int gpu_count_check_driver(const struct ccinit_config *c, char *why, size_t why_size);

/* The nvidia module's options for this topology and TEE (a table), or NULL. */
const char *gpu_module_options(const struct gpu_topology *t, enum cpu_tee tee);
