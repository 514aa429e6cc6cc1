/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A fake kernel at the seam (init/sys.h): records every call as one text
 * line ("mount proc /proc proc 0xe"), answers from a small table of
 * programmed failures, and keeps a fake clock. Tests install it with
 * fake_sys_install() and read fake_sys_log afterwards.
 */
#pragma once

#include <stdint.h>

#include "init/sys.h"

extern char fake_sys_log[16384];
extern int64_t fake_sys_clock_ns;

/* Installs the fake (and clears its log and failures); sys_root becomes root (or ""). */
void fake_sys_install(const char *root);
/* The next call whose log line starts with prefix fails with err (negative errno). */
void fake_sys_fail(const char *prefix, int err);
