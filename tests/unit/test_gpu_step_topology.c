// SPDX-License-Identifier: Apache-2.0
/*
 * The whole GPU step on larger topologies (gpu_step_fixture.h): eight GPUs,
 * NVSwitches and the fabric manager, module options from the topology, and
 * the counts the command line pins against PCI and the driver.
 */
#include "init/gpu/inventory.h"
#include "tests/unit/gpu_step_fixture.h"

GPU_STEP_TEST(eight_gpus, 8)
{
	cc_on();
	ASSERT_EQ(gpu_step(b), 0);
	ASSERT_STR(modules_log, CRYPTO_LOADS "nvidia() nvidia-uvm() ");
	for (unsigned i = 0; i < 8; i++) {
		char node[32];
		snprintf(node, sizeof(node), "/dev/nvidia%u", i);
		ASSERT_TRUE(fake_sys_node(node) != NULL);
	}
	ASSERT_CONTAINS(fake_read("/var/run/cdi/nvidia.yaml"), "name: \"7\"");
}

GPU_STEP_TEST(nvswitch_nvl4_fabric_manager, 8)
{
	nvswitches(4, 4);
	ASSERT_EQ(gpu_step(b), 0);
	ASSERT_STR(modules_log,
	           CRYPTO_LOADS "nvidia() nvidia-uvm() "); /* no TEE: no protected PCIe */
	ASSERT_STR(fake_read("/run/fabricmanager.cfg"),
	           "LOG_LEVEL=4\nFABRIC_MODE=0\nPARTITION_RAIL_POLICY=greedy\n"
	           "LOG_FILE_NAME=/run/nvidia-fabricmanager/fabricmanager.log\n"
	           "STATE_FILE_NAME=/run/nvidia-fabricmanager/fabricmanager.state\n"
	           "PID_FILE_PATH=/run/nvidia-fabricmanager/nv-fabricmanager.pid\n"
	           "UNIX_SOCKET_PATH=/run/nvidia-fabricmanager/socket\n"
	           "TOPOLOGY_FILE_PATH=/usr/share/nvidia/nvswitch\n");
	ASSERT_STR(fake_read("/usr/bin/nv-fabricmanager.args"), "-c /run/fabricmanager.cfg\n");
	ASSERT_TRUE(fake_sys_node("/dev/nvidia-nvswitchctl") != NULL);
}

/* HGX Hopper under a CPU TEE: protected PCIe, derived from the topology; the counts pinned. */
GPU_STEP_TEST(nvl4_under_tee_protected_pcie_and_pinned_counts, 8)
{
	nvswitches(4, 4);
	fake_file("/dev/sev-guest", "", 0600);
	cc_on();
	b->config.gpu_count = 8;
	b->config.nvswitch_count = 4;
	ASSERT_EQ(gpu_step(b), 0);
	ASSERT_STR(modules_log, CRYPTO_LOADS
	           "nvidia(NVreg_RegistryDwords=RmEnableProtectedPcie=0x1) nvidia-uvm() ");
}

TEST(module_options_follow_the_topology_table)
{
	struct gpu_topology t = {.mode = GPU_MODE_GPU, .gpu_count = 1};
	ASSERT_STR(gpu_module_options(&t, CPU_TEE_NONE), "NVreg_NvLinkDisable=1");
	t.gpu_count = 8;
	ASSERT_TRUE(gpu_module_options(&t, CPU_TEE_TDX) == NULL); /* Blackwell MPT too: none */
	t.mode = GPU_MODE_GPU_NVL5;
	ASSERT_TRUE(gpu_module_options(&t, CPU_TEE_TDX) == NULL);
	t.mode = GPU_MODE_GPU_NVL4;
	ASSERT_STR(gpu_module_options(&t, CPU_TEE_TDX),
	           "NVreg_RegistryDwords=RmEnableProtectedPcie=0x1");
	ASSERT_TRUE(gpu_module_options(&t, CPU_TEE_NONE) == NULL);
}

/* A host that hides a GPU: PCI shows fewer than the measured command line says. */
GPU_STEP_TEST(gpu_count_differs_from_pci, 1)
{
	b->config.gpu_count = 2;
	ASSERT_EQ(gpu_step(b), -ENODEV);
	ASSERT_STR(b->why, "ccinit.gpu.count=2 but PCI has 1 GPU");
	ASSERT_STR(modules_log, ""); /* refused before anything loaded */
	ASSERT_FALSE(b->gpu_up);
	fake_teardown();
	image(b, 1);
	b->config.gpu_count = 0;
	ASSERT_EQ(gpu_step(b), -ENODEV);
	ASSERT_STR(b->why, "ccinit.gpu.count=0 but PCI has 1 GPU");
}

/* On PCI, but the driver did not bind it: as good as hidden. */
GPU_STEP_TEST(gpu_count_differs_from_driver, 2)
{
	b->config.gpu_count = 2;
	fake_remove("/proc/driver/nvidia/gpus/0000:11:00.0");
	ASSERT_EQ(gpu_step(b), -ENODEV);
	ASSERT_STR(b->why,
	           "ccinit.gpu.count=2 but the driver bound 1 GPU (/proc/driver/nvidia/gpus)");
}

GPU_STEP_TEST(nvswitch_count_differs_from_pci_and_driver, 8)
{
	nvswitches(4, 4);
	b->config.nvswitch_count = 3;
	ASSERT_EQ(gpu_step(b), -ENODEV);
	ASSERT_STR(b->why, "ccinit.nvswitch.count=3 but PCI has 4 NVSwitches");
	fake_teardown();
	image(b, 8);
	nvswitches(4, 3);
	b->config.nvswitch_count = 4;
	ASSERT_EQ(gpu_step(b), -ENODEV);
	ASSERT_STR(b->why, "ccinit.nvswitch.count=4 but the driver bound 3 NVSwitches "
	                   "(/proc/driver/nvidia-nvswitch/devices)");
}
