/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What a TOML document must not hold before toml++ sees it (toml_scan.c):
 * the library follows nesting by recursion, so a key of 150000 dotted parts
 * (a.b.c...) or a header as deep overflows the stack. And TOML 1.0 allows
 * bytes outside ASCII only in strings and comments: anywhere else, toml++
 * 3.3.0's check for Unicode whitespace reaches a __builtin_unreachable() for
 * most code points (fuzz_kata_toml: "\xc3\xa9", or a byte-order mark then a
 * newline), which no configuration macro can replace.
 */
#pragma once

#include <stddef.h>

/*
 * How deeply tables, keys and arrays may nest, counting every part of a
 * dotted key or header and every [ and { around a value: Kata's files need 4.
 */
#define KATA_TOML_MAX_DEPTH 32

/*
 * 0, or -EINVAL with why naming name and the line: a byte outside ASCII
 * outside a string or comment, or nesting deeper than KATA_TOML_MAX_DEPTH.
 */
int kata_toml_scan(const char *name, const char *text, size_t size, char *why, size_t why_size);
