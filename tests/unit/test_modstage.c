/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Staging an initramfs's modules (modules/host/stage.c, decompress.c): a tree of
 * small ELF objects, one plain, one xz- and one zstd-compressed, staged
 * unpacked and as shipped. Unpacked, each file is NAME.ko with the bytes it
 * was compressed from and depmod's index names it so; a corrupt stream, a
 * truncated one and one past the size bound fail naming the file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modules/host/decompress.h"
#include "modules/host/stage.h"
#include "rootfs/lib/fsutil.h"
#include "tests/lib/tap.h"

#define KVER "6.12.0-fake"

static char root[64], kroot[128], out[128];

/* fakemod needs fakedep's symbol and fakezst's (exported as modpost would, for depmod). */
static const char *const sources[][2] = {
        {"fakedep", "__attribute__((section(\"__ksymtab_strings\"), used))\n"
                    "static const char s[] = \"fakedep_fn\";\n"
                    "void fakedep_fn(void) {}\n"},
        {"fakezst", "__attribute__((section(\"__ksymtab_strings\"), used))\n"
                    "static const char s[] = \"fakezst_fn\";\n"
                    "void fakezst_fn(void) {}\n"},
        {"fakemod", "extern void fakedep_fn(void), fakezst_fn(void);\n"
                    "void fakemod_init(void) { fakedep_fn(); fakezst_fn(); }\n"},
};

/*
 * fakedep.ko plain, fakemod.ko.xz (with a stand-in signature trailer),
 * fakezst.ko.zst, indexed by depmod; the plain bytes kept in ROOT/orig.
 */
static void build_tree(void)
{
	char dir[256], src[320];

	snprintf(root, sizeof(root), "/tmp/ccimage-modstage-XXXXXX");
	ASSERT_TRUE(mkdtemp(root) != NULL);
	snprintf(kroot, sizeof(kroot), "%s/kernel", root);
	snprintf(out, sizeof(out), "%s/out", root);
	snprintf(dir, sizeof(dir), "%s/lib/modules/" KVER "/kernel/fake", kroot);
	tap_sh("mkdir -p %s %s/orig", dir, root);
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		snprintf(src, sizeof(src), "%s/%s.c", dir, sources[i][0]);
		tap_write(src, sources[i][1]);
		tap_sh("cd %s && cc -c -o %s.ko %s.c", dir, sources[i][0], sources[i][0]);
	}
	tap_sh("set -e; cd %s; rm -f *.c; printf '~Module signature appended~\\n' >> fakemod.ko;"
	       "cp fakemod.ko fakezst.ko %s/orig/; xz --check=crc32 fakemod.ko; zstd -q --rm "
	       "fakezst.ko;"
	       "cd ../..; touch modules.order modules.builtin modules.builtin.modinfo",
	       dir, root);
	tap_sh("depmod -b %s " KVER, kroot);
}

static int stage(enum modstage_files files, char *why, size_t why_size)
{
	static const char *const names[] = {"fakemod"};
	unsigned copied = 0;
	int r = modstage(kroot, KVER, out, names, NULL, 1, files, &copied, why, why_size);
	if (r == 0)
		ASSERT_EQ(copied, 3);
	return r;
}

TEST(unpacked_modules_keep_their_bytes_and_depmod_names_them)
{
	char why[1024] = "";
	build_tree();
	ASSERT_EQ(stage(MODSTAGE_DECOMPRESS, why, sizeof(why)), 0);
	tap_sh("set -e; d=%s/lib/modules/" KVER "; cd $d/kernel/fake;"
	       "test \"$(ls | tr '\\n' ' ')\" = 'fakedep.ko fakemod.ko fakezst.ko ';"
	       "cmp fakemod.ko %s/orig/fakemod.ko; cmp fakezst.ko %s/orig/fakezst.ko;"
	       "grep -qx 'kernel/fake/fakemod.ko: kernel/fake/fakedep.ko kernel/fake/fakezst.ko'"
	       " $d/modules.dep || grep -qx 'kernel/fake/fakemod.ko: kernel/fake/fakezst.ko"
	       " kernel/fake/fakedep.ko' $d/modules.dep",
	       out, root, root);
	remove_tree(root);
}

