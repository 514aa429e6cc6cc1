/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The file rules of every host command: what it may read as input and what
 * it may write as output. All return 0 (or a descriptor) or a negative errno,
 * with why saying, in words, what the path is instead of what was wanted;
 * the caller names the path and the option once.
 *
 * Input: a regular file, opened without blocking (a FIFO with no writer is
 * refused, never waited on), its size bounded before a byte is read; also
 * /dev/null, the usual way to say "an empty file", and no other device. A stream
 * is allowed only where the user plainly gave one: "-" for standard input, or
 * the shell's /dev/fd/N of `<(...)`; it is read to the same bound.
 *
 * Output: absent, in a directory that exists, or a regular file (a previous
 * output, replaced whole). Never a device, a FIFO, a socket, a directory or
 * a symlink, and never a file the same command reads or writes under another
 * name (struct cmd_files).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/*
 * Opens path as an input: a regular file of at most max bytes, a symlink only
 * when follow. Type and size come from fstat() of the descriptor returned, so
 * nothing swapped in between is read. The descriptor, or -EINVAL with why (a
 * symlink, a loop, a directory, a device, a FIFO, too big), or another errno.
 */
int open_input_file(const char *path, uint64_t max, bool follow, struct stat *st, char *why,
                    size_t why_size);

/*
 * Reads an input whole under the rules above (symlinks followed). The buffer
 * has a NUL after its *ret_len bytes; the caller frees *ret. Refusals are
 * -EINVAL (not a regular file, more than max), or -EFBIG for a stream or a
 * file that grew past max while read, with why.
 */
int read_input_file(const char *path, size_t max, char **ret, size_t *ret_len, char *why,
                    size_t why_size);

/* What an input's bytes must not hold: 0, or -EINVAL with why when a NUL is among them. */
int input_text_check(const char *buf, size_t len, char *why, size_t why_size);

/* Whether path may be written as an output: 0, or -EINVAL / -ENOENT with why. */
int check_output_path(const char *path, char *why, size_t why_size);

/*
 * The files one command names, so that an output never replaces an input (a
 * key, a configuration) or another output, whatever the spelling: each is
 * known by its directory's real path and its name, and an existing one also
 * by device and inode (a hard link). Add every input and output before
 * anything is written.
 */
#define CMD_FILES_MAX 16
struct cmd_files {
	struct cmd_file {
		const char *option; /* "--rvps" */
		char *where;        /* real directory + "/" + name */
		dev_t dev;
		ino_t ino;
		bool exists, output;
	} files[CMD_FILES_MAX];
	size_t count;
};

/* An input the command reads ("-" and unnamed options are skipped). */
int cmd_files_input(struct cmd_files *f, const char *option, const char *path, char *why,
                    size_t why_size);
/* An output: check_output_path(), then different from every file added so far. */
int cmd_files_output(struct cmd_files *f, const char *option, const char *path, char *why,
                     size_t why_size);
void cmd_files_free(struct cmd_files *f);

/*
 * A command's outputs, all or none: each is written to a hidden file beside
 * its path, and only once every one is written are they renamed into place.
 * A failure, or a kill, before then leaves the previous outputs as they were.
 */
#define OUTPUT_SET_MAX 8
struct output_set {
	struct {
		const char *path;
		char *tmp;
	} files[OUTPUT_SET_MAX];
	size_t count;
};

/*
 * The next output, to be written through the descriptor returned (mode
 * 0644); the caller closes it, and commits once every output is written.
 */
int output_set_open(struct output_set *s, const char *path);
/* The next output, len bytes of buf. */
int output_set_add(struct output_set *s, const char *path, const void *buf, size_t len);
/* Renames every output into place; 0, or the first error (the rest are still tried). */
int output_set_commit(struct output_set *s);
/* Removes what was written and not committed; safe after commit. */
void output_set_abandon(struct output_set *s);
