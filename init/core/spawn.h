/* SPDX-License-Identifier: Apache-2.0 */
/* Running a program from PID 1: mke2fs for the scratch layer, the GPU daemons and tools. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "init/core/harden.h"

/*
 * Runs argv[0] (an absolute path below sys_root) with a fixed PATH-only
 * environment, the signal mask and dispositions reset, stdin on /dev/null and
 * stdout/stderr on /dev/kmsg (to_kmsg) or /dev/null. wait: waits and returns 0
 * when it exited 0, else -ECHILD with why saying how it ended; otherwise *pid
 * gets the child. -ENOENT (with why) when the program is not in the image.
 */
int run_program(const char *const *argv, bool wait, bool to_kmsg, pid_t *pid, char *why,
                size_t why_size);

/*
 * Runs argv[0] like run_program and waits, its stdout and stderr read into
 * memory: when it fails, why ends with the last line it printed (what mke2fs
 * says about a disk, say), so the one FATAL message carries the reason.
 */
int run_program_output(const char *const *argv, char *why, size_t why_size);

/*
 * Starts a daemon like run_program(wait false), confined by h in the child
 * before exec (init/core/harden.c). A child that could not get there (a confinement
 * step or exec failed) is an error with why naming the step and errno.
 */
int run_daemon(const char *const *argv, bool to_kmsg, const struct harden *h, pid_t *pid, char *why,
               size_t why_size);

/* harden_apply; tests that cannot change capabilities or users swap it. */
extern int (*spawn_harden)(const struct harden *h);
