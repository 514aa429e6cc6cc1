/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The file rules every host command follows (init/base/cmdfiles.h): inputs
 * that are not regular files are refused at once (a FIFO with no writer
 * never blocks), sizes are bounded before reading, a shell's stream is still
 * read; outputs never replace a device, FIFO, directory or symlink, never an
 * input or another output under another name; a set of outputs lands whole
 * or not at all. Everything happens in a fresh scratch directory.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init/base/cmdfiles.h"
#include "init/base/fileio.h"
#include "tests/lib/tap.h"

static char dir[] = "/tmp/ccinit-cmdfiles-XXXXXX";
static char why[256];

/* dir/name, in a buffer that lives until the next call with the same slot. */
static const char *at(int slot, const char *name)
{
	static char paths[4][256];

	snprintf(paths[slot], sizeof(paths[slot]), "%s/%s", dir, name);
	return paths[slot];
}

static void scratch(void)
{
	ASSERT_TRUE(mkdtemp(dir) != NULL); /* each test runs in its own child: a fresh one */
	ASSERT_EQ(write_string_file(at(0, "in"), "input", 0), 0);
}

TEST(fifo_without_writer_is_refused_not_waited_on)
{
	char *buf = NULL;
	size_t len;

	scratch();
	ASSERT_EQ(mkfifo(at(0, "fifo"), 0644), 0);
	alarm(10); /* a regression hangs here: let SIGALRM fail the test */
	ASSERT_EQ(read_input_file(at(0, "fifo"), 100, &buf, &len, why, sizeof(why)), -EINVAL);
	ASSERT_STR(why, "a FIFO, not a regular file");
	ASSERT_EQ(read_input_file("/dev/zero", 100, &buf, &len, why, sizeof(why)), -EINVAL);
	ASSERT_STR(why, "a character device, not a regular file");
	ASSERT_EQ(read_input_file("/dev/null", 100, &buf, &len, why, sizeof(why)), 0);
	ASSERT_EQ(len, 0); /* the one device taken: the empty file */
	free(buf);
	buf = NULL;
	ASSERT_EQ(read_input_file(dir, 100, &buf, &len, why, sizeof(why)), -EINVAL);
	ASSERT_STR(why, "a directory, not a regular file");
	ASSERT_EQ(read_input_file(at(0, "none"), 100, &buf, &len, why, sizeof(why)), -ENOENT);
	ASSERT_TRUE(buf == NULL);
}

TEST(size_bounded_before_reading)
{
	char *buf = NULL;
	size_t len;

	scratch();
	ASSERT_EQ(truncate(at(0, "in"), 1 << 30), 0); /* sparse: reading it would be slow */
	ASSERT_EQ(read_input_file(at(0, "in"), 4096, &buf, &len, why, sizeof(why)), -EINVAL);
	ASSERT_STR(why, "1073741824 bytes, more than the 4096 allowed");
	ASSERT_EQ(truncate(at(0, "in"), 5), 0);
	ASSERT_EQ(read_input_file(at(0, "in"), 4096, &buf, &len, why, sizeof(why)), 0);
	ASSERT_EQ(len, 5);
	ASSERT_STR(buf, "input");
	free(buf);
}

TEST(shell_stream_is_read_to_the_bound)
{
	char path[64], *buf = NULL;
	size_t len;
	int p[2];

	ASSERT_EQ(pipe(p), 0);
	ASSERT_EQ(write_full(p[1], "0123456789", 10), 0);
	close(p[1]);
	snprintf(path, sizeof(path), "/dev/fd/%d", p[0]);
	ASSERT_EQ(read_input_file(path, 100, &buf, &len, why, sizeof(why)), 0);
	ASSERT_EQ(len, 10);
	free(buf);
	ASSERT_EQ(pipe(p), 0);
	ASSERT_EQ(write_full(p[1], "0123456789", 10), 0);
	close(p[1]);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	ASSERT_EQ(read_input_file(path, 4, &buf, &len, why, sizeof(why)), -EFBIG);
	ASSERT_STR(why, "more than the 4 bytes allowed");
}

TEST(nul_in_text_is_named)
{
	ASSERT_EQ(input_text_check("ab\0c", 4, why, sizeof(why)), -EINVAL);
	ASSERT_STR(why, "a NUL byte at offset 2");
	ASSERT_EQ(input_text_check("abc", 3, why, sizeof(why)), 0);
}

