/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stddef.h>

/*
 * Finds user `name` in passwd-format text (size bytes, not NUL-terminated):
 * 0 with *uid and *gid; -ENOENT when no line names it; -EINVAL when its line
 * does not hold two decimal ids where they belong.
 */
int passwd_find(const char *text, size_t size, const char *name, unsigned *uid, unsigned *gid);
