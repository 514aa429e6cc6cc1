// SPDX-License-Identifier: Apache-2.0
/*
 * The GPU daemons' users and confinement, through the whole GPU step against
 * the fake driver: nvidia-persistenced as the image's nvpd when its passwd
 * names one (root otherwise), always under no_new_privs and the seccomp
 * filter; device nodes owned as the driver's DeviceFileUID/GID say.
 */
#include "init/agent_process.h"
#include "tests/unit/gpu_step_fixture.h"

/* One GPU, CC off, no TEE; persistenced reports who it runs as, then makes its socket. */
static void reporting_image(struct boot *b)
{
	image(b, 1);
	char text[512];
	snprintf(text, sizeof(text),
	         "#!/bin/sh\nD='%s/var/run/nvidia-persistenced'\n"
	         "{ echo \"uid=$(id -u)\"; grep -E '^(Seccomp|NoNewPrivs|CapBnd):' "
	         "/proc/self/status; } > \"$D/status\"\n: > \"$D/socket\"\n",
	         fake.root);
	fake_file("/usr/bin/nvidia-persistenced", text, 0755);
	chmod(fake.root, 0755); /* a daemon user walks into it */
}

static const char *status(void)
{
	return fake_read("/var/run/nvidia-persistenced/status");
}

TEST(persistenced_as_root_is_still_confined)
{
	struct boot b;
	reporting_image(&b);
	ASSERT_EQ(gpu_step(&b), 0);
	char uid[32];
	snprintf(uid, sizeof(uid), "uid=%u\n", (unsigned)geteuid()); /* ours: no passwd */
	ASSERT_CONTAINS(status(), uid);
	ASSERT_CONTAINS(status(), "NoNewPrivs:\t1");
	ASSERT_CONTAINS(status(), "Seccomp:\t2");
	ASSERT_TRUE(fake_sys_owner("/var/run/nvidia-persistenced") == NULL);
	if (geteuid() == 0) {
		/* CAP_SYS_MODULE (bit 16) is out of the bounding set. */
		const char *bnd = strstr(status(), "CapBnd:\t");
		unsigned long long caps = 0;
		ASSERT_TRUE(bnd && sscanf(bnd, "CapBnd:\t%llx", &caps) == 1);
		ASSERT_FALSE(caps & (1ull << 16));
	}
	fake_teardown();
}

static int chown_below_root(const char *path, unsigned uid, unsigned gid)
{
	char full[512];
	if (sys_path(full, sizeof(full), path) < 0)
		return -ENAMETOOLONG;
	return chown(full, uid, gid) < 0 ? -errno : 0;
}

TEST(persistenced_as_the_user_passwd_names)
{
	struct boot b;
	if (geteuid() != 0)
		tap_skip("needs root (setuid)");
	reporting_image(&b);
	fake_file("/etc/passwd",
	          "root:x:0:0:root:/root:/bin/sh\n"
	          "nvpd:x:143:143:NVIDIA Persistence Daemon:/var/run/nvpd:/usr/sbin/nologin\n",
	          0644);
	/* Elsewhere chown is recorded; here the user must really own its directory. */
	fake_sys_ops.chown = chown_below_root;
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/var/run/nvidia-persistenced", fake.root);
	ASSERT_EQ(gpu_step(&b), 0);
	ASSERT_CONTAINS(status(), "uid=143\n");
	ASSERT_CONTAINS(status(), "CapBnd:\t0000000000000000");
	ASSERT_CONTAINS(status(), "Seccomp:\t2");
	struct stat st;
	ASSERT_EQ(stat(dir, &st), 0);
	ASSERT_EQ(st.st_uid, 143);
	fake_teardown();
}

TEST(a_daemon_user_that_is_root_is_refused)
{
	struct boot b;
	reporting_image(&b);
	fake_file("/etc/passwd", "nvpd:x:0:0::/:/bin/false\n", 0644);
	ASSERT_EQ(gpu_step(&b), -EPERM);
	ASSERT_CONTAINS(b.why, "/etc/passwd: user nvpd is root, not a daemon user");
	fake_teardown();
}

static int failing_harden(const struct harden *h)
{
	(void)h;
	errno = EINVAL;
	return HARDEN_SECCOMP;
}

/* A daemon that could not be confined never runs, and the boot says which step failed. */
TEST(confinement_failure_is_named)
{
	struct boot b;
	reporting_image(&b);
	spawn_harden = failing_harden;
	ASSERT_EQ(gpu_step(&b), -EINVAL);
	ASSERT_CONTAINS(b.why, "starting /usr/bin/nvidia-persistenced: installing the seccomp "
	                       "filter: Invalid argument");
	ASSERT_TRUE(status() == NULL);
	fake_teardown();
}

TEST(device_nodes_owned_as_the_driver_says)
{
	struct boot b;
	reporting_image(&b);
	fake_file("/proc/driver/nvidia/params",
	          "ModifyDeviceFiles: 1\nDeviceFileUID: 143\nDeviceFileGID: 44\n"
	          "DeviceFileMode: 432\n",
	          0644);
	ASSERT_EQ(gpu_step(&b), 0);
	ASSERT_STR(fake_sys_owner("/dev/nvidiactl"), "143:44");
	ASSERT_STR(fake_sys_owner("/dev/nvidia0"), "143:44");
	ASSERT_EQ(fake_sys_node("/dev/nvidia0")->mode & 0777, 0660);
	fake_teardown();
}

/* A GPU the step brought up (the fake driver's): the agent starts the NVIDIA attester. */
TEST(a_gpu_brought_up_selects_the_nvidia_attester)
{
	struct boot b;
	reporting_image(&b);
	ASSERT_EQ(gpu_step(&b), 0);
	char *const *env = agent_environment(&b);
	ASSERT_STR(env[1], "KATA_ATTESTER_VARIANT=nvidia");
	ASSERT_TRUE(env[2] == NULL);
	fake_teardown();
	reporting_image(&b);
	b.config.gpu = GPU_OFF;
	ASSERT_EQ(gpu_step(&b), 0);
	ASSERT_TRUE(agent_environment(&b)[1] == NULL);
	fake_teardown();
}
