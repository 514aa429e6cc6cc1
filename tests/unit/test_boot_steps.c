/* SPDX-License-Identifier: Apache-2.0 */
/* Boot steps against the fake kernel: what they ask of it, in order, and how they fail. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>

#include "init/core/boot.h"
#include "init/base/log.h"
#include "init/rootfs_check.h"
#include "init/steps.h"
#include "init/core/sys.h"
#include "tests/lib/fake_sys.h"
#include "tests/lib/tap.h"

static struct boot boot;

static char root[64];

/* An empty root with /run (no /proc/filesystems: conditional mounts skipped). */
static void setup(void)
{
	char run[96];
	snprintf(root, sizeof(root), "/tmp/ccinit-steps-XXXXXX");
	ASSERT_TRUE(mkdtemp(root) != NULL);
	snprintf(run, sizeof(run), "%s/run", root);
	ASSERT_EQ(mkdir(run, 0755), 0);
	fake_sys_install(root);
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

/* A second ccinit as PID 1 in one boot (the agent was ccinit) finds the first one's mark. */
TEST(a_second_ccinit_in_one_boot_fails)
{
	setup();
	ASSERT_EQ(mount_early(&boot), 0);
	ASSERT_EQ(mount_early(&boot), -EALREADY);
	ASSERT_STR(boot.why, "ccinit already ran in this boot (/run/ccinit.started exists): the "
	                     "agent is ccinit");
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

TEST(rootfs_mode_needs_an_expectation)
{
	setup();
	/* The test's / is no initramfs: rootfs mode, and nothing says what / must be. */
	ASSERT_EQ(verified_root(&boot), -EINVAL);
	ASSERT_CONTAINS(boot.why, "neither ccinit.root.verity nor dm-mod.create=");
}

/* A temp dir standing in for / with an optional /proc/sys/kernel/modules_disabled. */
static void lockdown_root(char *dir, const char *kind)
{
	char path[128];
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "mkdir -p %s/proc/sys/kernel", dir);
	ASSERT_EQ(system(path), 0);
	snprintf(path, sizeof(path), "%s/proc/sys/kernel/modules_disabled", dir);
	if (strcmp(kind, "file") == 0) {
		FILE *f = fopen(path, "we");
		ASSERT_TRUE(f != NULL);
		fputs("0\n", f);
		fclose(f);
	} else if (strcmp(kind, "ignores-writes") == 0) {
		ASSERT_EQ(symlink("/dev/null", path), 0); /* takes the write, reads back nothing */
	}
	fake_sys_install(dir);
	log_to_stderr();
	memset(&boot, 0, sizeof(boot));
	config_init(&boot.config);
}

TEST(lockdown_writes_and_reads_back_modules_disabled)
{
	char dir[] = "/tmp/ccinit-lockdown-XXXXXX", value[16];
	lockdown_root(dir, "file");
	ASSERT_EQ(lockdown(&boot), 0);
	ASSERT_EQ(sys_read_file("/proc/sys/kernel/modules_disabled", value, sizeof(value)), 1);
	ASSERT_STR(value, "1");
}

TEST(lockdown_refuses_a_write_that_did_not_take)
{
	char dir[] = "/tmp/ccinit-lockdown-XXXXXX";
	lockdown_root(dir, "ignores-writes");
	ASSERT_EQ(lockdown(&boot), -EPERM);
	ASSERT_STR(boot.why, "kernel.modules_disabled reads '' after writing 1");
}

TEST(lockdown_without_module_support_is_a_notice)
{
	char dir[] = "/tmp/ccinit-lockdown-XXXXXX";
	lockdown_root(dir, "absent");
	ASSERT_EQ(lockdown(&boot), 0);
	ASSERT_STR(boot.why, "");
}

TEST(lockdown_write_failure_names_the_sysctl)
{
	char dir[] = "/tmp/ccinit-lockdown-XXXXXX";
	lockdown_root(dir, "file");
	fake_sys_fail("open ", -EACCES);
	ASSERT_EQ(lockdown(&boot), -EACCES);
	ASSERT_STR(boot.why, "setting kernel.modules_disabled=1");
}

TEST(loopback_up_through_the_seam)
{
	setup();
	ASSERT_EQ(loopback_up(&boot), 0);
	/* The fake answers flags 0 (down): the step sets IFF_UP and nothing else. */
	const char *get = strstr(fake_sys_log, "ioctl SIOCGIFFLAGS lo 0\n");
	const char *set = strstr(fake_sys_log, "ioctl SIOCSIFFLAGS lo 0x1\n");
	ASSERT_TRUE(strstr(fake_sys_log, "socket 2 ") != NULL);
	ASSERT_TRUE(get && set && get < set);
}

TEST(loopback_failure_is_named)
{
	setup();
	fake_sys_fail("ioctl SIOCSIFFLAGS", -EPERM);
	ASSERT_EQ(loopback_up(&boot), -EPERM);
	ASSERT_STR(boot.why, "bringing lo up");
	setup();
	fake_sys_fail("socket", -EAFNOSUPPORT);
	ASSERT_EQ(loopback_up(&boot), -EAFNOSUPPORT);
	ASSERT_STR(boot.why, "socket for bringing lo up");
}
