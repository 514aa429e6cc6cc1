/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The module build's pieces that need no network or compiler: the compat
 * fix (applied only when the headers have the new interface and the source
 * the old call), the unpacker's refusal of paths that leave dest, and the
 * mkosi tree import (drops, shadow rewrite, hard links, refusals).
 */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootfs/lib/fsutil.h"
#include "rootfs/tree/mkosi.h"
#include "modules/nvidia/modbuild.h"
#include "tests/lib/tap.h"

#define OLD_CALL "    r = pci_resize_resource(pci_dev, NV_GPU_BAR1, requested_size);\n"
#define NEW_CALL "    r = pci_resize_resource(pci_dev, NV_GPU_BAR1, requested_size, 0);\n"

static void put(const char *dir, const char *rel, const char *text)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	ASSERT_EQ(mkdir_parents(path, 0755), 0);
	FILE *f = fopen(path, "w");
	ASSERT_TRUE(f != NULL);
	fputs(text, f);
	fclose(f);
}

static char *get(const char *dir, const char *rel)
{
	static char buf[4096];
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static char *tmpdir(void)
{
	static char t[64];
	snprintf(t, sizeof(t), "/tmp/test-modbuild-XXXXXX");
	ASSERT_TRUE(mkdtemp(t) != NULL);
	return t;
}

/* Headers and source as laid out in the build tree. */
static void tree(const char *t, const char *decl, const char *call)
{
	char hdr[PATH_MAX], src[PATH_MAX];
	snprintf(hdr, sizeof(hdr), "%s/common", t);
	snprintf(src, sizeof(src), "%s/src", t);
	put(hdr, "include/linux/pci.h", decl);
	put(src, "nvidia/nv-pci.c", call);
}

TEST(compat_applies_on_new_headers_and_old_call)
{
	char *t = tmpdir(), hdr[PATH_MAX], src[PATH_MAX], applied[128], why[256];
	tree(t,
	     "int __must_check pci_resize_resource(struct pci_dev *dev, int i, int size,\n"
	     "\t\t\t\t     int exclude_bars);\nint pci_select_bars(void);\n",
	     "static int f(void)\n{\n" OLD_CALL "}\n");
	snprintf(hdr, sizeof(hdr), "%s/common", t);
	snprintf(src, sizeof(src), "%s/src", t);
	ASSERT_EQ(modbuild_compat_apply(hdr, src, applied, sizeof(applied), why, sizeof(why)), 0);
	ASSERT_STR(applied, "pci_resize_resource-exclude_bars");
	ASSERT_STR(get(src, "nvidia/nv-pci.c"), "static int f(void)\n{\n" NEW_CALL "}\n");
	/* Applying again changes nothing: the old call is gone. */
	ASSERT_EQ(modbuild_compat_apply(hdr, src, applied, sizeof(applied), why, sizeof(why)), 0);
	ASSERT_STR(applied, "");
	remove_tree(t);
}

TEST(compat_leaves_old_headers_alone)
{
	char *t = tmpdir(), hdr[PATH_MAX], src[PATH_MAX], applied[128], why[256];
	/* exclude_bars appears, but in another declaration after the one we look at. */
	tree(t,
	     "int __must_check pci_resize_resource(struct pci_dev *dev, int i, int size);\n"
	     "int other(int exclude_bars);\n",
	     OLD_CALL);
	snprintf(hdr, sizeof(hdr), "%s/common", t);
	snprintf(src, sizeof(src), "%s/src", t);
	ASSERT_EQ(modbuild_compat_apply(hdr, src, applied, sizeof(applied), why, sizeof(why)), 0);
	ASSERT_STR(applied, "");
	ASSERT_STR(get(src, "nvidia/nv-pci.c"), OLD_CALL);
	remove_tree(t);
}

TEST(compat_leaves_unknown_source_alone)
{
	char *t = tmpdir(), hdr[PATH_MAX], src[PATH_MAX], applied[128], why[256];
	/* A driver that already copes (or calls it twice): not the code we know. */
	tree(t,
	     "int pci_resize_resource(struct pci_dev *dev, int i, int size, int exclude_bars);\n",
	     OLD_CALL OLD_CALL);
	snprintf(hdr, sizeof(hdr), "%s/common", t);
	snprintf(src, sizeof(src), "%s/src", t);
	ASSERT_EQ(modbuild_compat_apply(hdr, src, applied, sizeof(applied), why, sizeof(why)), 0);
	ASSERT_STR(applied, "");
	ASSERT_STR(get(src, "nvidia/nv-pci.c"), OLD_CALL OLD_CALL);
	remove_tree(t);
}

TEST(compat_missing_header_is_an_error)
{
	char *t = tmpdir(), applied[128], why[256] = "";
	ASSERT_TRUE(modbuild_compat_apply(t, t, applied, sizeof(applied), why, sizeof(why)) < 0);
	ASSERT_CONTAINS(why, "include/linux/pci.h");
	remove_tree(t);
}

/* A tarball with one member named name (regular file, "x"). */
static void tarball(const char *path, const char *name)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	archive_write_set_format_pax_restricted(a);
	ASSERT_EQ(archive_write_open_filename(a, path), ARCHIVE_OK);
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 1);
	ASSERT_EQ(archive_write_header(a, e), ARCHIVE_OK);
	ASSERT_EQ(archive_write_data(a, "x", 1), 1);
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
}

