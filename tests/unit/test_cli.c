/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The front-ends' typed option tables (rootfs/ccimage/cli.h): every value
 * lands in its field, numbers outside their range are refused naming the
 * option and the range, and `ccimage measure` holds --vcpus to the range
 * recipes allow (issue 15, item 4).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "init/base/log.h"
#include "rootfs/ccimage/cli.h"
#include "rootfs/ccimage/command.h"
#include "rootfs/ccimage/measure_cmd.h"
#include "tests/lib/tap.h"

struct captured {
	char out[8192], err[8192];
};

static void read_back(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	close(fd);
}

/* Runs fn(argc, argv) with stdout and stderr captured; returns its result. */
static int run_captured(int (*fn)(int, char **), struct captured *c, char **argv)
{
	char out_path[] = "/tmp/test_cli.out.XXXXXX", err_path[] = "/tmp/test_cli.err.XXXXXX";
	int argc = 0, out = mkstemp(out_path), err = mkstemp(err_path);
	int saved_out = dup(1), saved_err = dup(2), r;

	ASSERT_TRUE(out >= 0 && err >= 0 && saved_out >= 0 && saved_err >= 0);
	unlink(out_path);
	unlink(err_path);
	while (argv[argc])
		argc++;
	fflush(stdout);
	fflush(stderr);
	dup2(out, 1);
	dup2(err, 2);
	log_to_stderr();
	r = fn(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	read_back(out, c->out, sizeof(c->out));
	read_back(err, c->err, sizeof(c->err));
	return r;
}

/* A command with one option of each type, its fields global so the test can read them. */
static struct {
	const char *name;
	bool quiet;
	unsigned threads;
	uint64_t offset;
	const char *items[2];
	struct cli_list list;
	int words;
} got;

static int table_main(int argc, char **argv)
{
	const struct cli_opt opts[] = {
	        CLI_STRING("name", 'n', &got.name, "NAME", "a string"),
	        CLI_FLAG("quiet", 'q', &got.quiet, "a flag"),
	        CLI_NUMBER("threads", 0, &got.threads, 1, 1024, "N", "a number in a range"),
	        CLI_NUMBER_C("offset", 0, &got.offset, 0, UINT64_MAX, "BYTES", "C's bases"),
	        CLI_LIST("item", 'i', &got.list, "ITEM", NULL),
	        {0},
	};
	struct cli cli = {argc, argv, "usage: table [OPTIONS] WORD...\n", opts};

	memset(&got, 0, sizeof(got));
	got.list = (struct cli_list){got.items, 0, 2};
	if (!cli_parse(&cli, 1, -1))
		return cli.exit_code;
	got.words = argc - optind;
	return EXIT_OK;
}

TEST(table_fills_each_field)
{
	struct captured c;
	char *argv[] = {"table", "--name=x", "-q",       "--threads", "8",  "--offset=0x200",
	                "-i",    "a",        "--item=b", "w1",        "w2", NULL};

	ASSERT_EQ(run_captured(table_main, &c, argv), EXIT_OK);
	ASSERT_STR(got.name, "x");
	ASSERT_TRUE(got.quiet);
	ASSERT_EQ(got.threads, 8);
	ASSERT_EQ(got.offset, 0x200);
	ASSERT_EQ(got.list.count, 2);
	ASSERT_STR(got.items[1], "b");
	ASSERT_EQ(got.words, 2);
}

TEST(table_refuses_out_of_range)
{
	static const char *const bad[] = {"0", "1025", "-1", "4x", "", "99999999999999999999"};
	struct captured c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = {"table", "--threads", (char *)bad[i], "w", NULL};
		ASSERT_EQ(run_captured(table_main, &c, argv), EXIT_USAGE);
		ASSERT_CONTAINS(c.err, "--threads");
		ASSERT_CONTAINS(c.err, "not 1..1024");
	}
}

TEST(table_usage_and_limits)
{
	struct captured c;
	char *help[] = {"table", "--help", NULL};
	char *full[] = {"table", "-i", "a", "-i", "b", "-i", "c", "w", NULL};
	char *unknown[] = {"table", "--bogus", "w", NULL};
	char *no_word[] = {"table", "-q", NULL};

	ASSERT_EQ(run_captured(table_main, &c, help), EXIT_OK);
	ASSERT_CONTAINS(c.out, "usage: table [OPTIONS] WORD...\n");
	ASSERT_CONTAINS(c.out, "  --threads N     a number in a range\n");
	ASSERT_TRUE(strstr(c.out, "--item") == NULL); /* no help line: the text names it */
	ASSERT_EQ(run_captured(table_main, &c, full), EXIT_USAGE);
	ASSERT_CONTAINS(c.err, "--item 'c': more than 2");
	ASSERT_EQ(run_captured(table_main, &c, unknown), EXIT_USAGE);
	ASSERT_CONTAINS(c.err, "usage: table");
	ASSERT_EQ(run_captured(table_main, &c, no_word), EXIT_USAGE);
}

#define OVMF "tests/fixtures/sev-snp/ovmf_AmdSev_suffix.bin"

/* sev-snp-measure measures no VMSA for --vcpus 0 or -1; we refuse, as recipes do (1..512). */
TEST(measure_vcpus_range)
{
	static const char *const bad[] = {"-1", "0", "513"};
	struct captured c;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = {"measure", "--mode", "snp",     "--vcpu-type",  "EPYC-v4",
		                "--ovmf",  OVMF,     "--vcpus", (char *)bad[i], NULL};
		ASSERT_EQ(run_captured(measure_main, &c, argv), EXIT_USAGE);
		ASSERT_CONTAINS(c.err, "--vcpus");
		ASSERT_CONTAINS(c.err, "not 1..512");
		ASSERT_STR(c.out, "");
	}
	char *good[] = {"measure", "--mode", "snp",     "--vcpu-type", "EPYC-v4",
	                "--ovmf",  OVMF,     "--vcpus", "512",         NULL};
	ASSERT_EQ(run_captured(measure_main, &c, good), EXIT_OK);
	ASSERT_EQ(strlen(c.out), 97); /* 96 hex digits and the newline */
}
