/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Kata TOML reader under hostile input (measurement/kata/toml_read.cc,
 * toml_scan.c; issue 24): nesting that overflowed toml++'s stack, the scan's
 * count where strings, comments and floats hold dots and brackets, NULs raw
 * and escaped, and paths that are not configurations.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "measurement/kata/toml_read.h"
#include "measurement/kata/toml_scan.h"
#include "tests/lib/tap.h"

static char *put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* PREFIX, PART n times, MIDDLE, CLOSE n times, SUFFIX: documents too large to write out. */
static char *doc(const char *prefix, const char *part, size_t n, const char *middle,
                 const char *close, const char *suffix)
{
	size_t lp = strlen(prefix), lr = strlen(part), lm = strlen(middle), lc = strlen(close);
	char *s = malloc(lp + n * (lr + lc) + lm + strlen(suffix) + 1), *p = s;
	ASSERT_TRUE(s != NULL);
	p = put(p, prefix, lp);
	for (size_t i = 0; i < n; i++)
		p = put(p, part, lr);
	p = put(p, middle, lm);
	for (size_t i = 0; i < n; i++)
		p = put(p, close, lc);
	strcpy(p, suffix);
	return s;
}

static int parse(const char *text, size_t len, char *why, size_t why_size)
{
	struct kata_toml *t = NULL;
	int r = kata_toml_parse(&t, "k.toml", text, len, why, why_size);
	kata_toml_free(t);
	return r;
}

