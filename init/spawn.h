/* SPDX-License-Identifier: Apache-2.0 */
/* Running a program from PID 1 and waiting for it. */
#pragma once

#include <stddef.h>

/*
 * Forks and execs argv[0] (an absolute path) with an empty environment, the
 * signal mask and dispositions reset, stdin on /dev/null and stdout/stderr on
 * the console; waits for it. 0 when it exited 0; otherwise -ECHILD (or the
 * errno of a failed fork) with why naming the program and how it ended.
 */
int run_and_wait(const char *const *argv, char *why, size_t why_size);
