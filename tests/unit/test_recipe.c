/* SPDX-License-Identifier: Apache-2.0 */
/* The recipe reader: a good recipe read whole, and every error naming FILE:LINE:COLUMN. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rootfs/recipe/lock.h"
#include "rootfs/recipe/recipe.h"
#include "rootfs/recipe/recipe_keys.h"
#include "rootfs/recipe/recipe_yaml.h"
#include "tests/lib/tap.h"

static const char good[] = "format: 1\n"
                           "name: demo\n"
                           "source-date-epoch: 1234\n"
                           "variables:\n"
                           "  agent: bin/agent\n"
                           "debian:\n"
                           "  suite: bookworm\n"
                           "  components: [main, non-free]\n"
                           "  updates: false\n"
                           "packages:\n"
                           "  zlib1g: {}\n"
                           "  e2fsprogs:\n"
                           "    slices:\n"
                           "      mke2fs: [/sbin/mke2fs, /etc/mke2fs.conf]\n"
                           "    copyright: false\n"
                           "files:\n"
                           "  /usr/bin/kata-agent: {source: \"${agent}\", mode: 0755}\n"
                           "  /etc/probe: {text: \"x$${y}\\n\", mode: 0644}\n"
                           "directories: {/proc: 0555, /tmp: 01777}\n"
                           "symlinks: {/bin: usr/bin}\n"
                           "kernel:\n"
                           "  package: linux-image-cloud-amd64\n"
                           "  initramfs-modules: {profiles: [storage], modules: [vsock]}\n"
                           "initramfs:\n"
                           "  init: /abs/ccinit\n"
                           "image: {compress: none, salt-seed: s}\n"
                           "cmdline: \"{root} quiet\"\n"
                           "measurement: {tee: [snp, tdx], vcpus: [1, 4], vcpu-type: EPYC-v4, "
                           "firmware: OVMF.fd, memory-mib: 2048}\n";

static int parse(const char *text, struct recipe **r, char *why, size_t size)
{
	return recipe_parse("dir/r.yaml", text, strlen(text), NULL, 0, r, why, size);
}

TEST(good_recipe_read_whole)
{
	struct recipe *r;
	char why[512];

	ASSERT_EQ(parse(good, &r, why, sizeof(why)), 0);
	ASSERT_STR(r->name, "demo");
	ASSERT_EQ(r->source_date_epoch, 1234);
	ASSERT_STR(r->debian.suite, "bookworm");
	ASSERT_EQ(r->debian.ncomponents, 2);
	ASSERT_FALSE(r->debian.updates);
	ASSERT_STR(r->debian.mirror, "http://deb.debian.org/debian");
	/* Packages come sorted by name whatever the recipe's order. */
	ASSERT_EQ(r->npackages, 2);
	ASSERT_STR(r->packages[0].name, "e2fsprogs");
	ASSERT_FALSE(r->packages[0].copyright);
	ASSERT_STR(r->packages[0].slices[0].name, "mke2fs");
	ASSERT_STR(r->packages[0].slices[0].globs[1], "/etc/mke2fs.conf");
	ASSERT_EQ(r->packages[0].slices[0].lines[0], 14);
	ASSERT_STR(r->packages[1].name, "zlib1g");
	ASSERT_TRUE(r->packages[1].copyright);
	/* Host paths are relative to the recipe; variables substituted; $$ is a dollar. */
	ASSERT_STR(r->files[0].source, "dir/bin/agent");
	ASSERT_EQ(r->files[0].mode, 0755);
	ASSERT_STR(r->files[1].text, "x${y}\n");
	ASSERT_EQ(r->dirs[1].mode, 01777);
	ASSERT_STR(r->symlinks[0].target, "usr/bin");
	ASSERT_STR(r->kernel.package, "linux-image-cloud-amd64");
	ASSERT_STR(r->kernel.initramfs.profiles[0], "storage");
	ASSERT_STR(r->initramfs.init, "/abs/ccinit");
	ASSERT_FALSE(r->initramfs.modules_compressed); /* unpacked unless asked */
	ASSERT_STR(r->image.compress, "none");
	ASSERT_STR(r->image.data_dev, "/dev/vda1");
	ASSERT_TRUE(r->image.ld_cache);
	ASSERT_STR(r->cmdline, "{root} quiet");
	ASSERT_EQ(r->measurement.nvcpus, 2);
	ASSERT_EQ(r->measurement.vcpus[1], 4);
	ASSERT_STR(r->measurement.firmware, "dir/OVMF.fd");
	ASSERT_EQ(r->measurement.memory_mib, 2048);
	recipe_free(r);
}

