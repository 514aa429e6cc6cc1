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

/*
 * The gpu profile (modules/profiles.c) over a tree with fake nvidia modules and the SPDM
 * crypto either as files or listed in modules.builtin (rel paths, space-separated).
 */
static struct modules_ctx *gpu_tree(const char *files, const char *builtin)
{
	struct modules_ctx *m = NULL;

	snprintf(root, sizeof(root), "/tmp/ccinit-modload-XXXXXX");
	ASSERT_TRUE(mkdtemp(root) != NULL);
	snprintf(moddir, sizeof(moddir), "%s/lib/modules/" KVER, root);
	tap_sh("mkdir -p %s/kernel/crypto %s/updates/dkms && cd %s && touch modules.order "
	       "modules.builtin.modinfo && for f in %s; do echo 'void f(void) {}' | "
	       "cc -x c -c -o $f -; done && for f in %s; do echo $f; done >modules.builtin",
	       moddir, moddir, moddir, files, builtin);
	tap_sh("depmod -b %s %s", root, KVER);
	fake_kernel(NULL);
	ASSERT_EQ(modules_new(moddir, &m), 0);
	return m;
}

#define DRIVER "updates/dkms/nvidia.ko updates/dkms/nvidia-uvm.ko"

/* The finit_module lines of the fake kernel's log, in order: what went into the kernel. */
static const char *finits(void)
{
	static char out[4096];
	size_t n = 0;

	out[0] = '\0';
	for (const char *l = fake_sys_log; *l;) {
		const char *end = strchr(l, '\n');
		size_t len = end ? (size_t)(end - l) + 1 : strlen(l);
		if (strncmp(l, "finit_module ", 13) == 0 && n + len < sizeof(out))
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%.*s", (int)len, l);
		l += len;
	}
	return out;
}

/* Our own kernel builds every crypto row in: only the driver goes to the kernel. */
TEST(gpu_profile_on_a_kernel_with_the_crypto_built_in_loads_only_the_driver)
{
	char why[512] = "";
	struct modules_ctx *m = gpu_tree(DRIVER, "kernel/crypto/ctr.ko kernel/crypto/gcm.ko "
	                                         "kernel/crypto/ghash-generic.ko "
	                                         "kernel/crypto/ecdh_generic.ko");
	ASSERT_EQ(modules_load_profile(m, module_profile_find("gpu"), 0, why, sizeof(why)), 0);
	ASSERT_STR(finits(), "finit_module nvidia.ko '' 0\nfinit_module nvidia-uvm.ko '' 0\n");
	teardown(m);
}

/* Debian 13's cloud kernel: gcm, ghash and ecdh as modules, ctr built in; all before nvidia. */
TEST(gpu_profile_on_debian_loads_the_crypto_modules_before_nvidia)
{
	char why[512] = "";
	struct modules_ctx *m =
	        gpu_tree(DRIVER " kernel/crypto/gcm.ko kernel/crypto/ghash-generic.ko "
	                        "kernel/crypto/ecdh_generic.ko",
	                 "kernel/crypto/ctr.ko");
	ASSERT_EQ(modules_load_profile(m, module_profile_find("gpu"), 0, why, sizeof(why)), 0);
	ASSERT_STR(finits(), "finit_module ghash-generic.ko '' 0\n"
	                     "finit_module gcm.ko '' 0\n"
	                     "finit_module ecdh_generic.ko '' 0\n"
	                     "finit_module nvidia.ko '' 0\n"
	                     "finit_module nvidia-uvm.ko '' 0\n");
	teardown(m);
}

/* A kernel with neither (CRYPTO_GCM=n): the profile fails on the row, by name. */
TEST(gpu_profile_without_gcm_fails_naming_it)
{
	char why[512] = "";
	struct modules_ctx *m =
	        gpu_tree(DRIVER, "kernel/crypto/ctr.ko kernel/crypto/ghash-generic.ko "
	                         "kernel/crypto/ecdh_generic.ko");
	ASSERT_EQ(modules_load_profile(m, module_profile_find("gpu"), 0, why, sizeof(why)),
	          -ENOENT);
	ASSERT_CONTAINS(why, "module gcm: not found in ");
	ASSERT_TRUE(strstr(fake_sys_log, "nvidia") == NULL);
	teardown(m);
}

/* gpu-crypto, which ccinit's GPU step loads before nvidia, is gpu's rows up to nvidia. */
TEST(gpu_crypto_is_the_gpu_profile_without_the_driver)
{
	const struct module_profile *gpu = module_profile_find("gpu"),
	                            *crypto = module_profile_find("gpu-crypto");
	ASSERT_TRUE(gpu && crypto && crypto->modules == gpu->modules);
	ASSERT_EQ(crypto->count + 2, gpu->count);
	ASSERT_STR(gpu->modules[crypto->count].name, "nvidia");
	ASSERT_STR(gpu->modules[crypto->count + 1].name, "nvidia_uvm");
	/* Every row on every boot; only ghash_generic may be absent (gone from 7.2 on). */
	for (size_t i = 0; i < gpu->count; i++)
		ASSERT_TRUE(gpu->modules[i].optional ==
		                    !strcmp(gpu->modules[i].name, "ghash_generic") &&
		            gpu->modules[i].need == NEED_ALWAYS);
}
