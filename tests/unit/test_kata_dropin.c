/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Kata drop-in (measurement/kata/dropin.cc): written by toml++'s
 * serialiser and read back by its parser, every key where Kata's Go runtime
 * reads it ([hypervisor.qemu], src/runtime/pkg/katautils/config.go), strings
 * that need escaping intact. tests/reference/kata-dropin.sh reads a built
 * image's drop-in with python3's tomllib.
 */
#include <errno.h>
#include <stdlib.h>

#include "measurement/kata/dropin.h"
#include "measurement/kata/toml_read.h"
#include "tests/lib/tap.h"

static struct kata_toml *round_trip(const struct kata_dropin *d)
{
	char why[256] = "", *text = NULL;
	struct kata_toml *t = NULL;

	if (kata_dropin_format(d, &text, why, sizeof(why)) < 0)
		return NULL;
	if (kata_toml_parse(&t, "dropin.toml", text, strlen(text), why, sizeof(why)) < 0)
		t = NULL;
	free(text);
	return t;
}

static const char *str(const struct kata_toml *t, const char *key)
{
	char path[128], why[256];
	const char *v = NULL;
	snprintf(path, sizeof(path), "hypervisor.qemu.%s", key);
	return kata_toml_string(t, path, &v, why, sizeof(why)) == 0 ? v : NULL;
}

TEST(initrd_mode_clears_the_image)
{
	struct kata_dropin d = {.kernel = "/opt/k/vmlinuz",
	                        .initrd = "/opt/k/initramfs.cpio",
	                        .kernel_params = "ccinit.log=info",
	                        .kernel_verity_params = "root_hash=ab,salt=cd",
	                        .firmware = "/usr/share/ovmf/OVMF.fd"};
	struct kata_toml *t = round_trip(&d);
	ASSERT_TRUE(t != NULL);
	ASSERT_STR(str(t, "kernel"), "/opt/k/vmlinuz");
	ASSERT_STR(str(t, "initrd"), "/opt/k/initramfs.cpio");
	ASSERT_STR(str(t, "image"), "");
	ASSERT_STR(str(t, "kernel_params"), "ccinit.log=info");
	ASSERT_STR(str(t, "kernel_verity_params"), "root_hash=ab,salt=cd");
	ASSERT_STR(str(t, "firmware"), "/usr/share/ovmf/OVMF.fd");
	size_t n = 0;
	char why[256];
	ASSERT_EQ(kata_toml_table_size(t, "hypervisor.qemu", &n, why, sizeof(why)), 0);
	ASSERT_EQ(n, 6);
	ASSERT_EQ(kata_toml_table_size(t, "hypervisor", &n, why, sizeof(why)), 0);
	ASSERT_EQ(n, 1);
	kata_toml_free(t);
}

TEST(image_mode_without_firmware_leaves_it_to_the_main_file)
{
	struct kata_dropin d = {.kernel = "/k", .image = "/i.img", .kernel_params = ""};
	struct kata_toml *t = round_trip(&d);
	ASSERT_TRUE(t != NULL);
	ASSERT_STR(str(t, "image"), "/i.img");
	ASSERT_STR(str(t, "initrd"), "");
	ASSERT_STR(str(t, "kernel_verity_params"), "");
	ASSERT_FALSE(kata_toml_has(t, "hypervisor.qemu.firmware"));
	kata_toml_free(t);
}

TEST(strings_that_need_escaping_come_back_equal)
{
	static const char params[] = "dm-mod.create=\"dm-verity,,,ro,0 8 verity 1\" a\\b 'q'\ttab\n"
	                             "line two \x7f \xc3\xa9";
	struct kata_dropin d = {
	        .kernel = "/with \"quote\"/k", .initrd = "/i", .kernel_params = params};
	struct kata_toml *t = round_trip(&d);
	ASSERT_TRUE(t != NULL);
	ASSERT_STR(str(t, "kernel_params"), params);
	ASSERT_STR(str(t, "kernel"), "/with \"quote\"/k");
	kata_toml_free(t);
}

TEST(image_and_initrd_are_exclusive)
{
	char why[256] = "", *text = NULL;
	struct kata_dropin both = {.kernel = "/k", .image = "/i", .initrd = "/r"};
	struct kata_dropin neither = {.kernel = "/k"};
	ASSERT_EQ(kata_dropin_format(&both, &text, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "exactly one of image and initrd");
	ASSERT_EQ(kata_dropin_format(&neither, &text, why, sizeof(why)), -EINVAL);
	ASSERT_TRUE(text == NULL);
}
