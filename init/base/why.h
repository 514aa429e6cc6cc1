/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The context of a failure, for the one place that logs it. Library-style
 * functions (the parser, libkmod and libcryptsetup wrappers, device lookup)
 * never log an error themselves: they fill the caller's `why` buffer and
 * return a negative errno, and the step that gives up logs both once.
 */
#pragma once

#include <stddef.h>

/* Formats into why (when given) and returns err, which must be a negative errno. */
int why_set(char *why, size_t size, int err, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* What to say of a failure: why when a callee filled it, else err's own words. */
const char *why_or_errno(const char *why, int err);
