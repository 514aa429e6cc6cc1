/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Results built once and kept in the cache under a key (the NVIDIA modules,
 * their build roots, the AMD SEV firmware): the key's name from its input lines, and a lock per
 * key, so two builds of one key (parallel tests) wait for each other rather
 * than race.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The SHA-256 of the key's input lines as lowercase hex. */
int keylock_key(const char *text, size_t len, char hex[65]);

/* Makes the product keylock_get() found missing; why set on failure. */
typedef int keylock_build_fn(void *ctx, char *why, size_t why_size);

/*
 * The cache's one way to a keyed product, under the key's lock (an exclusive
 * flock of dir/.lock-KEY, dir made if needed): *cached and 0 when product exists; -ENOENT, why
 * "WHAT not in the cache (PRODUCT)", when cached_only; else build(ctx), which makes product.
 */
int keylock_get(const char *dir, const char *key, const char *product, const char *what,
                bool cached_only, keylock_build_fn *build, void *ctx, bool *cached, char *why,
                size_t why_size);
