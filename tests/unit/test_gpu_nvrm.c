// SPDX-License-Identifier: Apache-2.0
/* The RM control ABI (init/gpu/nvrm.c) and the CC queries on it, against the fake driver. */
#include "init/gpu/cc.h"
#include "init/gpu/nvrm.h"
#include "tests/unit/gpu_fake.h"

#define VERSION "580.159.04"

/* Request numbers as the 580 driver decodes them: _IOWR('F', nr, size). */
TEST(request_numbers)
{
	ASSERT_EQ(nvrm_request(NV_ESC_RM_CONTROL, sizeof(struct nvos54_control)), 0xc020462aUL);
	ASSERT_EQ(nvrm_request(NV_ESC_RM_ALLOC, sizeof(struct nvos21_alloc)), 0xc020462bUL);
	ASSERT_EQ(nvrm_request(NV_ESC_RM_FREE, sizeof(struct nvos00_free)), 0xc0104629UL);
	ASSERT_EQ(nvrm_request(NV_ESC_CHECK_VERSION_STR, sizeof(struct nv_rm_api_version)),
	          0xc04846d2UL);
}

TEST(layouts)
{
	ASSERT_EQ(offsetof(struct nvos21_alloc, params.ptr), 16);
	ASSERT_EQ(offsetof(struct nvos21_alloc, params.size), 24);
	ASSERT_EQ(offsetof(struct nvos21_alloc, params.status), 28);
	ASSERT_EQ(offsetof(struct nvos54_control, params.ptr), 16);
	ASSERT_EQ(offsetof(struct nvos54_control, params.status), 28);
	ASSERT_EQ(offsetof(struct nvos00_free, status), 12);
	ASSERT_EQ(offsetof(struct nv_rm_api_version, version), 8);
}

TEST(cc_off_not_ready)
{
	struct nvrm_cc_state s;
	char why[256] = "";

	fake_setup(VERSION);
	ASSERT_EQ(gpu_cc_query("/dev/nvidiactl", VERSION, &s, why, sizeof(why)), 0);
	ASSERT_EQ(gpu_cc_mode_of(&s.caps), GPU_CC_MODE_OFF);
	ASSERT_FALSE(s.ready);
	ASSERT_EQ(s.caps.gpus_capability, NV_CC_GPUS_HCC);
	ASSERT_STR(gpu_cc_smi_state(&s.caps), "OFF");
	ASSERT_STR(gpu_cc_smi_gpus(s.caps.gpus_capability), "CC Capable");
	/* Everything allocated is freed again. */
	ASSERT_EQ(fake.clients, 1);
	ASSERT_EQ(fake.ccs, 1);
	ASSERT_EQ(fake.frees, 2);
	ASSERT_EQ(fake.bad_requests, 0);
	ASSERT_EQ(fake.set_calls, 0);
	fake_teardown();
}

TEST(cc_on_ready)
{
	struct nvrm_cc_state s;
	char why[256] = "";

	fake_setup(VERSION);
	fake.caps.cc_feature = NV_CC_FEATURE_HCC;
	fake.caps.environment = NV_CC_ENV_PROD;
	fake.caps.cpu_capability = NV_CC_CPU_AMD_SEV_SNP;
	fake.ready = true;
	ASSERT_EQ(gpu_cc_query("/dev/nvidiactl", VERSION, &s, why, sizeof(why)), 0);
	ASSERT_EQ(gpu_cc_mode_of(&s.caps), GPU_CC_MODE_ON);
	ASSERT_TRUE(s.ready);
	ASSERT_STR(gpu_cc_smi_state(&s.caps), "ON");
	ASSERT_STR(gpu_cc_smi_cpu(s.caps.cpu_capability), "AMD SEV-SNP");
	ASSERT_STR(gpu_cc_smi_env(s.caps.environment), "Production");
	fake_teardown();
}

TEST(cc_devtools)
{
	struct nvrm_cc_state s;
	char why[256] = "";

	fake_setup(VERSION);
	fake.caps.cc_feature = NV_CC_FEATURE_HCC;
	fake.caps.devtools_mode = 1;
	fake.caps.environment = NV_CC_ENV_SIM;
	ASSERT_EQ(gpu_cc_query("/dev/nvidiactl", VERSION, &s, why, sizeof(why)), 0);
	ASSERT_EQ(gpu_cc_mode_of(&s.caps), GPU_CC_MODE_DEVTOOLS);
	ASSERT_STR(gpu_cc_smi_state(&s.caps), "DEVTOOLS");
	fake_teardown();
}

TEST(cc_ppcie)
{
	struct nvrm_cc_state s;
	char why[256] = "";

	fake_setup(VERSION);
	fake.caps.multi_gpu_mode = NV_CC_MULTI_GPU_PPCIE; /* the driver hides ccFeature then */
	ASSERT_EQ(gpu_cc_query("/dev/nvidiactl", VERSION, &s, why, sizeof(why)), 0);
	ASSERT_EQ(gpu_cc_mode_of(&s.caps), GPU_CC_MODE_PPCIE);
	ASSERT_STR(gpu_cc_smi_multi_gpu(s.caps.multi_gpu_mode), "Protected PCIe");
	ASSERT_EQ(gpu_cc_check(GPU_CC_ON, &s, why, sizeof(why)), 0);
	fake_teardown();
}

/* A 535 driver's capabilities have no multi-GPU byte: the size is retried. */
TEST(cc_caps_535_layout)
{
	struct nvrm_cc_state s;
	char why[256] = "";

	fake_setup(VERSION);
	fake.caps_size = 5;
	fake.caps.cc_feature = NV_CC_FEATURE_HCC;
	ASSERT_EQ(gpu_cc_query("/dev/nvidiactl", VERSION, &s, why, sizeof(why)), 0);
	ASSERT_EQ(gpu_cc_mode_of(&s.caps), GPU_CC_MODE_ON);
	ASSERT_EQ(s.caps.multi_gpu_mode, NV_CC_MULTI_GPU_NONE);
	fake_teardown();
}