static void refused(char *text, const char *says)
{
	char why[512] = "";
	ASSERT_EQ(parse(text, strlen(text), why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, says);
	free(text);
}

static void parses(char *text)
{
	char why[512] = "";
	if (parse(text, strlen(text), why, sizeof(why)) != 0)
		tap_fail("refused: %s", why);
	free(text);
}

/* The inputs that overflowed toml++'s stack (SIGSEGV) at about 300 KB. */
TEST(deep_dotted_keys_and_headers_are_refused_before_toml_sees_them)
{
	refused(doc("a", ".a", 150000, " = 1\n", "", ""),
	        "k.toml:1: tables, dotted keys and arrays nested more than 32 deep");
	refused(doc("x = 1\n[a", ".a", 150000, "]\n", "", ""), "k.toml:2: tables, dotted keys");
	refused(doc("[[a", ".a", 150000, "]]\n", "", ""), "k.toml:1: tables, dotted keys");
	refused(doc("a = {b = 1, c", ".c", 150000, " = 2}\n", "", ""), "k.toml:1: tables");
	refused(doc("a = ", "[", 150000, "", "]", "\n"), "k.toml:1: tables");
}

/* A key goes as deep as its header and its own parts, and each [ or { of a value one more. */
TEST(depth_counts_header_key_and_value_nesting_together)
{
	parses(doc("[a", ".a", 15, "]\n", "", "") /* 16 */);
	parses(doc("a", ".a", 31, " = 1\n", "", "") /* 32 */);
	refused(doc("a", ".a", 32, " = 1\n", "", ""), "k.toml:1:");
	parses(doc("[a", ".a", 15, "]\nk.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k = 1\n", "", ""));
	refused(doc("[a", ".a", 15, "]\nk.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k.k = 1\n", "", ""),
	        "k.toml:2:");
	parses(doc("a = ", "[", 31, "", "]", "\n"));
	refused(doc("a = ", "[", 32, "", "]", "\n"), "k.toml:1:");
	refused(doc("a = ", "{b = ", 32, "1", "}", "\n"), "k.toml:1:");
	refused(doc("[a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p]\n\nx = ", "[", 16, "", "]", "\n"),
	        "k.toml:3:");
	refused(doc("x = [\n", "{a = [\n", 16, "", "]}", "]\n"), "k.toml:17:");
}

/* What only looks like structure inside strings and comments does not count, or hide any. */
TEST(strings_comments_and_floats_are_not_counted)
{
	parses(doc("\"", "a.", 1000, "\".x = 1\n", "", ""));
	parses(doc("'", "[a.", 1000, "' = 1\n", "", ""));
	parses(doc("x = [", "1.5, ", 1000, "]\n", "", ""));
	parses(doc("# ", "[a.{", 1000, "\nx = 1\n", "", ""));
	parses(doc("s = \"\"\"", "[a.\n{\"", 1000, "\"\"\"\n", "", ""));
	parses(doc("s = '''", "[a.\n{'", 1000, "'''\n", "", ""));
	/* A multi-line string may end with one or two quotes before its closing three. */
	refused(doc("x = [\"\"\"a\"\"\"\", {a", ".a", 40, " = 1}]\n", "", ""), "k.toml:1:");
	refused(doc("x = ['''a''''', {a", ".a", 40, " = 1}]\n", "", ""), "k.toml:1:");
	refused(doc("x = [\"a\\\"\", {a", ".a", 40, " = 1}]\n", "", ""), "k.toml:1:");
	/* An escaped newline is still a line. */
	refused(doc("s = \"\"\"a\\\nb\"\"\"\na", ".a", 40, " = 1\n", "", ""), "k.toml:3:");
}

TEST(nul_raw_or_escaped_is_refused)
{
	static const char raw[] = "a = \"x\0y\"\n";
	struct kata_toml *t = NULL;
	const char *s = NULL;
	char why[512] = "";
	ASSERT_EQ(parse(raw, sizeof(raw) - 1, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "k.toml: a NUL byte at offset 6");
	static const char escaped[] = "ok = \"x\"\n\nv = \"sha256\\u0000x\"\n";
	ASSERT_EQ(kata_toml_parse(&t, "k.toml", escaped, strlen(escaped), why, sizeof(why)),
	          -EINVAL);
	ASSERT_CONTAINS(why, "k.toml:3: v must be a string without NUL");
	/* Anywhere in the document, read or not: in an array, in a key. */
	static const char in_array[] = "[t]\na = [\"x\", \"\\u0000\"]\n";
	ASSERT_EQ(kata_toml_parse(&t, "k.toml", in_array, strlen(in_array), why, sizeof(why)),
	          -EINVAL);
	ASSERT_CONTAINS(why, "t.a[1] must be a string without NUL");
	static const char in_key[] = "\"a\\u0000b\" = 1\n";
	ASSERT_EQ(kata_toml_parse(&t, "k.toml", in_key, strlen(in_key), why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "k.toml:1: a?b is a key holding NUL");
	static const char good[] = "ok = \"x\"\n";
	ASSERT_EQ(kata_toml_parse(&t, "k.toml", good, strlen(good), why, sizeof(why)), 0);
	ASSERT_EQ(kata_toml_string(t, "ok", &s, why, sizeof(why)), 0);
	ASSERT_STR(s, "x");
	kata_toml_free(t);
}

/* C would read these up to the NUL: the line lost its dm-verity, the type was ext4. */
TEST(nul_in_a_string_the_cmdline_reads_is_refused)
{
	static const char *const bad[][2] = {
	        {"kernel_verity_params = \"\\u0000root_hash=00\"\n", "kernel_verity_params must"},
	        {"rootfs_type = \"ext4\\u0000x\"\n", "rootfs_type must be a string without NUL"},
	        {"kernel_params = \"a=1\\u0000 init=/bin/sh\"\n", "kernel_params must"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kata_toml *t = NULL;
		char *text =
		        doc("[hypervisor.qemu]\nimage = \"/k.img\"\n", bad[i][0], 1, "", "", "");
		char why[512] = "";
		/* Refused when parsed: no command reads a line cut short. */
		ASSERT_EQ(kata_toml_parse(&t, "k.toml", text, strlen(text), why, sizeof(why)),
		          -EINVAL);
		ASSERT_CONTAINS(why, "k.toml:3: hypervisor.qemu.");
		ASSERT_CONTAINS(why, bad[i][1]);
		ASSERT_TRUE(t == NULL);
		free(text);
	}
}

static void open_refused(const char *path, const char *says)
{
	struct kata_toml *t = NULL;
	char why[512] = "";
	/* A FIFO waited on would end the test here. */
	alarm(10);
	ASSERT_EQ(kata_toml_open(&t, path, why, sizeof(why)), -EINVAL);
	alarm(0);
	ASSERT_CONTAINS(why, path);
	ASSERT_CONTAINS(why, says);
}

TEST(only_a_bounded_regular_file_is_read)
{
	char dir[] = "/tmp/test_kata_toml.XXXXXX", path[64];
	int fd;
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	open_refused(dir, "a directory, not a regular file");
	snprintf(path, sizeof(path), "%s/fifo", dir);
	ASSERT_EQ(mkfifo(path, 0600), 0);
	open_refused(path, "a FIFO, not a regular file");
	unlink(path);
	snprintf(path, sizeof(path), "%s/big", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(ftruncate(fd, KATA_TOML_MAX + 1), 0);
	close(fd);
	open_refused(path, "more than the 4194304 allowed");
	unlink(path);
	rmdir(dir);
}