TEST(unpack_keeps_inside_and_refuses_escapes)
{
	char *t = tmpdir(), tar[PATH_MAX], dest[PATH_MAX], why[256] = "";
	snprintf(tar, sizeof(tar), "%s/ok.tar", t);
	snprintf(dest, sizeof(dest), "%s/dest", t);
	ASSERT_EQ(mkdir(dest, 0755), 0);
	tarball(tar, "./usr/src/file");
	ASSERT_EQ(modbuild_unpack_tar(tar, dest, why, sizeof(why)), 0);
	ASSERT_STR(get(dest, "usr/src/file"), "x");

	snprintf(tar, sizeof(tar), "%s/abs.tar", t);
	tarball(tar, "/etc/evil");
	ASSERT_TRUE(modbuild_unpack_tar(tar, dest, why, sizeof(why)) < 0);
	ASSERT_CONTAINS(why, "/etc/evil");

	snprintf(tar, sizeof(tar), "%s/dotdot.tar", t);
	tarball(tar, "usr/../../evil");
	ASSERT_TRUE(modbuild_unpack_tar(tar, dest, why, sizeof(why)) < 0);
	char outside[PATH_MAX];
	snprintf(outside, sizeof(outside), "%s/evil", t);
	ASSERT_TRUE(access(outside, F_OK) != 0);
	remove_tree(t);
}

TEST(unpack_deb_without_data_member_is_an_error)
{
	char *t = tmpdir(), deb[PATH_MAX], why[256] = "";
	snprintf(deb, sizeof(deb), "%s/x.deb", t);
	put(t, "x.deb", "!<arch>\n");
	ASSERT_TRUE(modbuild_unpack_deb(deb, t, why, sizeof(why)) < 0);
	ASSERT_CONTAINS(why, "x.deb");
	remove_tree(t);
}

/* The seeds for depends, space separated, or "error: WHY". */
static const char *seeds_of(const char *depends, size_t max)
{
	static char joined[8 * MODBUILD_SEED_MAX];
	char seeds[8][MODBUILD_SEED_MAX], why[256];
	size_t n = 0, used = 0;

	if (modbuild_root_seeds(depends, seeds, max, &n, why, sizeof(why)) < 0) {
		snprintf(joined, sizeof(joined), "error: %s", why);
		return joined;
	}
	joined[0] = '\0';
	for (size_t i = 0; i < n; i++)
		used += (size_t)snprintf(joined + used, sizeof(joined) - used, "%s%s", i ? " " : "",
		                         seeds[i]);
	return joined;
}