TEST(version_handshake_refused)
{
	struct nvrm_cc_state s;
	struct nvrm rm;
	char why[256] = "";

	fake_setup("580.159.04");
	ASSERT_EQ(nvrm_open(&rm, "/dev/nvidiactl", "570.86.15"), -EPROTO);
	ASSERT_STR(rm.driver_version, "580.159.04");
	nvrm_close(&rm);
	ASSERT_EQ(gpu_cc_query("/dev/nvidiactl", "570.86.15", &s, why, sizeof(why)), -EPROTO);
	ASSERT_CONTAINS(why, "refused the version handshake");
	ASSERT_CONTAINS(why, "570.86.15");
	ASSERT_CONTAINS(why, "580.159.04");
	/* Nothing was allocated on a refused descriptor. */
	ASSERT_EQ(fake.clients, 0);
	fake_teardown();
}

TEST(version_too_long)
{
	struct nvrm rm;
	char v[80];

	fake_setup(VERSION);
	memset(v, '9', sizeof(v) - 1);
	v[sizeof(v) - 1] = '\0';
	ASSERT_EQ(nvrm_open(&rm, "/dev/nvidiactl", v), -EINVAL);
	nvrm_close(&rm);
	fake_teardown();
}

TEST(no_control_device)
{
	struct nvrm_cc_state s;
	char why[256] = "";

	fake_setup(VERSION);
	fake_sys_device("/dev/nvidiactl", NULL); /* absent */
	ASSERT_EQ(gpu_cc_query("/dev/nvidiactl", VERSION, &s, why, sizeof(why)), -ENOENT);
	ASSERT_CONTAINS(why, "/dev/nvidiactl");
	fake_teardown();
}

TEST(ioctl_error_on_control)
{
	struct nvrm_cc_state s;
	char why[256] = "";

	fake_setup(VERSION);
	fake.fail_nr = NV_ESC_RM_CONTROL;
	fake.fail_errno = EIO;
	ASSERT_EQ(gpu_cc_query("/dev/nvidiactl", VERSION, &s, why, sizeof(why)), -EIO);
	ASSERT_CONTAINS(why, "reading the confidential-compute state");
	ASSERT_EQ(fake.frees, 2); /* still cleaned up */
	fake_teardown();
}

TEST(ioctl_error_on_alloc)
{
	struct nvrm_cc_state s;
	char why[256] = "";

	fake_setup(VERSION);
	fake.fail_nr = NV_ESC_RM_ALLOC;
	fake.fail_errno = EFAULT;
	ASSERT_EQ(gpu_cc_query("/dev/nvidiactl", VERSION, &s, why, sizeof(why)), -EFAULT);
	ASSERT_CONTAINS(why, "allocating");
	fake_teardown();
}

TEST(rm_status_class_unsupported)
{
	struct nvrm_cc_state s;
	char why[256] = "";

	fake_setup(VERSION);
	fake.alloc_cc_status = NV_ERR_NOT_SUPPORTED; /* a GPU without CC */
	ASSERT_EQ(gpu_cc_query("/dev/nvidiactl", VERSION, &s, why, sizeof(why)), -EOPNOTSUPP);
	ASSERT_CONTAINS(why, "NV_ERR_NOT_SUPPORTED");
	ASSERT_EQ(fake.frees, 1); /* the client */
	fake_teardown();
}

TEST(rm_status_unknown_named)
{
	struct nvrm_cc_state s;
	char why[256] = "";

	fake_setup(VERSION);
	fake.get_status = 0x65;
	ASSERT_EQ(gpu_cc_query("/dev/nvidiactl", VERSION, &s, why, sizeof(why)), -EIO);
	ASSERT_CONTAINS(why, "RM status 0x65");
	fake_teardown();
}

TEST(set_ready_and_read_back)
{
	struct nvrm_cc_state s;
	char why[256] = "";

	fake_setup(VERSION);
	fake.caps.cc_feature = NV_CC_FEATURE_HCC;
	ASSERT_EQ(gpu_cc_set_ready("/dev/nvidiactl", VERSION, true, why, sizeof(why)), 0);
	ASSERT_EQ(fake.set_calls, 1);
	ASSERT_TRUE(fake.ready);
	ASSERT_EQ(gpu_cc_query("/dev/nvidiactl", VERSION, &s, why, sizeof(why)), 0);
	ASSERT_TRUE(s.ready);
	fake_teardown();
}

TEST(set_ready_refused)
{
	char why[256] = "";

	fake_setup(VERSION);
	fake.set_status = NV_ERR_INSUFFICIENT_PERMISSIONS;
	ASSERT_EQ(gpu_cc_set_ready("/dev/nvidiactl", VERSION, true, why, sizeof(why)), -EPERM);
	ASSERT_CONTAINS(why, "NV_ERR_INSUFFICIENT_PERMISSIONS");
	ASSERT_FALSE(fake.ready);
	fake_teardown();
}

/* The driver accepted the call but the state did not change: caught by the read back. */
TEST(set_ready_not_taken)
{
	char why[256] = "";

	fake_setup(VERSION);
	fake.ignore_set = true;
	ASSERT_EQ(gpu_cc_set_ready("/dev/nvidiactl", VERSION, true, why, sizeof(why)), -EIO);
	ASSERT_CONTAINS(why, "reads not ready after setting it to ready");
	fake_teardown();
}
