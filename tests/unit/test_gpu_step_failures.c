// SPDX-License-Identifier: Apache-2.0
/*
 * The whole GPU step when something is missing or refuses (gpu_step_fixture.h):
 * the GPU policy with no GPU, firmware, the module, the driver's version
 * handshake and its ioctls.
 */
#include "tests/unit/gpu_step_fixture.h"

TEST(no_gpu_required_fails)
{
	struct boot b;

	image(&b, 0);
	b.config.gpu = GPU_REQUIRED;
	ASSERT_EQ(gpu_step(&b), -ENODEV);
	ASSERT_CONTAINS(b.why, "ccinit.gpu=required but no NVIDIA GPU");
	ASSERT_STR(modules_log, "");
	fake_teardown();
}

/* A GPU image (it ships firmware) requires its GPU unless told otherwise. */
TEST(no_gpu_default_in_gpu_image_fails)
{
	struct boot b;

	image(&b, 0);
	ASSERT_EQ(gpu_step(&b), -ENODEV);
	fake_teardown();
}

TEST(no_gpu_optional_passes)
{
	struct boot b;

	image(&b, 0);
	b.config.gpu = GPU_OPTIONAL;
	ASSERT_EQ(gpu_step(&b), 0);
	ASSERT_STR(modules_log, "");
	fake_teardown();
}

TEST(gpu_off_does_nothing)
{
	struct boot b;

	image(&b, 4);
	for (unsigned i = 0; i < 2; i++) { /* even a topology NVRC would panic on */
		char bdf[32];
		snprintf(bdf, sizeof(bdf), "0000:%02x:00.0", 0x80 + i);
		fake_pci(bdf, "0x10de", "0x068000", "0x22a3");
	}
	b.config.gpu = GPU_OFF;
	ASSERT_EQ(gpu_step(&b), 0);
	ASSERT_EQ(b.trace.count, 0);
	fake_teardown();
}

TEST(unknown_topology_fails)
{
	struct boot b;

	image(&b, 4);
	fake_pci("0000:80:00.0", "0x10de", "0x068000", "0x22a3");
	ASSERT_EQ(gpu_step(&b), -ENOTSUP);
	ASSERT_CONTAINS(b.why, "unknown PCI topology");
	fake_teardown();
}

TEST(missing_firmware)
{
	struct boot b;
	char cmd[256];

	image(&b, 1);
	b.config.gpu = GPU_REQUIRED;
	snprintf(cmd, sizeof(cmd), "rm -r '%s/lib/firmware/nvidia/" VERSION "'", fake.root);
	ASSERT_EQ(system(cmd), 0);
	ASSERT_EQ(gpu_step(&b), -ENOENT);
	ASSERT_CONTAINS(b.why, "no NVIDIA firmware");
	ASSERT_STR(modules_log, "");
	fake_teardown();
}

TEST(firmware_without_gsp)
{
	struct boot b;
	char cmd[256];

	image(&b, 1);
	snprintf(cmd, sizeof(cmd), "rm '%s/lib/firmware/nvidia/" VERSION "/gsp_ga10x.bin'",
	         fake.root);
	ASSERT_EQ(system(cmd), 0);
	ASSERT_EQ(gpu_step(&b), -ENOENT);
	ASSERT_CONTAINS(b.why, "no GSP firmware");
	fake_teardown();
}

TEST(module_refuses_without_device)
{
	struct boot b;

	image(&b, 1);
	modules_result_nvidia = -ENODEV;
	ASSERT_EQ(gpu_step(&b), -ENODEV);
	ASSERT_CONTAINS(b.why, "the nvidia module refused to load: no device");
	fake_teardown();
}

TEST(module_version_differs_from_firmware)
{
	struct boot b;

	image(&b, 1);
	fake_file("/sys/module/nvidia/version", "570.86.15\n", 0644);
	ASSERT_EQ(gpu_step(&b), -EPROTO);
	ASSERT_CONTAINS(b.why, "nvidia module 570.86.15 does not match the firmware " VERSION);
	fake_teardown();
}

TEST(version_handshake_refused)
{
	struct boot b;
	char cmd[256];

	image(&b, 1);
	/* No module version to compare: the driver's handshake is what catches it. */
	snprintf(cmd, sizeof(cmd), "rm '%s/sys/module/nvidia/version'", fake.root);
	ASSERT_EQ(system(cmd), 0);
	snprintf(fake.version, sizeof(fake.version), "575.51.03");
	ASSERT_EQ(gpu_step(&b), -EPROTO);
	ASSERT_CONTAINS(b.why, "refused the version handshake: userspace " VERSION
	                       ", kernel module 575.51.03");
	fake_teardown();
}

TEST(ioctl_error)
{
	struct boot b;

	image(&b, 1);
	fake.fail_nr = NV_ESC_RM_CONTROL;
	fake.fail_errno = ENXIO;
	ASSERT_EQ(gpu_step(&b), -ENXIO);
	ASSERT_CONTAINS(b.why, "confidential-compute state");
	fake_teardown();
}
