// SPDX-License-Identifier: Apache-2.0
/* PCI topology, TEE evidence and device nodes from a fake sysfs/procfs (sys_root). */
#include <sys/sysmacros.h>

#include "init/gpu/nodes.h"
#include "init/gpu/topology.h"
#include "init/core/tee.h"
#include "tests/unit/gpu_fake.h"

static void nvswitches(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		char bdf[32];
		snprintf(bdf, sizeof(bdf), "0000:%02x:00.0", 0x80 + i);
		fake_pci(bdf, "0x10de", "0x068000", "0x22a3");
	}
}

/* Mellanox NICs; the VPD is binary, with SW_MNG inside its keywords. */
static void nics(unsigned n, bool sw_mng)
{
	static const char vpd[] = "\x82\x10"
	                          "ConnectX-7\x00\x90\x20"
	                          "V0\x06"
	                          "SW_MNG\x78";
	static const char plain[] = "\x82\x10"
	                            "ConnectX-7\x00\x78";

	for (unsigned i = 0; i < n; i++) {
		char bdf[32], rel[128], path[512];
		FILE *f;

		snprintf(bdf, sizeof(bdf), "0000:%02x:00.1", 0xa0 + i);
		fake_pci(bdf, "0x15b3", "0x020700", "0x1021");
		snprintf(rel, sizeof(rel), "/sys/bus/pci/devices/%s/vpd", bdf);
		snprintf(path, sizeof(path), "%s%s", fake.root, rel);
		f = fopen(path, "wb");
		ASSERT_TRUE(f != NULL);
		fwrite(sw_mng ? vpd : plain, 1, sw_mng ? sizeof(vpd) : sizeof(plain), f);
		fclose(f);
	}
}

TEST(no_pci_bus)
{
	struct gpu_topology t;
	char why[256];

	fake_setup("1");
	ASSERT_EQ(gpu_topology_scan(&t, why, sizeof(why)), 0);
	ASSERT_EQ(t.mode, GPU_MODE_CPU);
	fake_teardown();
}

TEST(one_gpu_among_others)
{
	struct gpu_topology t;
	char why[256];

	fake_setup("1");
	fake_pci("0000:00:00.0", "0x8086", "0x060000", "0x0d57");
	fake_pci("0000:00:01.0", "0x1af4", "0x018000", "0x1042");
	fake_pci("0000:00:06.0", "0x10de", "0x030200", "0x2330");
	fake_pci("0000:00:07.0", "0x10de", "0x040300", "0x22e8"); /* the GPU's audio function */
	ASSERT_EQ(gpu_topology_scan(&t, why, sizeof(why)), 0);
	ASSERT_EQ(t.mode, GPU_MODE_GPU);
	ASSERT_EQ(t.gpu_count, 1);
	ASSERT_STR(t.gpus[0].bdf, "0000:00:06.0");
	ASSERT_EQ(t.gpus[0].device, 0x2330);
	ASSERT_EQ(t.nvswitch_count, 0);
	fake_teardown();
}

TEST(eight_gpus_sorted)
{
	struct gpu_topology t;
	char why[256];

	fake_setup("1");
	fake_gpus(8);
	ASSERT_EQ(gpu_topology_scan(&t, why, sizeof(why)), 0);
	ASSERT_EQ(t.mode, GPU_MODE_GPU);
	ASSERT_EQ(t.gpu_count, 8);
	for (unsigned i = 1; i < 8; i++)
		ASSERT_TRUE(strcmp(t.gpus[i - 1].bdf, t.gpus[i].bdf) < 0);
	fake_teardown();
}

TEST(nvswitch_nvl4)
{
	struct gpu_topology t;
	char why[256];

	fake_setup("1");
	fake_gpus(8);
	nvswitches(4);
	ASSERT_EQ(gpu_topology_scan(&t, why, sizeof(why)), 0);
	ASSERT_EQ(t.mode, GPU_MODE_GPU_NVL4);
	ASSERT_EQ(t.nvswitch_count, 4);
	ASSERT_EQ(t.nvswitches[0].device, 0x22a3);
	fake_teardown();
}

TEST(nvswitch_service_vm)
{
	struct gpu_topology t;
	char why[256];

	fake_setup("1");
	nvswitches(4);
	ASSERT_EQ(gpu_topology_scan(&t, why, sizeof(why)), 0);
	ASSERT_EQ(t.mode, GPU_MODE_SERVICEVM_NVL4);
	fake_teardown();
}

