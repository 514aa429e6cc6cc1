/* SPDX-License-Identifier: Apache-2.0 */
/* Running a host program (depmod, mkfs.erofs) without a shell in between. */
#pragma once

/*
 * Runs argv[0] (searched in PATH) with argv, waits, and returns 0 when it
 * exited 0, -ECHILD when it failed (a message names the program and status),
 * or a negative errno when it could not start. stdout goes to stderr so a
 * command's own output never mixes into ours. Environment: ours.
 */
int spawn_wait(const char *const *argv);

/* The same, with the program's stdout written to stdout_path (created or truncated). */
int spawn_wait_output(const char *const *argv, const char *stdout_path);
