/* SPDX-License-Identifier: Apache-2.0 */
/* Small file-system helpers for the image builder. All return 0 or a negative errno. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Writes "a/b" into buf; -ENAMETOOLONG when it does not fit. */
int path_join(char *buf, size_t size, const char *a, const char *b);
/* Creates the parent directories of path (not path itself). */
int mkdir_parents(const char *path, mode_t mode);
/* The most copy_fd() moves at a time, and all it ever holds in memory. */
#define COPY_CHUNK (1u << 20)
/*
 * Copies in, from its file offset to its end, to out at out's offset, at most
 * COPY_CHUNK bytes a step: with copy_file_range() where the kernel can (the
 * bytes never pass through this process), else with read() and write()
 * through one buffer (pipes, file systems it cannot span), so memory does not
 * grow with the file. -EFBIG once more than max bytes came (a file still
 * growing is not copied without end); *copied (may be NULL) gets the count.
 */
int copy_fd(int in, int out, uint64_t max, uint64_t *copied);
/* Copies a file's bytes with copy_fd(); the copy gets mode, not the source's. */
int copy_file(const char *from, const char *to, mode_t mode);
/* Whether path is a directory with no entry but . and .. (false when it cannot be read). */
bool dir_is_empty(const char *path);
/*
 * An exclusive flock(2) on path, made with mode when missing and never
 * opened through a symlink; it holds until the descriptor returned is
 * closed. -errno with why "locking PATH: ..." otherwise.
 */
int lock_path(const char *path, mode_t mode, char *why, size_t why_size);
/* Removes a directory tree (no symlink is followed). */
int remove_tree(const char *path);

/*
 * Calls fn(path, its lstat, userdata) for root and everything below it, no
 * symlink followed: a directory before its entries, or after them with
 * TREE_DEPTH. Entries come in the directory's order (callers that print
 * sort). A negative return from fn stops the walk and is returned.
 */
enum { TREE_DEPTH = 1 << 0 };
int tree_walk(const char *root, unsigned flags,
              int (*fn)(const char *path, const struct stat *st, void *userdata), void *userdata);
