// SPDX-License-Identifier: Apache-2.0
/*
 * The whole GPU step when something is missing or refuses (gpu_step_fixture.h):
 * the GPU policy with no GPU, firmware, the module, the driver's version
 * handshake and its ioctls.
 */
#include "tests/unit/gpu_step_fixture.h"

GPU_STEP_TEST(no_gpu_required_fails, 0)
{
	b->config.gpu = GPU_REQUIRED;
	ASSERT_STEP(b, -ENODEV, "ccinit.gpu=required but no NVIDIA GPU");
	ASSERT_STR(modules_log, "");
}

/* A GPU image (it ships firmware) requires its GPU unless told otherwise. */
GPU_STEP_TEST(no_gpu_default_in_gpu_image_fails, 0)
{
	ASSERT_EQ(gpu_step(b), -ENODEV);
}

GPU_STEP_TEST(no_gpu_optional_passes, 0)
{
	b->config.gpu = GPU_OPTIONAL;
	ASSERT_EQ(gpu_step(b), 0);
	ASSERT_STR(modules_log, "");
}

GPU_STEP_TEST(gpu_off_does_nothing, 4)
{
	for (unsigned i = 0; i < 2; i++) { /* even a topology NVRC would panic on */
		char bdf[32];
		snprintf(bdf, sizeof(bdf), "0000:%02x:00.0", 0x80 + i);
		fake_pci(bdf, "0x10de", "0x068000", "0x22a3");
	}
	b->config.gpu = GPU_OFF;
	ASSERT_EQ(gpu_step(b), 0);
	ASSERT_EQ(b->trace.count, 0);
}

GPU_STEP_TEST(unknown_topology_fails, 4)
{
	fake_pci("0000:80:00.0", "0x10de", "0x068000", "0x22a3");
	ASSERT_STEP(b, -ENOTSUP, "unknown PCI topology");
}

GPU_STEP_TEST(missing_firmware, 1)
{
	b->config.gpu = GPU_REQUIRED;
	fake_remove("/lib/firmware/nvidia/" VERSION);
	ASSERT_STEP(b, -ENOENT, "no NVIDIA firmware");
	ASSERT_STR(modules_log, "");
}

GPU_STEP_TEST(firmware_without_gsp, 1)
{
	fake_remove("/lib/firmware/nvidia/" VERSION "/gsp_ga10x.bin");
	ASSERT_STEP(b, -ENOENT, "no GSP firmware");
}

GPU_STEP_TEST(module_refuses_without_device, 1)
{
	modules_result_nvidia = -ENODEV;
	ASSERT_STEP(b, -ENODEV, "the nvidia module refused to load: no device");
}

/* A kernel without the crypto SPDM finds by name fails before nvidia.ko, naming it. */
GPU_STEP_TEST(missing_spdm_crypto_fails_before_nvidia, 1)
{
	modules_fail_name = "gcm";
	modules_fail_result = -ENOENT;
	ASSERT_STEP(b, -ENOENT, "loading the kernel crypto nvidia's SPDM needs: module gcm");
	ASSERT_STR(modules_log, "ctr() ghash_generic() gcm() ");
}

/* A kernel from 7.2 on has no ghash_generic (gcm takes GHASH from the library): no failure. */
GPU_STEP_TEST(a_kernel_without_ghash_generic_boots, 1)
{
	modules_fail_name = "ghash_generic";
	modules_fail_result = -ENOENT;
	ASSERT_STEP(b, 0, "");
	ASSERT_CONTAINS(modules_log, "ctr() ghash_generic() gcm() ecdh_generic() nvidia(");
}

GPU_STEP_TEST(module_version_differs_from_firmware, 1)
{
	fake_file("/sys/module/nvidia/version", "570.86.15\n", 0644);
	ASSERT_STEP(b, -EPROTO, "nvidia module 570.86.15 does not match the firmware " VERSION);
}

GPU_STEP_TEST(version_handshake_refused, 1)
{
	/* No module version to compare: the driver's handshake is what catches it. */
	fake_remove("/sys/module/nvidia/version");
	snprintf(fake.version, sizeof(fake.version), "575.51.03");
	ASSERT_STEP(b, -EPROTO,
	            "refused the version handshake: userspace " VERSION
	            ", kernel module 575.51.03");
}

GPU_STEP_TEST(ioctl_error, 1)
{
	fake.fail_nr = NV_ESC_RM_CONTROL;
	fake.fail_errno = ENXIO;
	ASSERT_STEP(b, -ENXIO, "confidential-compute state");
}
