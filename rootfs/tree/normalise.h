/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The last touches on a staged root before it becomes an image: the loader
 * cache, and one time on every inode. Owners are not changed here: chown
 * drops setuid bits, and mkfs.erofs --all-root and the cpio writer make every
 * owner root anyway. Modes are the packages' and the recipe's, already set
 * explicitly (umask-proof) when the files were written.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Runs the host's `ldconfig -X -r STAGE` when the stage has a dynamic loader,
 * and removes ldconfig's aux-cache (it records host inode times). *made says
 * whether /etc/ld.so.cache was written.
 */
int normalise_ld_cache(const char *stage, bool *made, char *why, size_t why_size);

/* Sets every inode's atime and mtime (symlinks included) to epoch. */
int normalise_times(const char *stage, uint64_t epoch, char *why, size_t why_size);