/* Debian's own Depends lines: trixie's 6.12 and bookworm's 6.1 cloud headers. */
TEST(root_seeds_follow_the_headers_depends_without_the_image)
{
	ASSERT_STR(seeds_of("linux-base (>= 4.12~), linux-headers-6.12.118+deb13-common (= "
	                    "6.12.118-1), linux-image-6.12.118+deb13-cloud-amd64 (= 6.12.118-1) | "
	                    "linux-image-6.12.118+deb13-cloud-amd64-unsigned (= 6.12.118-1), "
	                    "linux-kbuild-6.12.118+deb13, gcc-14",
	                    8),
	           "linux-base linux-headers-6.12.118+deb13-common=6.12.118-1 "
	           "linux-kbuild-6.12.118+deb13 gcc-14");
	ASSERT_STR(seeds_of("linux-headers-6.1.0-57-common (= 6.1.192-3), "
	                    "linux-kbuild-6.1 (>= 6.1.192-3), linux-compiler-gcc-12-x86",
	                    8),
	           "linux-headers-6.1.0-57-common=6.1.192-3 linux-kbuild-6.1 "
	           "linux-compiler-gcc-12-x86");
	/* An alternative that is not an image is taken; more entries than room is an error. */
	ASSERT_STR(seeds_of("linux-image-x | make", 8), "make");
	ASSERT_CONTAINS(seeds_of("a, b, c", 2), "error: too many Depends");
}

static void count_added(const char *path, void *userdata)
{
	(void)path;
	(*(unsigned *)userdata)++;
}

TEST(mkosi_import_drops_rewrites_and_links)
{
	char *t = tmpdir(), src[128], dst[128], a[PATH_MAX], b[PATH_MAX], why[256] = "";
	struct mkosi_stats st;
	unsigned added = 0;
	struct stat sa, sb;
	snprintf(src, sizeof(src), "%s/src", t);
	snprintf(dst, sizeof(dst), "%s/dst", t);
	put(src, "etc/shadow", "root:*:20779:0:99999:7:::\nnobody:!::0:99999:7:::\n");
	put(src, "etc/shadow-", "root:*:20779:0:99999:7:::\n");
	put(src, "var/log/bootstrap.log", "built today\n");
	put(src, "var/cache/ldconfig/aux-cache", "cache\n");
	put(src, "var/lib/dpkg/status", "Package: a\n\nPackage: b\n");
	put(src, "usr/bin/tool", "tool\n");
	put(src, "usr/lib/keep.conf", "keep\n");
	snprintf(a, sizeof(a), "%s/usr/bin/tool", src);
	snprintf(b, sizeof(b), "%s/usr/bin/tool2", src);
	ASSERT_EQ(link(a, b), 0);
	ASSERT_EQ(chmod(a, 04755), 0);
	snprintf(b, sizeof(b), "%s/usr/bin/link", src);
	ASSERT_EQ(symlink("tool", b), 0);

	const char *exclude[] = {"/usr/lib/*.conf"};
	ASSERT_EQ(
	        mkosi_tree_import(src, dst, exclude, 1, count_added, &added, &st, why, sizeof(why)),
	        0);
	ASSERT_STR(get(dst, "etc/shadow"), "root:*::0:99999:7:::\nnobody:!::0:99999:7:::\n");
	ASSERT_EQ(st.rewritten, 1);
	ASSERT_TRUE(get(dst, "etc/shadow-") == NULL);
	ASSERT_TRUE(get(dst, "var/log/bootstrap.log") == NULL);
	ASSERT_TRUE(get(dst, "var/cache/ldconfig/aux-cache") == NULL);
	ASSERT_TRUE(get(dst, "usr/lib/keep.conf") == NULL);
	ASSERT_EQ(st.dropped, 4);
	ASSERT_EQ(st.packages, 2);
	snprintf(a, sizeof(a), "%s/usr/bin/tool", dst);
	snprintf(b, sizeof(b), "%s/usr/bin/tool2", dst);
	ASSERT_EQ(stat(a, &sa), 0);
	ASSERT_EQ(stat(b, &sb), 0);
	ASSERT_EQ(sa.st_ino, sb.st_ino);
	ASSERT_EQ(sa.st_mode & 07777, 04755);
	ASSERT_EQ(st.hardlinks, 1);
	ASSERT_EQ(st.symlinks, 1);
	ASSERT_EQ(added, st.files + st.hardlinks + st.symlinks + st.dirs);
	/* A second import into the now non-empty dst is refused. */
	ASSERT_TRUE(mkosi_tree_import(src, dst, NULL, 0, NULL, NULL, &st, why, sizeof(why)) < 0);
	remove_tree(t);
}

