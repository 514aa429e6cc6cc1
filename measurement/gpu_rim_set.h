/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A set of NVIDIA RIMs, each verified (gpu_rim.h) and checked against the
 * others, into the golden table (init/base/gpu_golden.h): the one
 * implementation `ccimage gpu rims` and `ccimage build`'s GPU RIMs step share.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "measurement/gpu_rim.h"

struct gpu_rim_set {
	struct gpu_golden_rim *rims; /* n entries, in the order the paths were given */
	size_t n;
	char *text; /* the golden table, len bytes */
	size_t len;
};

/* The built-in NVIDIA RIM root, after checking it is the one its fingerprint names. */
int gpu_rim_builtin_root(struct gpu_rim_root *root, char *why, size_t why_size);

/*
 * Reads and verifies paths[0..n) against root into *set (gpu_rim_set_free).
 * With driver not NULL, every driver RIM must be for that version. Two RIMs
 * of one kind, model and version, or a driver and a VBIOS RIM measuring one
 * index, are refused. 0; -EKEYREJECTED when a signature or chain fails or a
 * driver RIM is not for driver; another negative errno; why names the file.
 */
int gpu_rim_set_read(char *const *paths, size_t n, const struct gpu_rim_root *root,
                     bool accept_expired, const char *driver, struct gpu_rim_set *set, char *why,
                     size_t why_size);
void gpu_rim_set_free(struct gpu_rim_set *set);
