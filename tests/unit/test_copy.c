/* SPDX-License-Identifier: Apache-2.0 */
/*
 * copy_fd(), the one copy of file data under ccimage's local files, disk
 * image, modules and firmware: files several times larger than its buffer
 * arrive byte for byte, through copy_file_range() between regular files and
 * through the buffer from a pipe, and a file past its limit stops the copy.
 * Each byte depends on its offset, so a chunk lost, doubled or misplaced
 * fails the comparison.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init/base/fileio.h"
#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/stagefs.h"
#include "tests/lib/tap.h"

/* Three buffers and an odd tail: every chunk boundary falls inside the data. */
#define BIG ((size_t)3 * COPY_CHUNK + 12345)

static char dir[] = "/tmp/ccinit-copy-XXXXXX";

static void pattern(uint8_t *p, size_t n)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		p[i] = (uint8_t)(x >> 32);
	}
}

/* A file of n pattern bytes in a new test directory; returns the buffer it came from. */
static uint8_t *source(const char *name, size_t n)
{
	char path[128];
	uint8_t *p = malloc(n);
	int fd;

	ASSERT_TRUE(p != NULL);
	pattern(p, n);
	ASSERT_TRUE(mkdtemp(dir) != NULL); /* each test runs in its own child: a fresh one */
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(write_full(fd, p, n), 0);
	ASSERT_EQ(close(fd), 0);
	return p;
}

static int open_in(const char *name, int flags)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, flags | O_CLOEXEC, 0644);
	ASSERT_TRUE(fd >= 0);
	return fd;
}

/* The whole of name equals want[0..n): same length, same bytes. */
static void same_bytes(const char *name, const uint8_t *want, size_t n)
{
	char path[128];
	char *got;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ASSERT_EQ(read_full_file(path, 64u << 20, &got, &len), 0);
	ASSERT_EQ(len, n);
	ASSERT_MEM(got, want, n);
	free(got);
}

static void cleanup(void)
{
	tap_sh("rm -rf %s", dir);
}

TEST(regular_files_larger_than_the_buffer)
{
	uint8_t *want = source("in", BIG);
	int in = open_in("in", O_RDONLY), out = open_in("out", O_WRONLY | O_CREAT | O_EXCL);
	uint64_t copied = 0;

	ASSERT_EQ(copy_fd(in, out, UINT64_MAX, &copied), 0);
	ASSERT_EQ(copied, BIG);
	close(in);
	close(out);
	same_bytes("out", want, BIG);
	free(want);
	cleanup();
}

/* From the middle of the input to the middle of the output: both offsets are where it starts. */
TEST(from_and_to_the_file_offsets)
{
	uint8_t *want = source("in", BIG);
	int in = open_in("in", O_RDONLY), out = open_in("out", O_RDWR | O_CREAT | O_EXCL);
	uint8_t *expect = calloc(1, BIG);
	size_t skip = COPY_CHUNK + 7, at = 4096;

	ASSERT_TRUE(expect != NULL);
	memcpy(expect + at, want + skip, BIG - skip);
	ASSERT_EQ(lseek(in, (off_t)skip, SEEK_SET), (off_t)skip);
	ASSERT_EQ(lseek(out, (off_t)at, SEEK_SET), (off_t)at);
	ASSERT_EQ(copy_fd(in, out, UINT64_MAX, NULL), 0);
	close(in);
	close(out);
	same_bytes("out", expect, at + BIG - skip);
	free(expect);
	free(want);
	cleanup();
}

/* A child writes data into a pipe; *read_end gets the end to copy from. */
static pid_t pipe_writer(const uint8_t *data, size_t size, int *read_end)
{
	int p[2];
	pid_t pid;

	ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		_exit(write_full(p[1], data, size) == 0 ? 0 : 1);
	}
	close(p[1]);
	*read_end = p[0];
	return pid;
}

/* A pipe cannot be copied by copy_file_range(): the buffered path, chunk after chunk. */
TEST(pipe_larger_than_the_buffer)
{
	uint8_t *want = source("in", BIG);
	int rd, out = open_in("out", O_WRONLY | O_CREAT | O_EXCL), status;
	uint64_t copied = 0;
	pid_t pid;

	pid = pipe_writer(want, BIG, &rd);
	ASSERT_EQ(copy_fd(rd, out, UINT64_MAX, &copied), 0);
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(copied, BIG);
	close(rd);
	close(out);
	same_bytes("out", want, BIG);
	free(want);
	cleanup();
}

TEST(past_max_is_efbig_on_both_paths)
{
	uint8_t *want = source("in", BIG);
	int in = open_in("in", O_RDONLY), out = open_in("out", O_WRONLY | O_CREAT | O_EXCL);
	int rd, status;
	pid_t pid;

	ASSERT_EQ(copy_fd(in, out, BIG - 1, NULL), -EFBIG);
	ASSERT_EQ(lseek(in, 0, SEEK_SET), 0);
	ASSERT_EQ(ftruncate(out, 0), 0);
	ASSERT_EQ(copy_fd(in, out, BIG, NULL), 0); /* exactly max is fine */
	close(in);
	pid = pipe_writer(want, BIG, &rd);
	ASSERT_EQ(copy_fd(rd, out, 2 * COPY_CHUNK, NULL), -EFBIG);
	close(rd); /* the writer ends on EPIPE */
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	close(out);
	free(want);
	cleanup();
}

/* What a recipe's `source:` goes through: the staged file has every byte and the recipe's mode. */
TEST(stage_copy_in_larger_than_the_buffer)
{
	uint8_t *want = source("in", BIG);
	int in = open_in("in", O_RDONLY), root;
	struct stat st;

	tap_sh("mkdir %s/root", dir);
	root = open_in("root", O_RDONLY | O_DIRECTORY);
	ASSERT_EQ(stagefs_copy_in(root, "/usr/share/big", in, BIG, 0640), 0);
	ASSERT_EQ(stagefs_lstat(root, "/usr/share/big", &st), 0);
	ASSERT_EQ(st.st_mode & 07777, 0640);
	same_bytes("root/usr/share/big", want, BIG);
	ASSERT_EQ(lseek(in, 0, SEEK_SET), 0);
	ASSERT_EQ(stagefs_copy_in(root, "/usr/share/small", in, BIG - 1, 0644), -EFBIG);
	close(in);
	close(root);
	free(want);
	cleanup();
}

TEST(copy_file_larger_than_the_buffer)
{
	uint8_t *want = source("in", BIG);
	char from[128], to[128];
	struct stat st;

	snprintf(from, sizeof(from), "%s/in", dir);
	snprintf(to, sizeof(to), "%s/out", dir);
	ASSERT_EQ(copy_file(from, to, 0600), 0);
	ASSERT_EQ(stat(to, &st), 0);
	ASSERT_EQ(st.st_mode & 07777, 0600);
	same_bytes("out", want, BIG);
	free(want);
	cleanup();
}
