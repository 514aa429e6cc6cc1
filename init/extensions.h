/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "init/core/boot.h"

/*
 * Kata's composable images (init/README.md, 5.3): every disk whose virtio serial is
 * extension-<name> is a verity-protected erofs (p1 data, p2 hash) with its
 * parameters on the command line as kata.extension.<name>.verity_params=,
 * mounted read-only at /run/kata-extensions/<name>. Fails closed: a disk
 * without parameters, parameters (or a bare key) without a disk, a missing
 * partition or a verity mismatch are boot failures.
 */
int extensions_mount(struct boot *b);
