// SPDX-License-Identifier: Apache-2.0
/*
 * The whole GPU step (init/gpu/step.c) against the fake driver and a fake root
 * (gpu_step_fixture.h): the CC state held against the policy, the GPUs-ready
 * state set last, and gpu-status reading the same state.
 */
#include "init/gpu/status.h"
#include "tests/unit/gpu_step_fixture.h"

GPU_STEP_TEST(cc_on_snp_ready_state_set_last, 1)
{
	fake_file("/dev/sev-guest", "", 0600);
	cc_on();
	b->config.gpu_attest = GPU_ATTEST_OFF; /* the gate: test_gpu_attest_step.c */
	snprintf(b->config.smi_srs, sizeof(b->config.smi_srs), "1");
	ASSERT_EQ(gpu_step(b), 0);
	ASSERT_TRUE(b->gpu_up); /* the agent gets KATA_ATTESTER_VARIANT=nvidia */
	ASSERT_TRUE(fake.ready);
	ASSERT_EQ(fake.set_calls, 1);
	ASSERT_STR(modules_log, CRYPTO_LOADS "nvidia(NVreg_NvLinkDisable=1) nvidia-uvm() ");
	ASSERT_TRUE(fake_sys_node("/dev/nvidiactl") != NULL);
	ASSERT_TRUE(fake_sys_node("/dev/nvidia0") != NULL);
	ASSERT_TRUE(fake_sys_node("/dev/nvidia-uvm-tools") != NULL);
	ASSERT_STR(fake_read("/usr/bin/nvidia-persistenced.args"),
	           "--verbose --uvm-persistence-mode\n");
	ASSERT_CONTAINS(fake_read("/var/run/cdi/nvidia.yaml"), "- path: /dev/nvidia0");
	ASSERT_CONTAINS(fake_read("/var/run/cdi/nvidia.yaml"), "- path: /dev/nvidiactl");
	ASSERT_CONTAINS(fake_read("/var/run/cdi/nvidia.yaml"), "name: GPU-00000000");
	ASSERT_FALSE(fake_exists("/usr/bin/nvidia-smi.args")); /* no clock knobs given */
	const char *steps[] = {"gpu topology", "gpu tee",        "gpu firmware",     "gpu reset",
	                       "gpu modules",  "gpu nodes",      "gpu persistenced", "gpu cc state",
	                       "gpu daemons",  "gpu ready state"};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		ASSERT_TRUE(traced(b, steps[i]));
	ASSERT_EQ(fake.bad_requests, 0);
}

GPU_STEP_TEST(cc_off_under_tee_is_a_mismatch, 1)
{
	fake_file("/dev/tdx-guest", "", 0600);
	snprintf(b->config.smi_srs, sizeof(b->config.smi_srs), "1");
	ASSERT_EQ(gpu_step(b), -EMEDIUMTYPE);
	ASSERT_FALSE(b->gpu_up);
	ASSERT_CONTAINS(b->why, "ccinit.gpu.cc=on but the driver reports CC off");
	/*
	 * Only persistenced ran before it (the CC state is only known once it attached the GPUs,
	 * test_gpu_step_order.c); nothing after the check: no other daemon, no ready state.
	 */
	ASSERT_TRUE(fake_exists("/usr/bin/nvidia-persistenced.args"));
	ASSERT_FALSE(fake_exists("/var/run/cdi/nvidia.yaml"));
	ASSERT_EQ(fake.set_calls, 0);
	ASSERT_FALSE(fake.ready);
}

GPU_STEP_TEST(cc_on_required_off_mismatch, 1)
{
	cc_on();
	b->config.gpu_cc = GPU_CC_OFF;
	ASSERT_STEP(b, -EMEDIUMTYPE, "ccinit.gpu.cc=off but the driver reports CC on");
}

GPU_STEP_TEST(cc_devtools_policy, 1)
{
	cc_on();
	fake.caps.devtools_mode = 1;
	b->config.gpu_cc = GPU_CC_DEVTOOLS;
	ASSERT_EQ(gpu_step(b), 0);
}

GPU_STEP_TEST(cc_devtools_refused_under_tee, 1)
{
	fake_file("/dev/sev-guest", "", 0600);
	cc_on();
	fake.caps.devtools_mode = 1;
	ASSERT_STEP(b, -EMEDIUMTYPE, "CC devtools");
}

GPU_STEP_TEST(cc_off_without_tee_ready_not_applicable, 1)
{
	b->config.gpu_ready = true;
	ASSERT_EQ(gpu_step(b), 0);
	ASSERT_EQ(fake.set_calls, 0);
}

GPU_STEP_TEST(cc_on_not_ready_left_alone, 1)
{
	cc_on();
	ASSERT_EQ(gpu_step(b), 0);
	ASSERT_EQ(fake.set_calls, 0);
	ASSERT_FALSE(fake.ready);
	ASSERT_FALSE(traced(b, "gpu ready state"));
}

/* The gate runs first: a GPU that cannot be attested is never declared ready. */
GPU_STEP_TEST(attestation_failure_leaves_gpus_not_ready, 1)
{
	cc_on();
	b->config.gpu_ready = true; /* ccinit.gpu.attest defaults to local */
	ASSERT_TRUE(gpu_step(b) < 0);
	/* This fake driver answers no attestation control (test_gpu_attest_step.c has one). */
	ASSERT_CONTAINS(b->why, "listing the GPUs the driver attached");
	ASSERT_TRUE(traced(b, "gpu attest"));
	ASSERT_FALSE(traced(b, "gpu ready state"));
	ASSERT_EQ(fake.set_calls, 0);
	ASSERT_FALSE(fake.ready);
}

GPU_STEP_TEST(ready_state_refused_by_driver, 1)
{
	cc_on();
	b->config.gpu_attest = GPU_ATTEST_OFF;
	b->config.gpu_ready = true;
	fake.set_status = NV_ERR_INSUFFICIENT_PERMISSIONS;
	ASSERT_STEP(b, -EPERM, "GPUs-ready");
}

/* gpu-status reads and never sets, and prints what nvidia-smi would. */
TEST(gpu_status_json)
{
	char *argv[] = {"gpu-status", NULL}, out[256];
	int fd, saved;

	fake_setup(VERSION);
	fake_gpus(1);
	fake_driver_procfs(1);
	fake_file("/sys/module/nvidia/version", VERSION "\n", 0644);
	fake_file("/dev/nvidiactl", "", 0644);
	cc_on();
	fake.ready = true;
	snprintf(out, sizeof(out), "%s/status.json", fake.root);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT_TRUE(fd >= 0 && saved >= 0);
	dup2(fd, STDOUT_FILENO);
	int r = gpu_status_main(1, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(fd);
	ASSERT_EQ(r, 0);
	const char *json = fake_read("/status.json");
	ASSERT_CONTAINS(json, "\"CC State\": \"ON\"");
	ASSERT_CONTAINS(json, "\"CPU CC Capabilities\": \"AMD SEV-SNP\"");
	ASSERT_CONTAINS(json, "\"CC GPUs Ready State\": \"Ready\"");
	ASSERT_CONTAINS(json, "\"uuid\": \"GPU-00000000\"");
	ASSERT_CONTAINS(json, "\"version\": \"" VERSION "\"");
	ASSERT_EQ(fake.set_calls, 0);
	fake_teardown();
}
