/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the host builds (`ccimage modules build`, `kernel build`, `firmware
 * build`) refuse before a fetch or a build of minutes (issue 24): option
 * values, a --kernel-tree that is not ours to replace, a signing key that is
 * not a key and its certificate, inputs that are not regular files.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel-configs/kernel-build/kbuild.h"
#include "modules/nvidia/modbuild.h"
#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/hostbuild.h"
#include "tests/lib/tap.h"

TEST(versions_are_checked_by_debian_syntax)
{
	static const char *const good[] = {"6.12.118-1", "1:2.3~rc1-0+deb13u1", "575.57.08-1",
	                                   "2025.02-8", "7"};
	static const char *const bad[] = {"",        "abc",    "1.0 x", "1.0/..", "1.0-",
	                                  "a:1.0-1", "1.0;rm", "=1.0",  "-1",     "1.0-a:b"};
	char why[256];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ASSERT_EQ(hostbuild_check_version(good[i], why, sizeof(why)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		ASSERT_EQ(hostbuild_check_version(bad[i], why, sizeof(why)), -EINVAL);
		ASSERT_CONTAINS(why, "not a Debian version");
	}
}

TEST(cache_must_be_a_directory_or_makeable)
{
	char dir[] = "/tmp/test-cache-XXXXXX", path[128], why[256] = "";
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/file", dir);
	tap_write(path, "x");

	ASSERT_EQ(hostbuild_check_cache(dir, why, sizeof(why)), 0);
	ASSERT_EQ(hostbuild_check_cache(path, why, sizeof(why)), -ENOTDIR);
	ASSERT_CONTAINS(why, "not a directory");
	snprintf(path, sizeof(path), "%s/file/sub", dir);
	ASSERT_EQ(hostbuild_check_cache(path, why, sizeof(why)), -ENOTDIR);
	snprintf(path, sizeof(path), "%s/new/sub", dir);
	ASSERT_EQ(hostbuild_check_cache(path, why, sizeof(why)), 0);

	/* The options are named in the refusal, the first refused only. */
	const struct hostbuild_option opts[] = {
	        {"--cache", dir, hostbuild_check_cache},
	        {"--source-version", NULL, hostbuild_check_version},
	        {"--install", "/nonexistent-ccimage-test", hostbuild_check_dir},
	};
	ASSERT_EQ(hostbuild_check_options(opts, 3, why, sizeof(why)), -ENOENT);
	ASSERT_CONTAINS(why, "--install /nonexistent-ccimage-test: No such file");
	ASSERT_EQ(remove_tree(dir), 0);
}

/* A kernel root with one KVER, a result directory with one module. */
static void fixture(const char *dir, char *root, char *mine, struct modbuild_result *res)
{
	char path[PATH_MAX];

	sprintf(root, "%s/kroot", dir);
	sprintf(mine, "%s/mine", dir);
	tap_sh("mkdir -p %s/lib/modules/6.1.0-t/kernel %s/boot %s %s/res", root, root, mine, dir);
	snprintf(path, sizeof(path), "%s/boot/vmlinuz-6.1.0-t", root);
	tap_write(path, "kernel");
	snprintf(path, sizeof(path), "%s/notes.txt", mine);
	tap_write(path, "the user's own file");
	memset(res, 0, sizeof(*res));
	snprintf(res->dir, sizeof(res->dir), "%s/res", dir);
	snprintf(path, sizeof(path), "%s/res/nvidia.ko", dir);
	tap_write(path, "ko");
}

TEST(kernel_tree_check_refuses_what_is_not_ours)
{
	char dir[] = "/tmp/test-ktree-XXXXXX", root[128], mine[128], path[256], why[512] = "";
	struct modbuild_result res;
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	fixture(dir, root, mine, &res);

	/* A directory of the user's own files: refused, never removed. */
	ASSERT_EQ(modbuild_kernel_tree_check(root, mine, why, sizeof(why)), -EEXIST);
	ASSERT_CONTAINS(why, "refusing to replace it");
	snprintf(path, sizeof(path), "%s/notes.txt", mine);
	ASSERT_EQ(access(path, F_OK), 0);
	/* In the root (the copy would copy itself), the root itself, or around it. */
	snprintf(path, sizeof(path), "%s/lib/out", root);
	ASSERT_EQ(modbuild_kernel_tree_check(root, path, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "is in");
	ASSERT_EQ(modbuild_kernel_tree_check(root, root, why, sizeof(why)), -EINVAL);
	snprintf(path, sizeof(path), "%s/lib/../..", root);
	ASSERT_EQ(modbuild_kernel_tree_check(root, path, why, sizeof(why)), -EINVAL);
	ASSERT_EQ(modbuild_kernel_tree_check(root, dir, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "holds");
	/* A file; a missing directory above. */
	snprintf(path, sizeof(path), "%s/notes.txt", mine);
	ASSERT_EQ(modbuild_kernel_tree_check(root, path, why, sizeof(why)), -ENOTDIR);
	snprintf(path, sizeof(path), "%s/missing/out", dir);
	ASSERT_EQ(modbuild_kernel_tree_check(root, path, why, sizeof(why)), -ENOENT);
	/* New, empty, or a previous tree: allowed. */
	snprintf(path, sizeof(path), "%s/new", dir);
	ASSERT_EQ(modbuild_kernel_tree_check(root, path, why, sizeof(why)), 0);
	ASSERT_EQ(mkdir(path, 0755), 0);
	ASSERT_EQ(modbuild_kernel_tree_check(root, path, why, sizeof(why)), 0);
	snprintf(path, sizeof(path), "%s/new/" MODBUILD_TREE_MARKER, dir);
	tap_write(path, "");
	snprintf(path, sizeof(path), "%s/new/x", dir);
	tap_write(path, "");
	snprintf(path, sizeof(path), "%s/new", dir);
	ASSERT_EQ(modbuild_kernel_tree_check(root, path, why, sizeof(why)), 0);
	ASSERT_EQ(remove_tree(dir), 0);
}

static unsigned count(const char *pattern)
{
	glob_t g;
	unsigned n = glob(pattern, 0, NULL, &g) == 0 ? (unsigned)g.gl_pathc : 0;
	globfree(&g);
	return n;
}

TEST(kernel_tree_replaces_only_its_own_output)
{
	char dir[] = "/tmp/test-ktree-XXXXXX", root[128], mine[128], out[128], path[256];
	char why[512] = "";
	struct modbuild_result res;
	if (access("/sbin/depmod", X_OK) < 0 && access("/usr/sbin/depmod", X_OK) < 0)
		tap_skip("no depmod");
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	fixture(dir, root, mine, &res);
	setenv("PATH", "/usr/sbin:/sbin:/usr/bin:/bin", 1);

	snprintf(out, sizeof(out), "%s/tree", dir);
	ASSERT_EQ(modbuild_kernel_tree(&res, "6.1.0-t", root, out, why, sizeof(why)), 0);
	snprintf(path, sizeof(path), "%s/lib/modules/6.1.0-t/updates/dkms/nvidia.ko", out);
	ASSERT_EQ(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/" MODBUILD_TREE_MARKER, out);
	ASSERT_EQ(access(path, F_OK), 0);
	/* Again over its own output; nothing left beside it. */
	ASSERT_EQ(modbuild_kernel_tree(&res, "6.1.0-t", root, out, why, sizeof(why)), 0);
	snprintf(path, sizeof(path), "%s/.tree.partial-*", dir);
	ASSERT_EQ(count(path), 0);
	snprintf(path, sizeof(path), "%s/tree.tmp", dir);
	ASSERT_EQ(count(path), 0);

	/* The user's directory stays as it was. */
	ASSERT_EQ(modbuild_kernel_tree(&res, "6.1.0-t", root, mine, why, sizeof(why)), -EEXIST);
	snprintf(path, sizeof(path), "%s/notes.txt", mine);
	ASSERT_EQ(access(path, F_OK), 0);
	/* In the root: refused, and the root gets no copy of itself. */
	snprintf(path, sizeof(path), "%s/lib/out", root);
	ASSERT_EQ(modbuild_kernel_tree(&res, "6.1.0-t", root, path, why, sizeof(why)), -EINVAL);
	snprintf(path, sizeof(path), "%s/lib/*", root);
	ASSERT_EQ(count(path), 1);
	snprintf(path, sizeof(path), "%s/lib/modules/6.1.0-t/updates", root);
	ASSERT_EQ(access(path, F_OK), -1);
	ASSERT_EQ(remove_tree(dir), 0);
}

/* A key and its certificate in path (key2: another key's certificate with the first key). */
static void make_keys(const char *dir)
{
	for (int i = 1; i <= 2; i++)
		tap_sh("openssl req -new -x509 -newkey rsa:2048 -nodes -subj /CN=t%d -days 1 "
		       "-keyout %s/k%d.pem -out %s/c%d.pem 2>/dev/null",
		       i, dir, i, dir, i);
	tap_sh("cd %s && cat k1.pem c1.pem >good.pem && cat k1.pem c2.pem >mixed.pem && "
	       "openssl pkey -in k1.pem -aes256 -passout pass:x -out enc.pem && "
	       "cat c1.pem >>enc.pem && mkfifo fifo",
	       dir);
}

TEST(signing_key_is_a_key_and_its_certificate)
{
	char dir[] = "/tmp/test-signkey-XXXXXX", path[128], why[512];
	struct kbuild_signing_key k;
	static const struct {
		const char *file, *want;
	} bad[] = {
	        {"k1.pem", "no PEM certificate"},
	        {"c1.pem", "no unencrypted PEM private key"},
	        {"enc.pem", "no unencrypted PEM private key"},
	        {"mixed.pem", "the certificate's public key is not the private key's"},
	        {"fifo", "a FIFO, not a regular file"},
	        {"missing.pem", "No such file"},
	};
	if (system("command -v openssl >/dev/null") != 0)
		tap_skip("no openssl");
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	make_keys(dir);

	snprintf(path, sizeof(path), "%s/good.pem", dir);
	ASSERT_EQ(kbuild_signing_key_read(path, &k, why, sizeof(why)), 0);
	ASSERT_EQ(strlen(k.sha256), 64);
	ASSERT_TRUE(k.len > 0 && strstr(k.pem, "BEGIN CERTIFICATE"));
	kbuild_signing_key_free(&k);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, bad[i].file);
		why[0] = '\0';
		ASSERT_TRUE(kbuild_signing_key_read(path, &k, why, sizeof(why)) < 0);
		ASSERT_CONTAINS(why, "--signing-key ");
		ASSERT_CONTAINS(why, bad[i].want);
		ASSERT_TRUE(k.pem == NULL);
	}
	/* A device is never read: /dev/zero would be hashed for ever. */
	ASSERT_EQ(kbuild_signing_key_read("/dev/zero", &k, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "a character device");
	ASSERT_EQ(remove_tree(dir), 0);
}

TEST(fragments_that_are_not_regular_files_are_refused)
{
	char dir[] = "/tmp/test-frags-XXXXXX", path[128], lines[2048], why[512] = "";
	struct kbuild_fragments f;
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/a.conf", dir);
	tap_write(path, "CONFIG_X=y\n");
	snprintf(path, sizeof(path), "%s/b.conf", dir);
	ASSERT_EQ(mkfifo(path, 0600), 0);

	ASSERT_EQ(kbuild_fragments_find(&f, dir, why, sizeof(why)), 0);
	ASSERT_EQ(kbuild_fragments_key(&f, lines, sizeof(lines), why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "b.conf: a FIFO, not a regular file");
	ASSERT_EQ(unlink(path), 0);
	ASSERT_EQ(mkdir(path, 0755), 0);
	ASSERT_EQ(kbuild_fragments_find(&f, dir, why, sizeof(why)), 0);
	ASSERT_EQ(kbuild_fragments_key(&f, lines, sizeof(lines), why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "a directory, not a regular file");
	ASSERT_EQ(remove_tree(dir), 0);
}
