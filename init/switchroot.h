/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include "init/core/boot.h"

/*
 * Makes new_root (a mount point) the root: moves the API file systems into
 * it, frees the initramfs's memory, and moves new_root onto /. Afterwards /
 * is the new root and the process's cwd and root point at it.
 */
int switch_root(struct boot *b, const char *new_root);
