/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The value syntaxes the knob table (config.c) shares, apart so the table
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
