/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An output directory replaced whole. The command writes into tmp, a fresh
 * directory beside final (same file system, so one rename moves it), and
 * commits only when every step succeeded: final is then exchanged with tmp in
 * one renameat2() and the previous output removed. A command that fails, or
 * is killed, leaves the previous output or nothing, never a mix of both; a
 * killed one also leaves its ".NAME.partial-XXXXXX" beside final, which no
 * reader takes for an output.
 */
#pragma once

#include <limits.h>
#include <stddef.h>

struct staged_dir {
	char final[PATH_MAX];
	char tmp[PATH_MAX];
};

/*
 * Makes tmp. An existing final must be a directory that is empty or holds
 * marker (a file every output of the command has; NULL: empty only), so a
 * mistyped --out never replaces a directory of other things: -EEXIST then,
 * -ENOTDIR for a non-directory; why names final.
 */
int staged_dir_begin(struct staged_dir *d, const char *final, const char *marker, char *why,
                     size_t why_size);
/* Puts tmp in final's place; the previous output is removed. */
int staged_dir_commit(struct staged_dir *d, char *why, size_t why_size);
/* Removes tmp (after a failure); nothing when it is gone or was never made. */
void staged_dir_abort(struct staged_dir *d);
