/* SPDX-License-Identifier: Apache-2.0 */
/* Small file-system helpers for the image builder. All return 0 or a negative errno. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Writes "a/b" into buf; -ENAMETOOLONG when it does not fit. */
int path_join(char *buf, size_t size, const char *a, const char *b);
/* Creates the parent directories of path (not path itself). */
int mkdir_parents(const char *path, mode_t mode);
/* Copies a regular file's bytes; the copy gets mode, not the source's. */
int copy_file(const char *from, const char *to, mode_t mode);
/* Removes a directory tree (no symlink is followed). */
int remove_tree(const char *path);