TEST(set_overrides_variable)
{
	const char *sets[] = {"agent=/opt/kata-agent"};
	struct recipe *r;
	char why[512];

	ASSERT_EQ(recipe_parse("r.yaml", good, strlen(good), sets, 1, &r, why, sizeof(why)), 0);
	ASSERT_STR(r->files[0].source, "/opt/kata-agent");
	recipe_free(r);
	const char *bad[] = {"nosuch=1"};
	ASSERT_EQ(recipe_parse("r.yaml", good, strlen(good), bad, 1, &r, why, sizeof(why)),
	          -EINVAL);
	ASSERT_CONTAINS(why, "--set nosuch");
}

/* Replaces the first occurrence of from in the good recipe and expects an error text. */
static void expect_error(const char *from, const char *to, const char *want)
{
	char text[4096], why[512] = "";
	struct recipe *r = NULL;
	const char *at = strstr(good, from);

	if (!at)
		tap_fail("'%s' is not in the good recipe", from);
	snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - good), good, to, at + strlen(from));
	int rc = parse(text, &r, why, sizeof(why));
	if (rc != -EINVAL || r)
		tap_fail("'%s' -> '%s': parsed (rc %d)", from, to, rc);
	if (!strstr(why, want))
		tap_fail("'%s' -> '%s': error \"%s\" lacks \"%s\"", from, to, why, want);
}

TEST(unknown_keys_name_the_line)
{
	expect_error("source-date-epoch: 1234\n", "sourcedate: 1\n",
	             "dir/r.yaml:3:1: unknown key 'sourcedate'");
	expect_error("    copyright: false\n", "    copyrite: false\n",
	             "dir/r.yaml:15:5: unknown key 'copyrite'");
	expect_error("{compress: none,", "{compres: none,",
	             "dir/r.yaml:26:9: unknown key 'compres'");
	expect_error("  suite: bookworm\n", "  suite: bookworm\n  mirrors: x\n",
	             "dir/r.yaml:8:3: unknown key 'mirrors'");
}

TEST(wrong_types_name_the_line)
{
	expect_error("format: 1\n", "format: [1]\n",
	             "dir/r.yaml:1:9: expected a non-negative integer");
	expect_error("format: 1\n", "format: 2\n", "dir/r.yaml:1:9: format 2 is not supported");
	expect_error("name: demo\n", "name: [demo]\n",
	             "dir/r.yaml:2:7: expected a string, found a list");
	expect_error("source-date-epoch: 1234", "source-date-epoch: -5",
	             "dir/r.yaml:3:20: expected a non-negative integer");
	expect_error("source-date-epoch: 1234", "source-date-epoch: \"1234\"",
	             "dir/r.yaml:3:20: expected a non-negative integer");
	expect_error("  updates: false", "  updates: maybe",
	             "dir/r.yaml:9:12: expected true or false");
	expect_error("mode: 0755", "mode: 755", "dir/r.yaml:17:51: expected an octal mode");
	expect_error("mode: 0755", "mode: 099", "expected an octal mode");
	expect_error(
	        "      mke2fs: [/sbin/mke2fs,", "      mke2fs: [sbin/mke2fs,",
	        "dir/r.yaml:14:16: slice e2fsprogs_mke2fs: 'sbin/mke2fs' is not an absolute path");
	expect_error("/etc/mke2fs.conf]", "/etc/../x]", "is not an absolute path");
	expect_error("vcpus: [1, 4]", "vcpus: [1, 0]", "vcpus: 0 is not 1..512");
	expect_error("tee: [snp, tdx]", "tee: [snp, sgx]", "tee 'sgx' is not");
	/* Known to the TEE table but not measured by a build: refused here, not after the image. */
	expect_error("tee: [snp, tdx]", "tee: [sev]",
	             "measurement: tee 'sev' is not one ccimage build measures (snp, tdx)");
	expect_error("tee: [snp, tdx]", "tee: [tdx, sev-es]", "tee 'sev-es' is not one");
	expect_error("vcpus: [1, 4]", "vcpus: [1, 513]", "vcpus: 513 is not 1..512");
	/* A CPU model the measurement does not know: refused at its line, not after the build. */
	expect_error("vcpu-type: EPYC-v4", "vcpu-type: EPYC-v99",
	             "measurement: vcpu-type: 'EPYC-v99': not a vCPU type QEMU names");
	expect_error("memory-mib: 2048", "memory-mib: 16777217",
	             "memory-mib: 16777217 is not 1..16777216");
	expect_error("memory-mib: 2048", "memory-mib: 0", "memory-mib: 0 is not 1..16777216");
	expect_error("directories: {/proc: 0555, /tmp: 01777}", "directories: [/proc]",
	             "dir/r.yaml:19:14: expected a mapping of image path to a mode");
}