TEST(nvswitch_unknown_topology)
{
	struct gpu_topology t;
	char why[256] = "";

	fake_setup("1");
	fake_gpus(4);
	nvswitches(2);
	ASSERT_EQ(gpu_topology_scan(&t, why, sizeof(why)), -ENOTSUP);
	ASSERT_CONTAINS(why, "2 NVSwitches, 4 GPUs, 0 SW_MNG");
	fake_teardown();
}

TEST(sw_mng_nvl5)
{
	struct gpu_topology t;
	char why[256];

	fake_setup("1");
	fake_gpus(8);
	nics(4, true);
	nics(0, false);
	ASSERT_EQ(gpu_topology_scan(&t, why, sizeof(why)), 0);
	ASSERT_EQ(t.swmng_count, 4);
	ASSERT_EQ(t.mode, GPU_MODE_GPU_NVL5);
	fake_teardown();
}

TEST(plain_nics_do_not_count)
{
	struct gpu_topology t;
	char why[256];

	fake_setup("1");
	fake_gpus(1);
	nics(4, false);
	ASSERT_EQ(gpu_topology_scan(&t, why, sizeof(why)), 0);
	ASSERT_EQ(t.swmng_count, 0);
	ASSERT_EQ(t.mode, GPU_MODE_GPU);
	fake_teardown();
}

TEST(too_many_gpus)
{
	struct gpu_topology t;
	char why[256] = "";

	fake_setup("1");
	fake_gpus(GPU_MAX + 1);
	ASSERT_EQ(gpu_topology_scan(&t, why, sizeof(why)), -E2BIG);
	fake_teardown();
}

TEST(tee_from_guest_devices)
{
	struct tee_info tee;

	fake_setup("1");
	ASSERT_EQ(tee_detect(&tee, false), 0);
	ASSERT_EQ(tee.tee, CPU_TEE_NONE);
	fake_file("/dev/sev-guest", "", 0600);
	fake_dir("/sys/kernel/config/tsm/report");
	ASSERT_EQ(tee_detect(&tee, false), 0);
	ASSERT_EQ(tee.tee, CPU_TEE_SEV_SNP);
	ASSERT_TRUE(tee.ev.tsm);
	fake_file("/dev/tdx-guest", "", 0600);
	ASSERT_EQ(tee_detect(&tee, false), -EINVAL);
	fake_teardown();
}

TEST(nodes_one_gpu)
{
	struct gpu_topology t;
	char why[256] = "", paths[16][64];
	const struct fake_sys_node *nd;
	unsigned count = 0;

	fake_setup("1");
	fake_gpus(1);
	fake_driver_procfs(1);
	ASSERT_EQ(gpu_topology_scan(&t, why, sizeof(why)), 0);
	ASSERT_EQ(gpu_nodes_create(&t, paths, 16, &count, why, sizeof(why)), 0);
	ASSERT_EQ(count, 6);
	nd = fake_sys_node("/dev/nvidiactl");
	ASSERT_TRUE(nd != NULL);
	ASSERT_EQ(nd->dev, makedev(195, 255));
	ASSERT_EQ(nd->mode, S_IFCHR | 0660); /* DeviceFileMode 432 */
	nd = fake_sys_node("/dev/nvidia0");
	ASSERT_TRUE(nd != NULL);
	ASSERT_EQ(nd->dev, makedev(195, 0));
	nd = fake_sys_node("/dev/nvidia-uvm");
	ASSERT_TRUE(nd != NULL);
	ASSERT_EQ(nd->dev, makedev(238, 0));
	ASSERT_EQ(nd->mode, S_IFCHR | 0666); /* uvm always takes the defaults */
	nd = fake_sys_node("/dev/nvidia-uvm-tools");
	ASSERT_TRUE(nd != NULL);
	ASSERT_EQ(nd->dev, makedev(238, 1));
	nd = fake_sys_node("/dev/nvidia-caps/nvidia-cap1");
	ASSERT_TRUE(nd != NULL);
	ASSERT_EQ(nd->dev, makedev(241, 1));
	ASSERT_EQ(nd->mode, S_IFCHR | 0400);
	nd = fake_sys_node("/dev/nvidia-caps/nvidia-cap2");
	ASSERT_TRUE(nd != NULL);
	ASSERT_EQ(nd->mode, S_IFCHR | 0444);
	fake_teardown();
}

