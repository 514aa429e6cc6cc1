/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/image/cpio.h"
#include "tests/lib/tap.h"

static char dir[] = "/tmp/ccinit-test-cpio-XXXXXX";

static void host_file(const char *name, const char *content, mode_t mode)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	fputs(content, f);
	fclose(f);
	chmod(path, mode);
}

static size_t build(int order, char **out)
{
	struct cpio_archive *a;
	char path[256];
	size_t size;
	FILE *mem = open_memstream(out, &size);
	ASSERT_EQ(cpio_new(&a), 0);
	snprintf(path, sizeof(path), "%s/agent", dir);
	if (order == 0) {
		ASSERT_EQ(cpio_add_file(a, "/usr/bin/agent", path, 0755), 0);
		ASSERT_EQ(cpio_add_node(a, "/dev/console", S_IFCHR | 0600, 5, 1), 0);
		ASSERT_EQ(cpio_add_symlink(a, "/sbin/init", "/init"), 0);
	} else {
		ASSERT_EQ(cpio_add_symlink(a, "/sbin/init", "/init"), 0);
		ASSERT_EQ(cpio_add_node(a, "/dev/console", S_IFCHR | 0600, 5, 1), 0);
		ASSERT_EQ(cpio_add_file(a, "/usr/bin/agent", path, 0755), 0);
	}
	ASSERT_EQ(cpio_write(a, mem, 1700000000), 0);
	fclose(mem);
	cpio_free(a);
	return size;
}

TEST(same_inputs_same_bytes_whatever_the_order)
{
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	host_file("agent", "#!agent\n", 0700); /* host mode differs from the image's: image wins */
	char *x, *y;
	size_t nx = build(0, &x), ny = build(1, &y);
	ASSERT_EQ(nx, ny);
	ASSERT_MEM(x, y, nx);
	ASSERT_EQ(nx % 4, 0);
	/* newc magic, then the first entry in sorted order: "dev". */
	ASSERT_MEM(x, "070701", 6);
	ASSERT_MEM(x + 110, "dev", 4);
	ASSERT_TRUE(memmem(x, nx, "TRAILER!!!", 10) != NULL);
	ASSERT_TRUE(memmem(x, nx, "#!agent\n", 8) != NULL);
	/* Owners are 0 and the mtime is the one given, in every header. */
	ASSERT_TRUE(memmem(x, nx, "000000000000000000000002", 24) !=
	            NULL); /* dev: uid 0 gid 0 nlink 2 */
	free(x);
	free(y);
}

TEST(rejects_escapes_and_duplicates)
{
	struct cpio_archive *a;
	ASSERT_EQ(cpio_new(&a), 0);
	ASSERT_EQ(cpio_add_symlink(a, "/../etc/x", "y"), -EINVAL);
	ASSERT_EQ(cpio_add_symlink(a, "/a/./b", "y"), -EINVAL);
	ASSERT_EQ(cpio_add_symlink(a, "/", "y"), -EINVAL);
	ASSERT_EQ(cpio_add_symlink(a, "/x", "y"), 0);
	ASSERT_EQ(cpio_add_symlink(a, "/x", "z"), -EEXIST);
	ASSERT_EQ(cpio_add_dir(a, "/d", 0700), 0);
	ASSERT_EQ(cpio_add_dir(a, "/d", 0755), 0);
	cpio_free(a);
}

TEST(list_errors_name_the_line)
{
	char tmp[] = "/tmp/ccinit-test-list-XXXXXX";
	int fd = mkstemp(tmp);
	ASSERT_TRUE(fd >= 0);
	dprintf(fd, "dir /x 0755\n# comment\nfile /y does-not-exist 0644\n");
	close(fd);
	struct cpio_archive *a;
	char why[256] = "";
	ASSERT_EQ(cpio_new(&a), 0);
	ASSERT_TRUE(cpio_add_list(a, tmp, "/tmp", why, sizeof(why)) < 0);
	ASSERT_CONTAINS(why, ":3:");
	cpio_free(a);
	unlink(tmp);
}