/* One firmware for every TEE, or each its own; snp's own may be `build`. */
TEST(firmware_per_tee)
{
	const char *from = "firmware: OVMF.fd,";
	struct recipe *r;
	char why[512], text[4096];
	static const struct {
		const char *to, *tdx, *snp;
	} cases[] = {
	        {"tdx-firmware: /usr/share/ovmf/OVMF.fd, snp-firmware: build,",
	         "/usr/share/ovmf/OVMF.fd", "build"},
	        {"tdx-firmware: t.fd, snp-firmware: amdsev/OVMF.fd,", "dir/t.fd",
	         "dir/amdsev/OVMF.fd"},
	        {"tdx-firmware: t.fd,", "dir/t.fd", NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *at = strstr(good, from);
		ASSERT_TRUE(at != NULL);
		snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - good), good, cases[i].to,
		         at + strlen(from));
		ASSERT_EQ(parse(text, &r, why, sizeof(why)), 0);
		ASSERT_TRUE(r->measurement.firmware == NULL);
		ASSERT_STR(r->measurement.tdx_firmware, cases[i].tdx);
		if (cases[i].snp)
			ASSERT_STR(r->measurement.snp_firmware, cases[i].snp);
		else
			ASSERT_TRUE(r->measurement.snp_firmware == NULL);
		recipe_free(r);
	}
	expect_error(from, "firmware: OVMF.fd, snp-firmware: build,",
	             "measurement: firmware (one file for every TEE) and tdx-firmware or "
	             "snp-firmware (one per TEE) together");
	expect_error(from, "snp-firmware: [build],", "dir/r.yaml:28:81: expected a string");
}

TEST(initramfs_modules_compressed)
{
	static const char text[] = "format: 1\nname: d\ninitramfs: {modules-compressed: true}\n";
	struct recipe *r;
	char why[512];

	ASSERT_EQ(parse(text, &r, why, sizeof(why)), 0);
	ASSERT_TRUE(r->initramfs.modules_compressed);
	recipe_free(r);
	expect_error("  init: /abs/ccinit\n", "  init: /abs/ccinit\n  modules-compressed: xz\n",
	             "dir/r.yaml:26:23: expected true or false");
}

/* Without image.compress the root is lz4: README.md, "Large roots", says why. */
TEST(image_compress_default)
{
	static const char text[] = "format: 1\nname: d\n";
	struct recipe *r;
	char why[512];

	ASSERT_EQ(parse(text, &r, why, sizeof(why)), 0);
	ASSERT_STR(r->image.compress, "lz4");
	recipe_free(r);
}

