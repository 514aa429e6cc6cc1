/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>

#include "init/boot.h"

/*
 * Rootfs mode: / was built before ccinit ran (the kernel's dm-mod.create=).
 * Checks that / is a dm-verity device whose live table carries the root hash
 * (and, with ccinit.root.verity, the salt, sizes and algorithm) the command
 * line names. Every expectation present must hold; none present is a failure.
 */
int rootfs_check(struct boot *b);

/* The root hash in a verity table's parameters, or in a dm-mod.create= value (hex, lowercase). */
int verity_table_root_hash(const char *params, char *hex, size_t size);
int dm_create_root_hash(const char *dm_create, char *hex, size_t size);
