/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Staging kernel modules for an image: the named modules and everything
 * they depend on, resolved with libkmod (the code ccinit loads them with),
 * copied from an extracted kernel tree, plus depmod's indexes for exactly
 * that set. Used by `ccimage initramfs` and `ccimage build`.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/*
 * Copies into dest_root/lib/modules/kver. optional (may be NULL) marks names
 * that may be absent from the kernel (built in elsewhere). *copied counts
 * module files.
 */
int modstage(const char *kernel_root, const char *kver, const char *dest_root,
             const char *const *names, const bool *optional, size_t count, unsigned *copied,
             char *why, size_t why_size);

/* Runs depmod over kernel_root once when its modules.dep.bin is missing. */
int modstage_ensure_depmod(const char *kernel_root, const char *kver);
