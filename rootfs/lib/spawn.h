/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Running a host program (apt, depmod, mkfs.erofs, make, strip) without a
 * shell in between: the one posix_spawn-and-wait of ccimage. stdin is
 * /dev/null; where stdout and stderr go is the caller's choice (struct
 * spawn_io), so a command's own output never mixes into ours.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define SPAWN_CAPTURE_MAX (64u << 20) /* a captured stdout larger than this is -EFBIG */

struct spawn_io {
	const char *cwd;         /* NULL: ours */
	char *const *envp;       /* NULL: ours */
	const char *stdout_path; /* stdout into this file (created or truncated) */
	char **capture;          /* stdout into a malloc'd, NUL-terminated string: set
	                          * whenever it was read, failed or not; the caller frees it */
	size_t *capture_len;     /* its length, when wanted */
	int log_fd;              /* > 0: stdout (unless taken above) and stderr go here */
	bool stdout_null;        /* stdout to /dev/null (unless taken above) */
	bool stderr_null;        /* stderr to /dev/null */
};

/*
 * Runs argv[0] (searched in PATH) with argv and waits. 0 when it exited 0;
 * -ECHILD when it failed (why names the program and its status); another
 * negative errno when it could not start or its output could not be read.
 * io NULL: stdout to our stderr, stderr ours.
 */
int spawn_run(const char *const *argv, const struct spawn_io *io, char *why, size_t why_size);

/* spawn_run() with stdout to stderr (or into stdout_path), a failure printed on stderr. */
int spawn_wait(const char *const *argv);
int spawn_wait_output(const char *const *argv, const char *stdout_path);

/*
 * A tool as part of a cache key, by what it says it is rather than by its
 * name: the first line of argv's output that contains match (at most 200
 * bytes of it). -ENOENT when the tool is not there; -EPROTO when no line has match.
 */
int spawn_version_line(const char *const *argv, const char *match, char *out, size_t size,
                       char *why, size_t why_size);
