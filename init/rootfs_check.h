/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "init/base/verity_table.h"
#include "init/core/boot.h"

/*
 * Rootfs mode: / was built before ccinit ran (the kernel's dm-mod.create=).
 * Checks that / is a dm-verity device whose live table is, field by field,
 * the one the measured command line names (dm-mod.create=, and the root hash,
 * salt, sizes and algorithm of ccinit.root.verity), with no option that
 * weakens verification. Every expectation present must hold; none present is
 * a failure.
 */
int rootfs_check(struct boot *b);

/* What the kernel holds for /: the dm name, the target's length and its table. */
struct rootfs_live {
	char name[128];
	uint64_t sectors;
	struct verity_table table;
};

/*
 * The comparison itself, apart for the unit tests: dm and kata may each be
 * NULL (not on the command line). -EKEYREJECTED names the field and both
 * values in why; a device the line names that cannot be resolved is its own
 * error.
 */
int rootfs_compare(const struct rootfs_live *live, const struct dm_create *dm,
                   const struct verity_params *kata, char *why, size_t why_size);

/* "MAJ:MIN" (as a live table names a device) from "MAJ:MIN" or a /dev path. */
int rootfs_resolve_device(const char *spec, char out[24], char *why, size_t why_size);