TEST(as_shipped_keeps_the_compressed_files)
{
	char why[1024] = "";
	build_tree();
	ASSERT_EQ(stage(MODSTAGE_AS_SHIPPED, why, sizeof(why)), 0);
	tap_sh("set -e; d=%s/lib/modules/" KVER "; cd $d/kernel/fake;"
	       "test \"$(ls | tr '\\n' ' ')\" = 'fakedep.ko fakemod.ko.xz fakezst.ko.zst ';"
	       "grep -q '^kernel/fake/fakemod.ko.xz:' $d/modules.dep",
	       out);
	remove_tree(root);
}

TEST(corrupt_stream_names_the_module)
{
	char why[1024] = "";
	build_tree();
	/* A flipped byte inside the xz block: the CRC32 check catches it. */
	tap_sh("f=%s/lib/modules/" KVER "/kernel/fake/fakemod.ko.xz;"
	       "printf '\\377' | dd of=$f bs=1 seek=40 conv=notrunc status=none",
	       kroot);
	ASSERT_EQ(stage(MODSTAGE_DECOMPRESS, why, sizeof(why)), -EBADMSG);
	ASSERT_CONTAINS(why, "module fakemod: ");
	ASSERT_CONTAINS(why, "/kernel/fake/fakemod.ko.xz: corrupt or truncated xz stream");
	remove_tree(root);
}

TEST(truncated_zstd_names_the_module)
{
	char why[1024] = "";
	build_tree();
	tap_sh("f=%s/lib/modules/" KVER "/kernel/fake/fakezst.ko.zst;"
	       "truncate -s $(( $(stat -c %%s $f) - 8 )) $f",
	       kroot);
	ASSERT_EQ(stage(MODSTAGE_DECOMPRESS, why, sizeof(why)), -EBADMSG);
	ASSERT_CONTAINS(why, "/kernel/fake/fakezst.ko.zst: truncated zstd stream");
	remove_tree(root);
}

TEST(unpacking_is_bounded)
{
	char why[1024] = "", from[128], to[128];
	snprintf(root, sizeof(root), "/tmp/ccimage-modstage-XXXXXX");
	ASSERT_TRUE(mkdtemp(root) != NULL);
	snprintf(from, sizeof(from), "%s/big.ko.zst", root);
	snprintf(to, sizeof(to), "%s/big.ko", root);
	/* One byte past the bound, of zeros: a few KiB compressed. */
	tap_sh("head -c %u /dev/zero | zstd -q -o %s", MODULE_MAX_BYTES + 1, from);
	ASSERT_EQ(module_decompress(from, to, why, sizeof(why)), -EFBIG);
	ASSERT_CONTAINS(why, "big.ko.zst: unpacks to more than 256 MiB");
	ASSERT_EQ(access(to, F_OK), -1);
	remove_tree(root);
}

TEST(unpacked_names)
{
	char plain[64];
	ASSERT_TRUE(module_unpacked_name("kernel/a/b.ko.xz", plain, sizeof(plain)));
	ASSERT_STR(plain, "kernel/a/b.ko");
	ASSERT_TRUE(module_unpacked_name("b.ko.zst", plain, sizeof(plain)));
	ASSERT_STR(plain, "b.ko");
	ASSERT_FALSE(module_unpacked_name("kernel/a/b.ko", plain, sizeof(plain)));
	ASSERT_FALSE(module_unpacked_name("kernel/a/b.ko.gz", plain, sizeof(plain)));
	ASSERT_FALSE(module_unpacked_name("kernel/a/b.ko.xz", plain, 8));
}