TEST(output_never_replaces_what_is_not_a_file)
{
	struct stat st;

	scratch();
	ASSERT_EQ(mkfifo(at(0, "fifo"), 0644), 0);
	ASSERT_EQ(mknod(at(0, "full"), S_IFCHR | 0666, makedev(1, 7)) == 0 || errno == EPERM, 1);
	ASSERT_EQ(symlink("in", at(0, "link")), 0);
	ASSERT_EQ(check_output_path(at(0, "fifo"), why, sizeof(why)), -EINVAL);
	ASSERT_STR(why, "a FIFO, which an output never replaces");
	if (lstat(at(0, "full"), &st) == 0) {
		ASSERT_EQ(check_output_path(at(0, "full"), why, sizeof(why)), -EINVAL);
		ASSERT_STR(why, "a character device, which an output never replaces");
	}
	ASSERT_EQ(check_output_path(at(0, "link"), why, sizeof(why)), -EINVAL);
	ASSERT_STR(why, "a symlink, which an output never replaces");
	ASSERT_EQ(check_output_path(dir, why, sizeof(why)), -EINVAL);
	ASSERT_STR(why, "a directory, which an output never replaces");
	ASSERT_EQ(check_output_path(at(0, "missing/out"), why, sizeof(why)), -ENOENT);
	ASSERT_CONTAINS(why, "missing: No such file or directory");
	ASSERT_EQ(check_output_path(at(0, "in/out"), why, sizeof(why)), -ENOTDIR);
	ASSERT_EQ(check_output_path(at(0, "in"), why, sizeof(why)), 0);
	ASSERT_EQ(check_output_path(at(0, "new"), why, sizeof(why)), 0);
}

TEST(output_is_never_an_input_or_another_output)
{
	struct cmd_files f = {0};
	char other[300];

	scratch();
	ASSERT_EQ(link(at(0, "in"), at(1, "hardlink")), 0);
	ASSERT_EQ(cmd_files_input(&f, "--key", at(0, "in"), why, sizeof(why)), 0);
	ASSERT_EQ(cmd_files_input(&f, "--cert", at(0, "in"), why, sizeof(why)), 0);
	ASSERT_EQ(cmd_files_output(&f, "--out", at(0, "in"), why, sizeof(why)), -EINVAL);
	ASSERT_STR(why, "the same file as --key");
	ASSERT_EQ(cmd_files_output(&f, "--out", at(1, "hardlink"), why, sizeof(why)), -EINVAL);
	ASSERT_STR(why, "the same file as --key");
	ASSERT_EQ(cmd_files_output(&f, "--a", at(0, "a"), why, sizeof(why)), 0);
	snprintf(other, sizeof(other), "%s/./x/../a", dir);
	ASSERT_EQ(mkdir(at(0, "x"), 0755), 0);
	ASSERT_EQ(cmd_files_output(&f, "--b", other, why, sizeof(why)), -EINVAL);
	ASSERT_STR(why, "the same file as --a");
	ASSERT_EQ(cmd_files_input(&f, "--c", other, why, sizeof(why)), -EINVAL);
	ASSERT_EQ(cmd_files_output(&f, "--b", "-", why, sizeof(why)), 0);
	ASSERT_EQ(cmd_files_output(&f, "--b", at(0, "b"), why, sizeof(why)), 0);
	cmd_files_free(&f);
}

TEST(outputs_land_whole_or_not_at_all)
{
	struct output_set s = {0};
	char *buf = NULL;
	size_t len;

	scratch();
	ASSERT_EQ(output_set_add(&s, at(0, "a"), "new a", 5), 0);
	ASSERT_EQ(output_set_add(&s, at(1, "in"), "new in", 6), 0);
	/* Not committed: the old input is as it was, and nothing new is visible. */
	output_set_abandon(&s);
	ASSERT_EQ(access(at(0, "a"), F_OK), -1);
	ASSERT_EQ(read_full_file(at(0, "in"), 100, &buf, &len), 0);
	ASSERT_STR(buf, "input");
	free(buf);
	ASSERT_EQ(output_set_add(&s, at(0, "a"), "new a", 5), 0);
	ASSERT_EQ(output_set_add(&s, at(1, "in"), "new in", 6), 0);
	ASSERT_EQ(output_set_commit(&s), 0);
	ASSERT_EQ(read_full_file(at(0, "in"), 100, &buf, &len), 0);
	ASSERT_STR(buf, "new in");
	free(buf);
	ASSERT_EQ(read_full_file(at(0, "a"), 100, &buf, &len), 0);
	ASSERT_STR(buf, "new a");
	free(buf);
}
