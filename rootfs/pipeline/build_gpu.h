/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NVIDIA GPU reference values of a recipe (measurement/README.md, 14): the
 * driver version its lock pins, and the rvps-gpu.json `ccimage build` writes.
 */
#pragma once

#include <stddef.h>

#include "rootfs/pipeline/build.h"
#include "rootfs/recipe/lock.h"

/*
 * The driver version the lock at lock_path pins through its NVIDIA driver
 * packages (gpu_driver_packages), into out. 0 with out empty when it pins
 * none; -EINVAL, why naming the lock and both packages, when they disagree.
 */
int gpu_driver_from_lock(const struct lock *l, const char *lock_path, char *out, size_t out_size,
                         char *why, size_t why_size);

/* rvps-gpu.json (allowed_driver_versions) when the lock pins an NVIDIA driver; else nothing. */
int build_gpu_rvps(struct build *b);

/*
 * reference-values.json's gpu-aael entry (measurement/README.md, 15.4): what
 * of ccinit's GPU events in the attestation agent's log the measured command
 * line and the kernel's configuration predict (measurement/gpu_aael.h).
 * values and from are new objects for the entry; 0 or -ENOMEM.
 */
struct json_object;
int build_gpu_aael(struct build *b, struct json_object **values, struct json_object **from);
