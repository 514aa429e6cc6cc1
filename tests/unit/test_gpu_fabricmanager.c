// SPDX-License-Identifier: Apache-2.0
/*
 * The fabric manager's contract (gpu/fabricmanager.c) through the whole GPU
 * step on eight GPUs and four NVSwitches (gpu_step_fixture.h): the config's
 * paths under /run, readiness on its socket rather than its launcher's exit,
 * its program and data from Kata's gpu extension when the image has none;
 * and nvidia-persistenced's per-GPU progress in the boot log.
 */
#include <poll.h>

#include "init/base/log.h"
#include "tests/unit/gpu_step_fixture.h"

#define FM_RUN "/run/nvidia-fabricmanager"

/* A wait that does not sleep out its timeout: the clock jumps instead (120 s in a moment). */
static int quick_poll(struct pollfd *fds, unsigned long nfds, int timeout_ms)
{
	int r = poll(fds, (nfds_t)nfds, timeout_ms < 50 ? timeout_ms : 50);

	if (r < 0)
		return -errno;
	if (r == 0)
		fake_sys_clock_ns += (int64_t)timeout_ms * 1000000;
	return r;
}

/* The GPU step with what ccinit logs (info and up) kept in the fake root's /log. */
static int step_logged(struct boot *b)
{
	char path[256];
	int saved, fd, r;

	snprintf(path, sizeof(path), "%s/log", fake.root);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (saved < 0 || fd < 0)
		tap_fail("redirecting stderr to %s", path);
	dup2(fd, STDERR_FILENO);
	close(fd);
	log_to_stderr();
	int level = log_get_max_level();
	log_set_max_level(LOG_INFO);
	r = gpu_step(b);
	log_set_max_level(level);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	return r;
}

/* The stock config's paths: read-only or absent in the guest. Each is replaced, in place. */
GPU_STEP_TEST(fm_config_paths_under_run, 8)
{
	nvswitches(4, 4);
	fake_file(
	        "/usr/share/nvidia/nvswitch/fabricmanager.cfg",
	        "# "
	        "LOG_FILE_NAME=/commented\nLOG_LEVEL=4\nLOG_FILE_NAME=/var/log/fabricmanager.log\n"
	        "DAEMONIZE=1\nSTATE_FILE_NAME=/tmp/fabricmanager.state\n"
	        " UNIX_SOCKET_PATH =\nTOPOLOGY_FILE_PATH=/usr/share/nvidia/nvswitch\n"
	        "DATABASE_PATH=/usr/share/nvidia/nvswitch\nFABRIC_MODE=1\nFABRIC_MODE=2\n",
	        0644);
	ASSERT_EQ(gpu_step(b), 0);
	ASSERT_STR(fake_read("/run/fabricmanager.cfg"),
	           "# LOG_FILE_NAME=/commented\nLOG_LEVEL=4\n"
	           "LOG_FILE_NAME=" FM_RUN "/fabricmanager.log\nDAEMONIZE=1\n"
	           "STATE_FILE_NAME=" FM_RUN "/fabricmanager.state\n"
	           "UNIX_SOCKET_PATH=" FM_RUN "/socket\n"
	           "TOPOLOGY_FILE_PATH=/usr/share/nvidia/nvswitch\n"
	           "DATABASE_PATH=/usr/share/nvidia/nvswitch\nFABRIC_MODE=0\n"
	           "PARTITION_RAIL_POLICY=greedy\n"
	           "PID_FILE_PATH=" FM_RUN "/nv-fabricmanager.pid\n");
	/* The fabric manager refuses a path whose directory does not exist: ccinit made it. */
	ASSERT_CONTAINS(fake_sys_log, "mkdir " FM_RUN " 755\n");
	struct stat st;
	char dir[256];
	snprintf(dir, sizeof(dir), "%s" FM_RUN, fake.root);
	ASSERT_TRUE(stat(dir, &st) == 0 && S_ISDIR(st.st_mode));
}

