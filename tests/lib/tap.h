/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small test harness in the spirit of systemd's TEST() and kmod's
 * DEFINE_TEST: tests are data, registered in an ELF section, each run in its
 * own forked child so a crash or an abort fails that test alone. Output is TAP;
 * tests/run-suites.sh adds up every suite into one "N passed, N failed" line.
 */
#pragma once

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tap_test {
	const char *name;
	void (*fn)(void);
};

#define TEST(n)                                                                                    \
	static void test_##n(void);                                                                \
	static const struct tap_test tap_test_##n                                                  \
	        __attribute__((used, section("tap_tests"), aligned(sizeof(void *)))) = {#n,        \
	                                                                                test_##n}; \
	static void test_##n(void)

/* Exit code of a test that cannot run here (no root, no device): a skip, never a pass. */
#define TAP_SKIP_CODE 77

#define tap_skip(why)                                                                              \
	do {                                                                                       \
		printf("# skip: %s\n", why);                                                       \
		fflush(stdout);                                                                    \
		exit(TAP_SKIP_CODE);                                                               \
	} while (0)

#define tap_fail(...)                                                                              \
	do {                                                                                       \
		printf("#   %s:%d: ", __FILE__, __LINE__);                                         \
		printf(__VA_ARGS__);                                                               \
		printf("\n");                                                                      \
		fflush(stdout);                                                                    \
		exit(1);                                                                           \
	} while (0)

/* Runs a shell command built from fmt; a non-zero exit fails the test, naming the command. */
void tap_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes text to path (created or truncated); a failure fails the test. */
void tap_write(const char *path, const char *text);

#define ASSERT_TRUE(e)                                                                             \
	do {                                                                                       \
		if (!(e))                                                                          \
			tap_fail("expected true: %s", #e);                                         \
	} while (0)

#define ASSERT_FALSE(e) ASSERT_TRUE(!(e))

#define ASSERT_INT(a, op, b)                                                                       \
	do {                                                                                       \
		intmax_t _a = (intmax_t)(a), _b = (intmax_t)(b);                                   \
		if (!(_a op _b))                                                                   \
			tap_fail("%s %s %s: %jd vs %jd", #a, #op, #b, _a, _b);                     \
	} while (0)

#define ASSERT_EQ(a, b) ASSERT_INT(a, ==, b)

#define ASSERT_STR(a, b)                                                                           \
	do {                                                                                       \
		const char *_a = (a), *_b = (b);                                                   \
		if (!_a || !_b || strcmp(_a, _b) != 0)                                             \
			tap_fail("%s == %s: \"%s\" vs \"%s\"", #a, #b, _a ? _a : "(null)",         \
			         _b ? _b : "(null)");                                              \
	} while (0)

#define ASSERT_CONTAINS(hay, needle)                                                               \
	do {                                                                                       \
		const char *_h = (hay), *_n = (needle);                                            \
		if (!_h || !strstr(_h, _n))                                                        \
			tap_fail("\"%s\" does not contain \"%s\"", _h ? _h : "(null)", _n);        \
	} while (0)

#define ASSERT_MEM(a, b, n)                                                                        \
	do {                                                                                       \
		if (memcmp((a), (b), (n)) != 0)                                                    \
			tap_fail("%s and %s differ in their first %zu bytes", #a, #b,              \
			         (size_t)(n));                                                     \
	} while (0)
