/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writing into a staging directory without ever leaving it: every path is
 * walked from the stage's descriptor one component at a time with
 * O_NOFOLLOW, so neither ".." nor a symlink placed by a package can redirect
 * a write. Modes are set explicitly (the umask plays no part).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* An absolute image path with no empty, "." or ".." component: the only kind written. */
bool stage_path_ok(const char *path);

/* Gives the mode for a missing parent directory (e.g. from a package's index); NULL: 0755. */
typedef mode_t (*stagefs_dirmode_fn)(const char *path, void *userdata);

/*
 * Opens the directory that holds path (absolute in the image), creating
 * missing parents. *base points at the last component of path. Returns an fd.
 */
int stagefs_parent(int rootfd, const char *path, stagefs_dirmode_fn dirmode, void *userdata,
                   const char **base);

/* A directory; an existing one gets mode. */
int stagefs_mkdir(int rootfd, const char *path, mode_t mode, stagefs_dirmode_fn dirmode,
                  void *userdata);
/* A new regular file (O_EXCL); returns a writable fd. The mode is set on close by the caller. */
int stagefs_create(int rootfd, const char *path, stagefs_dirmode_fn dirmode, void *userdata);
/* A symlink; an identical existing one is fine. */
int stagefs_symlink(int rootfd, const char *path, const char *target, stagefs_dirmode_fn dirmode,
                    void *userdata);
/* A hard link to target (an image path already staged). */
int stagefs_link(int rootfd, const char *path, const char *target, stagefs_dirmode_fn dirmode,
                 void *userdata);
/* A regular file from bytes, or from an open host file of at most max bytes (-EFBIG past it). */
int stagefs_write(int rootfd, const char *path, const void *buf, size_t len, mode_t mode);
int stagefs_copy_in(int rootfd, const char *path, int in, uint64_t max, mode_t mode);
/* lstat of an image path inside the stage (no symlink followed); -ENOENT when absent. */
int stagefs_lstat(int rootfd, const char *path, struct stat *st);
