/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The value syntaxes the knob table (core/config.c) shares, apart so the table
 * file stays one table: numbers, booleans, bounded strings, device and
 * module names. Each returns 0/true or a negative errno/false; the caller
 * names the knob.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Decimal digits only, no sign, no suffix. */
int config_parse_ulong(const char *s, unsigned long *ret);
/* 1 for 1|yes|true|on, 0 for 0|no|false|off (any case), else -EINVAL. */
int config_parse_bool(const char *s);
/* -ENAMETOOLONG when src and its NUL do not fit size. */
int config_copy_string(char *dst, size_t size, const char *src);
/* An absolute /dev path, or serial:<virtio serial> (at most 20 bytes). */
bool config_valid_device(const char *s);
/* Letters, digits, '_' and '-', not empty. */
bool config_valid_module_name(const char *s);

/*
 * The kernel's rule for parameter names (kernel/params.c, parameq): '-' and
 * '_' are one character, so "dm_mod.create" is "dm-mod.create". n: compare
 * at most n characters (param_prefix: b is a prefix of a).
 */
bool param_eqn(const char *a, const char *b, size_t n);
bool param_eq(const char *a, const char *b);
bool param_prefix(const char *a, const char *prefix);
