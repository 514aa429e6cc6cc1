/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unpacking a compressed kernel module on the host (xz through liblzma,
 * zstd through libzstd), so that an initramfs holds plain .ko files and the
 * guest kernel inserts them without decompressing (modules/README.md, 4).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* A module bigger than this once unpacked is refused: no real one comes close. */
#define MODULE_MAX_BYTES (256u << 20)

/*
 * When relpath names an xz or zstd module (NAME.ko.xz, NAME.ko.zst), writes
 * NAME.ko's path into plain and returns true; otherwise false (a plain .ko,
 * or a format left for the kernel).
 */
bool module_unpacked_name(const char *relpath, char *plain, size_t size);

/*
 * Decompresses the module at from (its format by its suffix) into to, mode
 * 0644. A corrupt or truncated stream, or one that unpacks past
 * MODULE_MAX_BYTES, fails naming from; to is then removed.
 */
int module_decompress(const char *from, const char *to, char *why, size_t why_size);