/* Its launcher exits at once; the daemon it forked makes the socket later: that is ready. */
GPU_STEP_TEST(fm_ready_when_its_socket_appears, 8)
{
	nvswitches(4, 4);
	script("/usr/bin/nv-fabricmanager", "( sleep 0.3; : > \"$R" FM_RUN "/socket\" ) &");
	ASSERT_EQ(gpu_step(b), 0);
	ASSERT_TRUE(fake_exists(FM_RUN "/socket"));
}

/* A bad config: the launcher exits 0 and no daemon follows. That is a failure, named. */
GPU_STEP_TEST(fm_launcher_exits_0_without_its_socket, 8)
{
	nvswitches(4, 4);
	script("/usr/bin/nv-fabricmanager", "exit 0");
	fake_sys_ops.poll = quick_poll;
	ASSERT_STEP(b, -ETIMEDOUT,
	            "nv-fabricmanager not ready after 120 s: no " FM_RUN "/socket (it exits 0 on a "
	            "bad config; its log is " FM_RUN "/fabricmanager.log)");
}

/* The NVIDIA userspace in Kata's gpu extension: program, config and topology files from there. */
GPU_STEP_TEST(fm_from_the_gpu_extension, 8)
{
	nvswitches(4, 4);
	fake_remove("/usr/bin/nv-fabricmanager");
	fake_remove("/usr/share/nvidia/nvswitch");
	fake_file("/run/kata-extensions/gpu/usr/share/nvidia/nvswitch/fabricmanager.cfg",
	          "TOPOLOGY_FILE_PATH=/usr/share/nvidia/nvswitch\n", 0644);
	script("/run/kata-extensions/gpu/usr/bin/nv-fabricmanager", ": > \"$R" FM_RUN "/socket\"");
	ASSERT_EQ(gpu_step(b), 0);
	ASSERT_STR(fake_read("/run/kata-extensions/gpu/usr/bin/nv-fabricmanager.args"),
	           "-c /run/fabricmanager.cfg\n");
	ASSERT_CONTAINS(fake_read("/run/fabricmanager.cfg"),
	                "TOPOLOGY_FILE_PATH=/run/kata-extensions/gpu/usr/share/nvidia/nvswitch\n");
}

GPU_STEP_TEST(fm_in_neither_image_nor_extension, 8)
{
	nvswitches(4, 4);
	fake_remove("/usr/share/nvidia/nvswitch");
	ASSERT_STEP(b, -ENOENT,
	            "/usr/share/nvidia/nvswitch/fabricmanager.cfg is in neither the image nor the "
	            "gpu extension");
}

/*
 * persistenced attaches the GPUs one after another; the driver's procfs shows
 * each GPU's VBIOS version once RM is up on it. Each is in the boot log.
 */
GPU_STEP_TEST(persistenced_logs_each_gpu_attached, 2)
{
	for (unsigned i = 0; i < 2; i++) {
		char rel[96], text[160];
		snprintf(rel, sizeof(rel), "/proc/driver/nvidia/gpus/0000:%02x:00.0/information",
		         0x10 + i);
		snprintf(text, sizeof(text),
		         "Model: \t\t NVIDIA H100\nGPU UUID: \t GPU-%08x\n"
		         "Video BIOS: \t ??.??.??.??.??\nDevice Minor: \t %u\n",
		         i, i);
		fake_file(rel, text, 0644);
	}
	script("/usr/bin/nvidia-persistenced",
	       "for g in 10 11; do sleep 0.3; "
	       "sed -i 's/^Video BIOS:.*/Video BIOS: 96.00.74.00.01/' "
	       "\"$R/proc/driver/nvidia/gpus/0000:$g:00.0/information\"; done\n"
	       ": > \"$R/var/run/nvidia-persistenced/socket\"");
	ASSERT_EQ(step_logged(b), 0);
	const char *log = fake_read("/log");
	ASSERT_CONTAINS(log, "of 2 GPUs attached (0000:10:00.0)");
	ASSERT_CONTAINS(log, "of 2 GPUs attached (0000:11:00.0)");
	ASSERT_CONTAINS(log, "gpu: persistenced: 2 of 2 GPUs attached");
	ASSERT_TRUE(strstr(log, "3 of 2") == NULL);
}
