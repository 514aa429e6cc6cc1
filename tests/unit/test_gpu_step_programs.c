// SPDX-License-Identifier: Apache-2.0
/*
 * The programs the GPU step runs (gpu_step_fixture.h): nvidia-persistenced
 * failing, timing out or missing, the nvidia-smi knobs, nvidia-ctk's CDI spec
 * and DCGM.
 */
#include "tests/unit/gpu_step_fixture.h"

TEST(persistenced_fails)
{
	struct boot b;

	image(&b, 1);
	script("/usr/bin/nvidia-persistenced", "exit 3");
	ASSERT_EQ(gpu_step(&b), -ECHILD);
	ASSERT_CONTAINS(b.why, "nvidia-persistenced exited (status 3)");
	fake_teardown();
}

TEST(persistenced_timeout)
{
	struct boot b;

	image(&b, 1);
	b.config.persistenced_timeout_s = 1;
	script("/usr/bin/nvidia-persistenced", "exit 0"); /* forks away, never makes its socket */
	ASSERT_EQ(gpu_step(&b), -ETIMEDOUT);
	ASSERT_CONTAINS(b.why, "nvidia-persistenced not ready after 1 s");
	fake_teardown();
}

TEST(persistenced_missing)
{
	struct boot b;
	char cmd[256];

	image(&b, 1);
	snprintf(cmd, sizeof(cmd), "rm '%s/usr/bin/nvidia-persistenced'", fake.root);
	ASSERT_EQ(system(cmd), 0);
	ASSERT_EQ(gpu_step(&b), -ENOENT);
	ASSERT_CONTAINS(b.why, "/usr/bin/nvidia-persistenced is missing");
	fake_teardown();
}

TEST(smi_knobs_and_uvm_persistence_off)
{
	struct boot b;

	image(&b, 1);
	b.config.smi_lgc = 1980;
	b.config.smi_pl = 500;
	b.config.uvm_persistence = false;
	ASSERT_EQ(gpu_step(&b), 0);
	ASSERT_STR(fake_read("/usr/bin/nvidia-smi.args"), "-lgc 1980\n-pl 500\n");
	ASSERT_STR(fake_read("/usr/bin/nvidia-persistenced.args"), "--verbose\n");
	fake_teardown();
}

TEST(smi_knob_failure)
{
	struct boot b;

	image(&b, 1);
	b.config.smi_lmc = 1593;
	script("/usr/bin/nvidia-smi", "exit 4");
	ASSERT_EQ(gpu_step(&b), -ECHILD);
	ASSERT_CONTAINS(b.why, "/usr/bin/nvidia-smi -lmc failed (exit status 4)");
	fake_teardown();
}

TEST(nvidia_ctk_writes_cdi)
{
	struct boot b;

	image(&b, 1);
	script("/usr/bin/nvidia-ctk", "exit 0");
	ASSERT_EQ(gpu_step(&b), 0);
	ASSERT_STR(fake_read("/usr/bin/nvidia-ctk.args"),
	           "-d cdi generate --output=/var/run/cdi/nvidia.yaml\n");
	fake_teardown();
}

TEST(dcgm_started_when_present)
{
	struct boot b;

	image(&b, 1);
	b.config.dcgm = true;
	script("/usr/bin/nv-hostengine", "exit 0");
	script("/usr/bin/dcgm-exporter", "exit 0");
	ASSERT_EQ(gpu_step(&b), 0);
	ASSERT_STR(read_soon("/usr/bin/nv-hostengine.args"),
	           "--service-account nvidia-dcgm --home-dir /tmp\n");
	fake_teardown();
}

/* A persistenced that forks away first: its socket, made later, wakes the wait (no timer). */
TEST(persistenced_socket_after_it_forked_away)
{
	struct boot b;

	image(&b, 1);
	script("/usr/bin/nvidia-persistenced",
	       "( sleep 0.3; : > \"$R/var/run/nvidia-persistenced/socket\" ) &");
	ASSERT_EQ(gpu_step(&b), 0);
	ASSERT_TRUE(fake_exists("/var/run/nvidia-persistenced/socket"));
	/* One wait for the rest of its 3 s, not a 100 ms tick. */
	ASSERT_CONTAINS(fake_sys_log, "poll 2 29");
	fake_teardown();
}

/* The fabric manager's first process failing after a while is seen when it exits. */
TEST(fabric_manager_fails)
{
	struct boot b;

	image(&b, 8);
	nvswitches(4, 4);
	script("/usr/bin/nv-fabricmanager", "sleep 0.2; exit 3");
	ASSERT_EQ(gpu_step(&b), -ECHILD);
	ASSERT_CONTAINS(b.why, "nv-fabricmanager exited (status 3)");
	fake_teardown();
}
