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

/* How module files are staged: as the kernel package has them, or xz and zstd ones unpacked. */
enum modstage_files { MODSTAGE_AS_SHIPPED, MODSTAGE_DECOMPRESS };

/*
 * Copies into dest_root/lib/modules/kver (ccinit's path, whatever layout the
 * kernel package had). optional (may be NULL) marks names
 * that may be absent from the kernel (built in elsewhere). With
 * MODSTAGE_DECOMPRESS a NAME.ko.xz or NAME.ko.zst is written as NAME.ko (the
 * signature, appended to the plain module, comes with it). *copied counts
 * module files.
 */
int modstage(const char *kernel_root, const char *kver, const char *dest_root,
             const char *const *names, const bool *optional, size_t count,
             enum modstage_files files, unsigned *copied, char *why, size_t why_size);

/*
 * Where kernel_root keeps kver's modules: lib/modules/kver, or
 * usr/lib/modules/kver in a usr-merged package (Debian 13's). The path goes
 * into buf either way; -ENOENT when neither is a directory.
 */
int modstage_moddir(const char *kernel_root, const char *kver, char *buf, size_t size);

/* Runs depmod over kernel_root once when its modules.dep.bin is missing. */
int modstage_ensure_depmod(const char *kernel_root, const char *kver);
