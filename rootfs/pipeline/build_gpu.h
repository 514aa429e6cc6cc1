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

/*
 * The recipe's gpu.rims as files, into *paths (count *n; free each and the
 * array): a file as named, a directory as its *.xml and *.swidtag files in
 * name order. -EINVAL, why naming the recipe and the path, for one that is
 * neither, or a directory with no RIM.
 */
int gpu_rim_paths(const struct recipe *rc, char ***paths, size_t *n, char *why, size_t why_size);

/* Pins each of the recipe's RIM files in l by file name and sha256 (`ccimage lock`). */
int gpu_rim_lock_pins(const struct recipe *rc, struct lock *l, char *why, size_t why_size);

/*
 * The recipe's RIMs, each pinned by the lock (-ESTALE when not) and verified
 * (measurement/gpu_rim_set.h) against gpu.rim-root or NVIDIA's root, each driver RIM for the driver
 * the lock pins (any when it pins none), into the root as GPU_GOLDEN_PATH (0444). Nothing when the
 * recipe names none.
 */
int build_gpu_rims(struct build *b);

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

/*
 * reference-values.json's gpu-rims entry: each RIM the image's golden table
 * holds (kind, model, version, sha256 of the file, certificate valid or
 * expired) and the table's sha256; from names the files. 0 or -ENOMEM.
 */
int build_gpu_rims_values(const struct build *b, struct json_object **values,
                          struct json_object **from);
