/* SPDX-License-Identifier: Apache-2.0 */
/*
 * toml++ as every C++ unit here includes it (one configuration, so the
 * header-only library's inline functions are the same in each unit).
 * Compiled header-only, so the parser is built (and, in the fuzz build,
 * instrumented) with our flags, and without exceptions from the parser: a C
 * caller cannot catch them. Only std::bad_alloc can still leave the library;
 * every entry point turns it into -ENOMEM.
 *
 * toml++ 3.3.0 also checks its own state with assertions, and some malformed
 * input trips them (fuzz_kata_toml found "[;a]": parse_key asserts that a
 * key starts with a key character). An abort, or with NDEBUG an assumption
 * the compiler may exploit, is no answer to bad input: the checks throw
 * std::logic_error here, and kata_toml_parse reports the input as malformed.
 */
#pragma once

#include <stdexcept>
#undef NDEBUG
[[noreturn]] static inline void toml_check_failed(const char *expr)
{
	throw std::logic_error(expr);
}
#define TOML_ASSERT(expr) ((expr) ? (void)0 : toml_check_failed(#expr))
#define TOML_HEADER_ONLY  1
#define TOML_EXCEPTIONS   0
#include <toml++/toml.h>