/* kernel.build: the kernel `ccimage kernel build` makes, instead of a package or a tree. */
TEST(kernel_build)
{
	static const char *const forms[][3] = {
	        {"  build: {}\n", NULL, NULL},
	        {"  build: {source-version: 6.12.118-1}\n", "6.12.118-1", NULL},
	        {"  build: {nvidia-version: 550.163.01-2}\n", NULL, "550.163.01-2"},
	        {"  build: {nvidia: false}\n", NULL, "-"}};
	char text[4096], why[512];
	const char *at = strstr(good, "  package: linux-image-cloud-amd64\n");
	struct recipe *r;

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - good), good, forms[i][0],
		         at + strlen("  package: linux-image-cloud-amd64\n"));
		ASSERT_EQ(parse(text, &r, why, sizeof(why)), 0);
		ASSERT_TRUE(r->kernel.build && !r->kernel.package && !r->kernel.root);
		if (forms[i][1])
			ASSERT_STR(r->kernel.build_source_version, forms[i][1]);
		else
			ASSERT_TRUE(r->kernel.build_source_version == NULL);
		/* "-": no NVIDIA modules at all */
		ASSERT_TRUE(r->kernel.build_no_nvidia ==
		            (forms[i][2] && !strcmp(forms[i][2], "-")));
		if (forms[i][2] && strcmp(forms[i][2], "-"))
			ASSERT_STR(r->kernel.build_nvidia_version, forms[i][2]);
		else
			ASSERT_TRUE(r->kernel.build_nvidia_version == NULL);
		recipe_free(r);
	}
	/* The sources from another suite: trixie's 6.12 predates the TSM measurement registers. */
	snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - good), good,
	         "  build: {suite: trixie-backports, nvidia: false}\n",
	         at + strlen("  package: linux-image-cloud-amd64\n"));
	ASSERT_EQ(parse(text, &r, why, sizeof(why)), 0);
	ASSERT_STR(r->kernel.build_suite, "trixie-backports");
	recipe_free(r);
	expect_error("  package: linux-image-cloud-amd64\n", "  build: {suite: [trixie]}\n",
	             "dir/r.yaml:22:18: expected a string");
	expect_error("  package: linux-image-cloud-amd64\n",
	             "  package: linux-image-cloud-amd64\n  build: {}\n",
	             "exactly one of 'package', 'root' and 'build'");
	expect_error("  package: linux-image-cloud-amd64\n", "  build: yes\n",
	             "dir/r.yaml:22:10: kernel.build: a map ({} or {source-version: V})");
	expect_error("  package: linux-image-cloud-amd64\n", "  build: {version: 6.12}\n",
	             "unknown key 'version'");
	expect_error("  package: linux-image-cloud-amd64\n",
	             "  build: {nvidia: false, nvidia-version: 550.163.01-2}\n",
	             "nvidia: false with an nvidia-version");
	expect_error("  package: linux-image-cloud-amd64\n", "  build: {nvidia: maybe}\n",
	             "expected true or false");
}

TEST(structure_errors)
{
	expect_error("name: demo\n", "", "'name' is required");
	expect_error("name: demo\n", "name: demo\nname: again\n",
	             "dir/r.yaml:3:1: duplicate key 'name'");
	expect_error("${agent}", "${nope}", "dir/r.yaml:17:33: undefined variable 'nope'");
	expect_error("{text: \"x$${y}\\n\", mode: 0644}", "{mode: 0644}",
	             "exactly one of 'source' and 'text'");
	expect_error("  package: linux-image-cloud-amd64\n", "  root: /k\n  package: x\n",
	             "exactly one of 'package', 'root' and 'build'");
	expect_error("format: 1\n", "format: &a 1\nx: *a\n", "aliases are not allowed");
	expect_error("format: 1\n", "format: 1\n---\nformat: 1\n", "one YAML document");
	expect_error("name: demo\n", "name: de mo\n", "is not a plain name");
	expect_error("  components: [main, non-free]", "  components: [main, 'a/b']",
	             "component 'a/b' is not a plain name");
	expect_error("name: demo\n", "name: demo\n  bad indent: [\n", "dir/r.yaml:");
}

