/* SPDX-License-Identifier: Apache-2.0 */
/* Boot steps against the fake kernel: what they ask of it, in order, and how they fail. */
#include <errno.h>
#include <sys/mount.h>
#include <sys/reboot.h>

#include "init/boot.h"
#include "init/base/log.h"
#include "init/rootfs_check.h"
#include "init/steps.h"
#include "tests/lib/fake_sys.h"
#include "tests/lib/tap.h"

static struct boot boot;

static void setup(void)
{
	fake_sys_install(
	        "/nonexistent-root"); /* no /proc/filesystems: conditional mounts skipped */
	log_to_stderr();
	memset(&boot, 0, sizeof(boot));
	config_init(&boot.config);
	trace_init(&boot.trace);
}

TEST(early_mounts_in_order_with_flags)
{
	setup();
	ASSERT_EQ(mount_early(&boot), 0);
	const char *dev = strstr(fake_sys_log, "mount devtmpfs /dev devtmpfs");
	const char *proc = strstr(fake_sys_log, "mount proc /proc proc");
	const char *sys_ = strstr(fake_sys_log, "mount sysfs /sys sysfs");
	const char *run = strstr(fake_sys_log, "mount run /run tmpfs");
	ASSERT_TRUE(dev && proc && sys_ && run);
	ASSERT_TRUE(dev < proc && proc < sys_ && sys_ < run); /* /dev first: kmsg needs it */
	char want[128];
	snprintf(want, sizeof(want), "mount proc /proc proc %#lx",
	         (unsigned long)(MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME));
	ASSERT_CONTAINS(fake_sys_log, want);
	ASSERT_TRUE(strstr(fake_sys_log, "securityfs") == NULL);
}

TEST(mount_failure_names_the_mount)
{
	setup();
	fake_sys_fail("mount sysfs", -EPERM);
	ASSERT_EQ(mount_early(&boot), -EPERM);
	ASSERT_STR(boot.why, "mount sysfs on /sys");
}

TEST(boot_error_keeps_context_and_sign)
{
	setup();
	ASSERT_EQ(boot_error(&boot, ENOENT, "module %s", "dm_verity"), -ENOENT);
	ASSERT_EQ(boot_error(&boot, -EIO, "x"), -EIO);
	ASSERT_STR(boot.why, "x");
}

TEST(trace_nests_and_times)
{
	setup();
	int a = trace_begin(&boot.trace, "root");
	int b = trace_begin(&boot.trace, "dm-verity");
	trace_end(&boot.trace, b);
	trace_end(&boot.trace, a);
	ASSERT_EQ(boot.trace.count, 2);
	ASSERT_EQ(boot.trace.entries[1].depth, 1);
	ASSERT_TRUE(boot.trace.entries[0].end_ns > boot.trace.entries[1].end_ns);
	ASSERT_TRUE(boot.trace.entries[1].end_ns > boot.trace.entries[1].start_ns);
	for (int i = 0; i < TRACE_MAX + 5; i++)
		trace_end(&boot.trace,
		          trace_begin(&boot.trace, "x")); /* full: ignored, not a crash */
	ASSERT_EQ(boot.trace.count, TRACE_MAX);
}

TEST(verity_root_hash_from_tables)
{
	char hex[130];
	ASSERT_EQ(verity_table_root_hash("1 252:1 252:2 4096 4096 19 0 sha256 ABCDEF0123 abab", hex,
	                                 sizeof(hex)),
	          0);
	ASSERT_STR(hex, "abcdef0123");
	ASSERT_EQ(dm_create_root_hash("dm-verity,,,ro,0 152 verity 1 /dev/vda1 /dev/vda2 4096 4096 "
	                              "19 0 sha256 00ff -",
	                              hex, sizeof(hex)),
	          0);
	ASSERT_STR(hex, "00ff");
	ASSERT_EQ(dm_create_root_hash("dm-linear,,,ro,0 8 linear /dev/vda 0", hex, sizeof(hex)),
	          -EINVAL);
	ASSERT_EQ(verity_table_root_hash("1 252:1", hex, sizeof(hex)), -EINVAL);
}

TEST(rootfs_mode_needs_an_expectation)
{
	setup();
	/* The test's / is no initramfs: rootfs mode, and nothing says what / must be. */
	ASSERT_EQ(verified_root(&boot), -EINVAL);
	ASSERT_CONTAINS(boot.why, "neither ccinit.root.verity nor dm-mod.create=");
}
