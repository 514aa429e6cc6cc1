/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every NVIDIA function reset once before the driver first probes it, and
 * every GPU bound to the driver after it loaded (gpu/reset.c).
 */
#pragma once

#include <stddef.h>

#include "init/gpu/topology.h"

/*
 * Resets each GPU and NVSwitch in t once through sysfs, preferring FLR.
 * -EBUSY (with why) when a function is already bound to a driver: it was
 * probed before its reset, which is what this step exists to prevent.
 */
int gpu_reset_all(const struct gpu_topology *t, char *why, size_t why_size);

/* Every GPU in t bound to nvidia (its sysfs driver link), else -ENODEV naming the first that is
 * not. */
int gpu_bound_check(const struct gpu_topology *t, char *why, size_t why_size);