TEST(nodes_eight_gpus_use_driver_minors)
{
	struct gpu_topology t;
	char why[256] = "", paths[32][64];
	unsigned count = 0;

	fake_setup("1");
	fake_gpus(8);
	fake_driver_procfs(8);
	ASSERT_EQ(gpu_topology_scan(&t, why, sizeof(why)), 0);
	ASSERT_EQ(gpu_nodes_create(&t, paths, 32, &count, why, sizeof(why)), 0);
	ASSERT_EQ(count, 13);
	for (unsigned i = 0; i < 8; i++) {
		char node[32];
		snprintf(node, sizeof(node), "/dev/nvidia%u", i);
		ASSERT_TRUE(fake_sys_node(node) != NULL);
	}
	/* The first GPU by address has minor 7 here. */
	ASSERT_STR(paths[1], "/dev/nvidia7");
	fake_teardown();
}

TEST(nodes_nvswitch)
{
	struct gpu_topology t;
	char why[256] = "", paths[32][64];
	unsigned count = 0;

	fake_setup("1");
	fake_gpus(8);
	nvswitches(4);
	fake_driver_procfs(8);
	ASSERT_EQ(gpu_topology_scan(&t, why, sizeof(why)), 0);
	ASSERT_EQ(gpu_nodes_create(&t, paths, 32, &count, why, sizeof(why)), 0);
	ASSERT_TRUE(fake_sys_node("/dev/nvidia-nvswitchctl") != NULL);
	ASSERT_EQ(fake_sys_node("/dev/nvidia-nvswitchctl")->dev, makedev(239, 255));
	ASSERT_TRUE(fake_sys_node("/dev/nvidia-nvswitch3") != NULL);
	fake_teardown();
}

TEST(nodes_existing_wrong_node_fails)
{
	struct gpu_topology t;
	char why[256] = "";
	unsigned count = 0;

	fake_setup("1");
	fake_gpus(1);
	fake_driver_procfs(1);
	fake_file("/dev/nvidiactl", "not a device", 0644);
	ASSERT_EQ(gpu_topology_scan(&t, why, sizeof(why)), 0);
	/* A node of another device where nvidia0 goes, beside the file at nvidiactl. */
	ASSERT_EQ(sys->mknod("/dev/nvidia0", S_IFCHR | 0666, makedev(1, 3)), 0);
	ASSERT_EQ(gpu_nodes_create(&t, NULL, 0, &count, why, sizeof(why)), -EEXIST);
	ASSERT_CONTAINS(why, "/dev/nvidia");
	fake_teardown();
}

TEST(nodes_without_uvm)
{
	struct gpu_topology t;
	char why[256] = "";

	fake_setup("1");
	fake_gpus(1);
	fake_driver_procfs(1);
	fake_file("/proc/devices", "Character devices:\n195 nvidia\n\nBlock devices:\n", 0644);
	ASSERT_EQ(gpu_topology_scan(&t, why, sizeof(why)), 0);
	ASSERT_EQ(gpu_nodes_create(&t, NULL, 0, NULL, why, sizeof(why)), -ENOENT);
	ASSERT_CONTAINS(why, "nvidia-uvm");
	fake_teardown();
}

TEST(chardev_major_only_char_section)
{
	fake_setup("1");
	fake_file("/proc/devices", "Character devices:\n238 nvidia-uvm\n\nBlock devices:\n 8 sd\n",
	          0644);
	ASSERT_EQ(gpu_chardev_major("nvidia-uvm"), 238);
	ASSERT_EQ(gpu_chardev_major("sd"), -ENOENT);
	ASSERT_EQ(gpu_chardev_major("nvidia-uv"), -ENOENT);
	fake_teardown();
}

TEST(gpu_info)
{
	struct gpu_info info;

	fake_setup("1");
	fake_driver_procfs(2);
	ASSERT_EQ(gpu_info_read("0000:10:00.0", &info), 0);
	ASSERT_STR(info.model, "NVIDIA H100 80GB HBM3");
	ASSERT_STR(info.uuid, "GPU-00000000");
	ASSERT_EQ(info.minor, 1);
	ASSERT_EQ(gpu_info_read("0000:99:00.0", &info), -ENOENT);
	ASSERT_EQ(info.minor, -1);
	fake_teardown();
}
