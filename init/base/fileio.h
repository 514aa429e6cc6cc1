/* SPDX-License-Identifier: Apache-2.0 */
/* Whole-file reads and small writes, bounded and O_CLOEXEC. All return 0 or a negative errno. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/*
 * Reads a whole file, or standard input for "-", of at most max bytes:
 * a regular file in one read, a pipe or a /sys file by growing the buffer.
 * The buffer has a NUL after its *ret_len bytes (text can be parsed in
 * place) and is never NULL on success. -EFBIG past max (a regular file's
 * size is checked before anything is read), -EISDIR for a
 * directory. The caller frees *ret.
 */
int read_full_file(const char *path, size_t max, char **ret, size_t *ret_len);
/* The same from an open descriptor, read from its offset. */
int read_full_fd(int fd, size_t max, char **ret, size_t *ret_len);

/* Writes all of buf, retrying short writes and EINTR. */
int write_full(int fd, const void *buf, size_t len);
/* The same at offset, with pwrite. */
int pwrite_full(int fd, const void *buf, size_t len, off_t offset);
/* Reads len bytes at offset, retrying short reads; returns how many (fewer only at EOF). */
ssize_t pread_full(int fd, void *buf, size_t len, off_t offset);

/*
 * WRITE_REPLACE: unlink first, then create exclusively, so never write through a link.
 * WRITE_ATOMIC: write a temporary file beside path and rename it over path, so a
 * failed or killed writer leaves the previous file (or none), never a part of one.
 */
enum {
	WRITE_NEWLINE = 1 << 0, /* a newline after text */
	WRITE_REPLACE = 1 << 1,
	WRITE_ATOMIC = 1 << 2,
};
/* Creates or truncates path (mode 0644) with text as its whole content. */
int write_string_file(const char *path, const char *text, unsigned flags);