TEST(empty_and_garbage)
{
	struct recipe *r;
	char why[256];

	ASSERT_EQ(parse("", &r, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "empty recipe");
	ASSERT_EQ(parse("- a\n- b\n", &r, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "dir/r.yaml:1:1: a recipe is a mapping");
	ASSERT_EQ(parse("{", &r, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "dir/r.yaml:");
	ASSERT_EQ(recipe_parse("n.yaml", "a\0b", 3, NULL, 0, &r, why, sizeof(why)), -EINVAL);
}

/* Issue 15: nesting is refused at the first level past the limit, with its position. */
TEST(deep_nesting_refused_at_once)
{
	size_t depth = 100000, len = strlen("format: 1\nname: t\nx: ");
	char *text = malloc(len + 2 * depth + 2), why[256] = "";
	struct recipe *r = NULL;

	ASSERT_TRUE(text != NULL);
	memcpy(text, "format: 1\nname: t\nx: ", len);
	memset(text + len, '[', depth);
	memset(text + len + depth, ']', depth);
	strcpy(text + len + 2 * depth, "\n");
	ASSERT_EQ(parse(text, &r, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "dir/r.yaml:3:");
	ASSERT_CONTAINS(why, "nested too deeply (a recipe nests at most 32 levels)");
	free(text);
	/* The recipes here nest far less: 32 levels still parse as far as the unknown key. */
	char ok[256];
	snprintf(ok, sizeof(ok), "format: 1\nname: t\nx: %.*s%.*s\n", RECIPE_MAX_DEPTH - 1,
	         "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", RECIPE_MAX_DEPTH - 1,
	         "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
	ASSERT_EQ(parse(ok, &r, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "unknown key 'x'");
}

TEST(follow_goes_with_source)
{
	expect_error("{source: \"${agent}\", mode: 0755}",
	             "{source: \"${agent}\", mode: 0755, follow: maybe}", "expected true or false");
	expect_error("{text: \"x$${y}\\n\", mode: 0644}", "{text: \"x\", mode: 0644, follow: true}",
	             "'follow' goes with 'source'");
}

/*
 * rootfs/RECIPES.md's key tables are generated from the key table, one block
 * per recipe_key_blocks entry: a row without its line there, or a block
 * without its markers, fails here.
 */
TEST(recipes_md_key_tables_are_current)
{
	static char doc[65536];
	char table[16384], begin[64], end[64];
	int fd = open("rootfs/RECIPES.md", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		tap_fail("rootfs/RECIPES.md not found (run from the repository root)");
	ssize_t n = read(fd, doc, sizeof(doc) - 1);
	close(fd);
	ASSERT_TRUE(n > 0 && (size_t)n < sizeof(doc) - 1);
	doc[n] = '\0';
	for (size_t i = 0; i < recipe_nkeys; i++)
		if (!recipe_keys[i].doc || !*recipe_keys[i].doc)
			tap_fail("key %s has no documentation line", recipe_keys[i].path);
	for (const char *const *b = recipe_key_blocks; *b; b++) {
		snprintf(begin, sizeof(begin), "<!-- keys:%s:begin -->\n", **b ? *b : "top");
		snprintf(end, sizeof(end), "<!-- keys:%s:end -->", **b ? *b : "top");
		ASSERT_TRUE(recipe_keys_markdown(*b, table, sizeof(table)) > 0);
		const char *from = strstr(doc, begin), *to = strstr(doc, end);
		if (!from || !to || to < from)
			tap_fail("rootfs/RECIPES.md lacks %s...%s; it should hold:\n%s", begin, end,
			         table);
		from += strlen(begin);
		if ((size_t)(to - from) != strlen(table) ||
		    memcmp(from, table, strlen(table)) != 0) {
			printf("# RECIPES.md's %s keys differ from rootfs/recipe/recipe_keys.c; "
			       "they "
			       "should read:\n%s",
			       **b ? *b : "top", table);
			tap_fail("RECIPES.md key table out of date");
		}
	}
}

TEST(globs)
{
	ASSERT_TRUE(recipe_glob_match("/lib/*/libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6"));
	ASSERT_FALSE(recipe_glob_match("/lib/*", "/lib/a/b"));
	ASSERT_TRUE(recipe_glob_match("/lib/**", "/lib/a/b"));
	ASSERT_TRUE(recipe_glob_match("/usr/lib/libfoo.so*", "/usr/lib/libfoo.so.1.2"));
	ASSERT_FALSE(recipe_glob_match("/usr/lib/libfoo.so*", "/usr/lib/libfoo.so.1/x"));
	ASSERT_TRUE(recipe_glob_match("/a?c", "/abc"));
	ASSERT_FALSE(recipe_glob_match("/a?c", "/a/c"));
	ASSERT_TRUE(recipe_glob_match("/x/**/y", "/x/a/b/y"));
	ASSERT_FALSE(recipe_glob_match("/etc/os-release", "/etc/os-release2"));
	ASSERT_TRUE(recipe_path_ok("/usr/bin/x"));
	ASSERT_FALSE(recipe_path_ok("/"));
	ASSERT_FALSE(recipe_path_ok("usr"));
	ASSERT_FALSE(recipe_path_ok("/usr//bin"));
	ASSERT_FALSE(recipe_path_ok("/usr/bin/"));
	ASSERT_FALSE(recipe_path_ok("/usr/./bin"));
	ASSERT_FALSE(recipe_path_ok("/usr/../etc"));
}

static const char *write_tmp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/test-recipe-lock-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		tap_fail("mkstemp");
	close(fd);
	return path;
}

TEST(lock_read_check_and_write)
{
	static const char sha[] =
	        "3eb1ea6d85488f488cc2a163b98ad640ef88cee4c79287cf14e361aaf6206f47";
	char text[2048], why[512], out[80];
	struct recipe *r;
	struct lock *l;

	snprintf(text, sizeof(text),
	         "# comment\nformat 1\nrecipe demo\nkernel linux-image-cloud-amd64 "
	         "linux-image-6.1.0-56-cloud-amd64\n"
	         "package zlib1g 1:1.2 amd64 %s 10 pool/main/z/z.deb\n"
	         "package e2fsprogs 1.47 amd64 %s 20 pool/main/e/e.deb\n"
	         "package linux-image-6.1.0-56-cloud-amd64 6.1 amd64 %s 30 pool/k.deb\n",
	         sha, sha, sha);
	const char *path = write_tmp(text);
	ASSERT_EQ(lock_read(path, &l, why, sizeof(why)), 0);
	ASSERT_EQ(l->n, 3);
	ASSERT_STR(l->pkgs[0].name, "e2fsprogs"); /* sorted */
	ASSERT_STR(lock_find(l, "zlib1g")->version, "1:1.2");
	ASSERT_EQ(parse(good, &r, why, sizeof(why)), 0);
	ASSERT_EQ(lock_check(r, l, why, sizeof(why)), 0);
	/* Written back sorted and stable. */
	snprintf(out, sizeof(out), "%s.out", path);
	ASSERT_EQ(lock_write(l, out, "dir/r.yaml"), 0);
	struct lock *l2;
	ASSERT_EQ(lock_read(out, &l2, why, sizeof(why)), 0);
	ASSERT_EQ(l2->n, 3);
	ASSERT_STR(l2->kernel_pkg, "linux-image-6.1.0-56-cloud-amd64");
	lock_free(l2);
	unlink(out);
	/* A package the recipe names but the lock lacks. */
	snprintf(l->pkgs[2].name, sizeof(l->pkgs[2].name), "zzz");
	ASSERT_EQ(lock_check(r, l, why, sizeof(why)), -ESTALE);
	ASSERT_CONTAINS(why, "zlib1g is not in the lock");
	lock_free(l);
	recipe_free(r);
	unlink(path);

	path = write_tmp("format 1\npackage a 1 amd64 nothex 1 p.deb\n");
	ASSERT_EQ(lock_read(path, &l, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, ":2: not a lock line");
	unlink(path);
	path = write_tmp("recipe x\n");
	ASSERT_EQ(lock_read(path, &l, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "no 'format 1' line");
	unlink(path);
	snprintf(text, sizeof(text), "format 1\npackage a 1 amd64 %s 1 ../../etc/passwd\n", sha);
	path = write_tmp(text);
	ASSERT_EQ(lock_read(path, &l, why, sizeof(why)), -EINVAL);
	unlink(path);
}

/* kernel.build: the lock pins its sources and says which pins they are. */
TEST(lock_kernel_build_sources)
{
	static const char sha[] =
	        "3eb1ea6d85488f488cc2a163b98ad640ef88cee4c79287cf14e361aaf6206f47";
	const char *at = strstr(good, "  package: linux-image-cloud-amd64\n");
	char text[4096], why[512], out[80];
	struct recipe *r, *r_none;
	struct lock *l, *l2;

	snprintf(text, sizeof(text), "%.*s  build: {}\n%s", (int)(at - good), good,
	         at + strlen("  package: linux-image-cloud-amd64\n"));
	ASSERT_EQ(parse(text, &r, why, sizeof(why)), 0);
	snprintf(text, sizeof(text), "%.*s  build: {nvidia: false}\n%s", (int)(at - good), good,
	         at + strlen("  package: linux-image-cloud-amd64\n"));
	ASSERT_EQ(parse(text, &r_none, why, sizeof(why)), 0);
	snprintf(text, sizeof(text),
	         "format 1\nrecipe demo\nkernel-build linux-source-6.12 "
	         "nvidia-open-kernel-source\n"
	         "package zlib1g 1:1.2 amd64 %s 10 pool/main/z/z.deb\n"
	         "package e2fsprogs 1.47 amd64 %s 20 pool/main/e/e.deb\n"
	         "package linux-source-6.12 6.12.118-1 all %s 30 pool/l.deb\n"
	         "package nvidia-open-kernel-source 550.163.01-2 amd64 %s 40 pool/n.deb\n",
	         sha, sha, sha, sha);
	const char *path = write_tmp(text);
	ASSERT_EQ(lock_read(path, &l, why, sizeof(why)), 0);
	ASSERT_STR(l->build_source, "linux-source-6.12");
	ASSERT_STR(l->build_nvidia, "nvidia-open-kernel-source");
	ASSERT_EQ(lock_check(r, l, why, sizeof(why)), 0);
	/* The recipe wants no NVIDIA modules, the lock pins their source. */
	ASSERT_EQ(lock_check(r_none, l, why, sizeof(why)), -ESTALE);
	ASSERT_CONTAINS(why, "kernel build sources (linux-source-6.12 nvidia-open-kernel-source)");
	snprintf(out, sizeof(out), "%s.out", path);
	ASSERT_EQ(lock_write(l, out, "dir/r.yaml"), 0);
	ASSERT_EQ(lock_read(out, &l2, why, sizeof(why)), 0);
	ASSERT_STR(l2->build_source, "linux-source-6.12");
	ASSERT_STR(l2->build_nvidia, "nvidia-open-kernel-source");
	/* Without NVIDIA: "-", read back as none. */
	l2->build_nvidia[0] = '\0';
	ASSERT_EQ(lock_write(l2, out, "dir/r.yaml"), 0);
	lock_free(l2);
	ASSERT_EQ(lock_read(out, &l2, why, sizeof(why)), 0);
	ASSERT_STR(l2->build_nvidia, "");
	/* ... where the pin of the NVIDIA source is now one the recipe does not name. */
	ASSERT_EQ(lock_check(r_none, l2, why, sizeof(why)), -ESTALE);
	ASSERT_CONTAINS(why, "nvidia-open-kernel-source, which the recipe no longer names");
	lock_free(l2);
	unlink(out);
	/* The line names a pin the lock lacks. */
	snprintf(l->build_source, sizeof(l->build_source), "linux-source-6.13");
	ASSERT_EQ(lock_check(r, l, why, sizeof(why)), -ESTALE);
	lock_free(l);
	unlink(path);
	recipe_free(r);
	recipe_free(r_none);
}

TEST(tree_key)
{
	struct recipe *r;
	char why[512];

	ASSERT_EQ(parse("format: 1\nname: t\ntree: {source: mkosi/root, exclude: [/var/log/**]}\n",
	                &r, why, sizeof(why)),
	          0);
	ASSERT_STR(r->tree.source, "dir/mkosi/root"); /* relative to the recipe */
	ASSERT_EQ(r->tree.nexclude, 1);
	ASSERT_STR(r->tree.exclude[0], "/var/log/**");
	recipe_free(r);
	ASSERT_TRUE(parse("format: 1\nname: t\ntree: {exclude: [/x]}\n", &r, why, sizeof(why)) < 0);
	ASSERT_CONTAINS(why, "dir/r.yaml:3:");
	ASSERT_CONTAINS(why, "'source' is required");
	ASSERT_TRUE(parse("format: 1\nname: t\ntree: {source: a, sorce: b}\n", &r, why,
	                  sizeof(why)) < 0);
	ASSERT_CONTAINS(why, "sorce");
}

static struct lock *lock_of(const char *kernel, const char *zlib_version, const char *extra)
{
	static const char sha[] =
	        "3eb1ea6d85488f488cc2a163b98ad640ef88cee4c79287cf14e361aaf6206f47";
	char text[2048], why[512];
	struct lock *l;

	snprintf(text, sizeof(text),
	         "format 1\nrecipe demo\nkernel linux-image-cloud-amd64 %s\n"
	         "package zlib1g %s amd64 %s 10 pool/main/z/z.deb\n"
	         "package %s 6.1 amd64 %s 30 pool/k.deb\n%s",
	         kernel, zlib_version, sha, kernel, sha, extra);
	const char *path = write_tmp(text);
	if (lock_read(path, &l, why, sizeof(why)) < 0)
		tap_fail("%s", why);
	unlink(path);
	return l;
}

/* `ccimage lock --check`: which pins today's archive moved, the kernel counted once. */
TEST(lock_compare_names_moved_pins)
{
	struct lock *pinned = lock_of("linux-image-6.1.0-56-cloud-amd64", "1:1.2", "");
	struct lock *same = lock_of("linux-image-6.1.0-56-cloud-amd64", "1:1.2", "");
	struct lock *moved =
	        lock_of("linux-image-6.1.0-57-cloud-amd64", "1:1.3",
	                "package libnew 2 amd64 "
	                "3eb1ea6d85488f488cc2a163b98ad640ef88cee4c79287cf14e361aaf6206f47 "
	                "1 p.deb\n");
	char what[512], tiny[24];

	ASSERT_EQ(lock_compare(pinned, same, what, sizeof(what)), 0);
	ASSERT_STR(what, "");
	ASSERT_EQ(lock_compare(pinned, moved, what, sizeof(what)), 3);
	ASSERT_CONTAINS(what, "kernel linux-image-6.1.0-56-cloud-amd64 6.1 -> "
	                      "linux-image-6.1.0-57-cloud-amd64 6.1");
	ASSERT_CONTAINS(what, "zlib1g 1:1.2 -> 1:1.3");
	ASSERT_CONTAINS(what, "libnew (not pinned) -> 2");
	/* A changed .deb under the same version is a moved pin too. */
	snprintf(same->pkgs[1].sha256, sizeof(same->pkgs[1].sha256), "%064d", 0);
	ASSERT_EQ(lock_compare(pinned, same, what, sizeof(what)), 1);
	/* Too long for the buffer: cut with an ellipsis, still terminated. */
	ASSERT_EQ(lock_compare(pinned, moved, tiny, sizeof(tiny)), 3);
	ASSERT_EQ(strlen(tiny), sizeof(tiny) - 1);
	ASSERT_STR(tiny + sizeof(tiny) - 4, "...");
	lock_free(pinned);
	lock_free(same);
	lock_free(moved);
}
