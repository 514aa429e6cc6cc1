/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loading against the fake kernel (tests/lib/fake_sys): a module tree built
 * here from small ELF objects, indexed by the host's depmod, with a plain, an
 * xz- and a zstd-compressed module. What goes to finit_module, in which order,
 * with which flags; what a kernel that cannot decompress makes of it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "init/base/log.h"
#include "init/core/modules_load.h"
#include "rootfs/lib/fsutil.h"
#include "tests/lib/fake_sys.h"
#include "tests/lib/tap.h"

#define KVER "6.12.0-fake"

/*
 * fakemod needs fakedep's symbol (modules.dep) and asks for fakesoft first
 * (a softdep, through .modinfo into modules.softdep).
 */
static const char *const sources[][2] = {
        {"fakedep", "__attribute__((section(\"__ksymtab_strings\"), used))\n"
                    "static const char s[] = \"fakedep_fn\";\n"
                    "void fakedep_fn(void) {}\n"},
        {"fakemod", "__attribute__((section(\".modinfo\"), used))\n"
                    "static const char s[] = \"softdep=pre: fakesoft\";\n"
                    "extern void fakedep_fn(void);\n"
                    "void fakemod_init(void) { fakedep_fn(); }\n"},
        {"fakesoft", "void fakesoft_init(void) {}\n"},
};

static char root[64], moddir[256];

/* fakedep.ko plain, fakemod.ko.xz, fakesoft.ko.zst, and depmod's indexes. */
static void build_tree(void)
{
	char dir[320], src[400];

	snprintf(root, sizeof(root), "/tmp/ccinit-modload-XXXXXX");
	ASSERT_TRUE(mkdtemp(root) != NULL);
	snprintf(moddir, sizeof(moddir), "%s/lib/modules/" KVER, root);
	snprintf(dir, sizeof(dir), "%s/kernel/fake", moddir);
	tap_sh("mkdir -p %s", dir);
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		snprintf(src, sizeof(src), "%s/%s.c", dir, sources[i][0]);
		tap_write(src, sources[i][1]);
		tap_sh("cd %s && cc -c -o %s.ko %s.c", dir, sources[i][0], sources[i][0]);
	}
	tap_sh("cd %s && rm -f *.c && xz --check=crc32 fakemod.ko && zstd -q --rm fakesoft.ko",
	       dir);
	/* What a kernel package has besides modules; depmod indexes modules.builtin too. */
	tap_sh("cd %s && touch modules.order modules.builtin modules.builtin.modinfo", moddir);
	tap_sh("depmod -b %s %s", root, KVER);
	tap_sh("grep -q '^softdep fakemod pre: fakesoft' %s/modules.softdep", moddir);
}

/* A fake sysfs: /sys/module/compression as the kernel would write it (NULL: none). */
static void fake_kernel(const char *compression)
{
	char path[320];

	snprintf(path, sizeof(path), "%s/sys/module", root);
	tap_sh("rm -rf %s && mkdir -p %s", path, path);
	fake_sys_install(root);
	log_to_stderr();
	if (compression) {
		snprintf(path, sizeof(path), "%s/sys/module/compression", root);
		FILE *f = fopen(path, "w");
		ASSERT_TRUE(f != NULL);
		fprintf(f, "%s\n", compression);
		fclose(f);
	}
}

/* A fresh tree and fake kernel, and a context over the tree. */
static struct modules_ctx *setup(const char *compression)
{
	struct modules_ctx *m = NULL;
	build_tree();
	fake_kernel(compression);
	ASSERT_EQ(modules_new(moddir, &m), 0);
	return m;
}

static void teardown(struct modules_ctx *m)
{
	modules_free(m);
	remove_tree(root);
}

TEST(compressed_module_goes_to_the_kernel_compressed_after_its_dependency)
{
	char why[512] = "";
	struct modules_ctx *m = setup("xz");
	ASSERT_EQ(modules_load(m, "fakemod", "opt=1", why, sizeof(why)), 0);
	const char *dep = strstr(fake_sys_log, "finit_module fakedep.ko '' 0\n");
	const char *mod = strstr(fake_sys_log, "finit_module fakemod.ko.xz 'opt=1' 4\n");
	ASSERT_TRUE(dep && mod && dep < mod);
	/* The softdep, in kmod's order (after the dependencies, before the module), is zstd,
	 * which this kernel cannot unpack: not fatal, as with modprobe. */
	const char *soft = strstr(fake_sys_log, "fakesoft.ko.zst\n");
	ASSERT_TRUE(soft && dep < soft && soft < mod);
	ASSERT_TRUE(strstr(fake_sys_log, "finit_module fakesoft") == NULL);
	teardown(m);
}

TEST(softdep_loads_before_the_module_with_its_own_compression)
{
	char why[512] = "";
	struct modules_ctx *m = setup("zstd");
	ASSERT_EQ(modules_load(m, "fakesoft", NULL, why, sizeof(why)), 0);
	ASSERT_CONTAINS(fake_sys_log, "finit_module fakesoft.ko.zst '' 4\n");
	teardown(m);
}

TEST(kernel_without_decompression_is_named)
{
	char why[512] = "";
	struct modules_ctx *m = setup(NULL);
	ASSERT_EQ(modules_load(m, "fakemod", NULL, why, sizeof(why)), -ENOEXEC);
	ASSERT_CONTAINS(why, "module fakemod (fakemod): ");
	ASSERT_CONTAINS(why, "fakemod.ko.xz is xz-compressed and this kernel cannot decompress "
	                     "modules");
	ASSERT_CONTAINS(why, "CONFIG_MODULE_DECOMPRESS");
	ASSERT_TRUE(strstr(fake_sys_log, "finit_module fakemod") == NULL);
	/* The plain dependency went in first: a kernel without decompression takes those. */
	ASSERT_CONTAINS(fake_sys_log, "finit_module fakedep.ko '' 0\n");
	teardown(m);
}

TEST(loaded_dependency_is_skipped_and_a_failing_one_is_named)
{
	char why[512] = "", path[320];
	struct modules_ctx *m = setup("xz");
	snprintf(path, sizeof(path), "%s/sys/module/fakedep", root);
	ASSERT_EQ(mkdir(path, 0755), 0);
	tap_sh("echo live > %s/initstate", path);
	ASSERT_EQ(modules_load(m, "fakemod", NULL, why, sizeof(why)), 0);
	ASSERT_TRUE(strstr(fake_sys_log, "fakedep.ko") == NULL);
	ASSERT_CONTAINS(fake_sys_log, "finit_module fakemod.ko.xz '' 4\n");
	tap_sh("rm -rf %s", path);
	fake_sys_install(root);
	fake_sys_fail("finit_module fakedep.ko", -ENOEXEC);
	ASSERT_EQ(modules_load(m, "fakemod", NULL, why, sizeof(why)), -ENOEXEC);
	ASSERT_CONTAINS(why, "module fakemod (fakedep): finit_module ");
	ASSERT_TRUE(strstr(fake_sys_log, "finit_module fakemod") == NULL);
	teardown(m);
}

TEST(unknown_module_is_enoent)
{
	char why[512] = "";
	struct modules_ctx *m = setup("xz");
	ASSERT_EQ(modules_load(m, "nosuchmod", NULL, why, sizeof(why)), -ENOENT);
	ASSERT_CONTAINS(why, "module nosuchmod: not found in ");
	teardown(m);
}
