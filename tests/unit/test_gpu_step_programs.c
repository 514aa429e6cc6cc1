// SPDX-License-Identifier: Apache-2.0
/*
 * The programs the GPU step runs (gpu_step_fixture.h): nvidia-persistenced
 * failing, timing out or missing, the nvidia-smi knobs, nvidia-ctk's CDI spec
 * and DCGM.
 */
#include "tests/unit/gpu_step_fixture.h"

GPU_STEP_TEST(persistenced_fails, 1)
{
	script("/usr/bin/nvidia-persistenced", "exit 3");
	ASSERT_STEP(b, -ECHILD, "nvidia-persistenced exited (status 3)");
}

GPU_STEP_TEST(persistenced_timeout, 1)
{
	b->config.persistenced_timeout_s = 1;
	script("/usr/bin/nvidia-persistenced", "exit 0"); /* forks away, never makes its socket */
	ASSERT_STEP(b, -ETIMEDOUT, "nvidia-persistenced not ready after 1 s");
}

GPU_STEP_TEST(persistenced_missing, 1)
{
	fake_remove("/usr/bin/nvidia-persistenced");
	ASSERT_STEP(b, -ENOENT, "/usr/bin/nvidia-persistenced is missing");
}

GPU_STEP_TEST(smi_knobs_and_uvm_persistence_off, 1)
{
	b->config.smi_lgc = 1980;
	b->config.smi_pl = 500;
	b->config.uvm_persistence = false;
	ASSERT_EQ(gpu_step(b), 0);
	ASSERT_STR(fake_read("/usr/bin/nvidia-smi.args"), "-lgc 1980\n-pl 500\n");
	ASSERT_STR(fake_read("/usr/bin/nvidia-persistenced.args"), "--verbose\n");
}

GPU_STEP_TEST(smi_knob_failure, 1)
{
	b->config.smi_lmc = 1593;
	script("/usr/bin/nvidia-smi", "exit 4");
	ASSERT_STEP(b, -ECHILD, "/usr/bin/nvidia-smi -lmc failed (exit status 4)");
}

GPU_STEP_TEST(nvidia_ctk_writes_cdi, 1)
{
	script("/usr/bin/nvidia-ctk", "exit 0");
	ASSERT_EQ(gpu_step(b), 0);
	ASSERT_STR(fake_read("/usr/bin/nvidia-ctk.args"),
	           "-d cdi generate --output=/var/run/cdi/nvidia.yaml\n");
}

GPU_STEP_TEST(dcgm_started_when_present, 1)
{
	b->config.dcgm = true;
	script("/usr/bin/nv-hostengine", "exit 0");
	script("/usr/bin/dcgm-exporter", "exit 0");
	ASSERT_EQ(gpu_step(b), 0);
	ASSERT_STR(read_soon("/usr/bin/nv-hostengine.args"),
	           "--service-account nvidia-dcgm --home-dir /tmp\n");
}

/* A persistenced that forks away first: its socket, made later, wakes the wait (no timer). */
GPU_STEP_TEST(persistenced_socket_after_it_forked_away, 1)
{
	script("/usr/bin/nvidia-persistenced",
	       "( sleep 0.3; : > \"$R/var/run/nvidia-persistenced/socket\" ) &");
	ASSERT_EQ(gpu_step(b), 0);
	ASSERT_TRUE(fake_exists("/var/run/nvidia-persistenced/socket"));
	/* Waits of a second, not 100 ms: attach progress reads procfs, which sends no event. */
	ASSERT_CONTAINS(fake_sys_log, "poll 2 1000");
	ASSERT_TRUE(strstr(fake_sys_log, "poll 2 100\n") == NULL);
}

/* The fabric manager's first process failing after a while is seen when it exits. */
GPU_STEP_TEST(fabric_manager_fails, 8)
{
	nvswitches(4, 4);
	script("/usr/bin/nv-fabricmanager", "sleep 0.2; exit 3");
	ASSERT_STEP(b, -ECHILD, "nv-fabricmanager exited (status 3)");
}
