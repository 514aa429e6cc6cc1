/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Results built once and kept in the cache under a key (the NVIDIA modules,
 * the AMD SEV firmware): the key's name from its input lines, and a lock per
 * key, so two builds of one key (parallel tests) wait for each other rather
 * than race.
 */
#pragma once

#include <stddef.h>

/* The SHA-256 of the key's input lines as lowercase hex. */
int keylock_key(const char *text, size_t len, char hex[65]);

/*
 * Creates dir if needed and takes an exclusive lock on dir/.lock-KEY (the
 * key's first 32 hex digits): the locked descriptor, to close when done, or
 * a negative errno with why set.
 */
int keylock_take(const char *dir, const char *key, char *why, size_t why_size);