TEST(mkosi_import_refuses_fifo)
{
	char *t = tmpdir(), src[128], dst[128], fifo[PATH_MAX], why[256] = "";
	struct mkosi_stats st;
	snprintf(src, sizeof(src), "%s/src", t);
	snprintf(dst, sizeof(dst), "%s/dst", t);
	put(src, "etc/x", "x");
	snprintf(fifo, sizeof(fifo), "%s/etc/pipe", src);
	ASSERT_EQ(mkfifo(fifo, 0600), 0);
	ASSERT_EQ(mkosi_tree_import(src, dst, NULL, 0, NULL, NULL, &st, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "/etc/pipe");
	remove_tree(t);
}

/* The one lock helper the cache keys and the build directories take. */
TEST(lock_path_holds_and_refuses_symlinks)
{
	char dir[] = "/tmp/test-lock-XXXXXX", path[64], link[64], why[256] = "";
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/a.lock", dir);
	snprintf(link, sizeof(link), "%s/b.lock", dir);

	int fd = lock_path(path, 0600, why, sizeof(why));
	ASSERT_TRUE(fd >= 0);
	/* Held: another open file description cannot take it. */
	int other = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_TRUE(other >= 0);
	ASSERT_EQ(flock(other, LOCK_EX | LOCK_NB), -1);
	ASSERT_EQ(errno, EWOULDBLOCK);
	close(fd);
	ASSERT_EQ(flock(other, LOCK_EX | LOCK_NB), 0);
	close(other);
	/* Never through a symlink; the path is named. */
	ASSERT_EQ(symlink(path, link), 0);
	ASSERT_EQ(lock_path(link, 0600, why, sizeof(why)), -ELOOP);
	ASSERT_CONTAINS(why, "locking ");
	ASSERT_CONTAINS(why, "b.lock");
	unlink(link);
	unlink(path);
	rmdir(dir);
}

/* Where DKMS would put a module, which depmod searches before kernel/: one place says it. */
TEST(install_one_goes_under_updates_dkms)
{
	char dir[] = "/tmp/test-install-XXXXXX", ko[64], root[64], dest[PATH_MAX], why[256] = "";
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(ko, sizeof(ko), "%s/nvidia.ko", dir);
	snprintf(root, sizeof(root), "%s/root", dir);
	int fd = open(ko, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ASSERT_TRUE(fd >= 0 && write(fd, "ko", 2) == 2);
	close(fd);

	ASSERT_EQ(modbuild_install_one(ko, "6.12.118-ccinit", root, dest, sizeof(dest), why,
	                               sizeof(why)),
	          0);
	char want[128];
	snprintf(want, sizeof(want), "%s/lib/modules/6.12.118-ccinit/updates/dkms/nvidia.ko", root);
	ASSERT_STR(dest, want);
	struct stat st;
	ASSERT_EQ(stat(dest, &st), 0);
	ASSERT_EQ(st.st_size, 2);
	ASSERT_EQ(st.st_mode & 07777, 0644);
	/* A module that is not there is an error naming where it was going. */
	snprintf(ko, sizeof(ko), "%s/missing.ko", dir);
	ASSERT_TRUE(modbuild_install_one(ko, "6.12.118-ccinit", root, dest, sizeof(dest), why,
	                                 sizeof(why)) < 0);
	ASSERT_CONTAINS(why, "installing ");
	ASSERT_CONTAINS(why, "updates/dkms/missing.ko");
	ASSERT_EQ(remove_tree(dir), 0);
}
