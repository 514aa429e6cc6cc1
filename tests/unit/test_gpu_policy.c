// SPDX-License-Identifier: Apache-2.0
/* GPU policies as pure functions: CC mode against ccinit.gpu.cc, ready requests, TEE, timeouts. */
#include "init/core/config.h"
#include "init/gpu/cc.h"
#include "init/gpu/daemons.h"
#include "init/gpu/topology.h"
#include "init/core/tee.h"
#include "tests/lib/tap.h"

static struct nvrm_cc_state state(uint8_t feature, uint8_t devtools, uint8_t multi)
{
	struct nvrm_cc_state s = {0};
	s.caps.cc_feature = feature;
	s.caps.devtools_mode = devtools;
	s.caps.multi_gpu_mode = multi;
	s.caps.gpus_capability = NV_CC_GPUS_HCC;
	return s;
}

TEST(cc_policy_matrix)
{
	const struct nvrm_cc_state off = state(0, 0, 0), on = state(2, 0, 0), dev = state(2, 1, 0),
	                           ppcie = state(0, 0, 1);
	char why[512];

	ASSERT_EQ(gpu_cc_check(GPU_CC_ON, &on, why, sizeof(why)), 0);
	ASSERT_EQ(gpu_cc_check(GPU_CC_ON, &ppcie, why, sizeof(why)), 0);
	ASSERT_EQ(gpu_cc_check(GPU_CC_ON, &off, why, sizeof(why)), -EMEDIUMTYPE);
	ASSERT_EQ(gpu_cc_check(GPU_CC_ON, &dev, why, sizeof(why)), -EMEDIUMTYPE);
	ASSERT_EQ(gpu_cc_check(GPU_CC_DEVTOOLS, &dev, why, sizeof(why)), 0);
	ASSERT_EQ(gpu_cc_check(GPU_CC_DEVTOOLS, &on, why, sizeof(why)), -EMEDIUMTYPE);
	ASSERT_EQ(gpu_cc_check(GPU_CC_OFF, &off, why, sizeof(why)), 0);
	ASSERT_EQ(gpu_cc_check(GPU_CC_OFF, &on, why, sizeof(why)), -EMEDIUMTYPE);
	ASSERT_EQ(gpu_cc_check(GPU_CC_ANY, &off, why, sizeof(why)), 0);
	ASSERT_EQ(gpu_cc_check(GPU_CC_ANY, &dev, why, sizeof(why)), 0);
	/* auto is resolved before the check; unresolved it never passes. */
	ASSERT_EQ(gpu_cc_check(GPU_CC_AUTO, &on, why, sizeof(why)), -EMEDIUMTYPE);
}

TEST(cc_mismatch_names_what_was_found)
{
	struct nvrm_cc_state s = state(0, 0, 0);
	char why[512];

	s.caps.cpu_capability = NV_CC_CPU_AMD_SEV_SNP;
	ASSERT_EQ(gpu_cc_check(GPU_CC_ON, &s, why, sizeof(why)), -EMEDIUMTYPE);
	ASSERT_CONTAINS(why, "ccinit.gpu.cc=on");
	ASSERT_CONTAINS(why, "CC off");
	ASSERT_CONTAINS(why, "CPU AMD SEV-SNP");
	ASSERT_CONTAINS(why, "GPUs CC Capable");
	ASSERT_CONTAINS(why, "not ready");
}

TEST(cc_policy_default_follows_tee)
{
	ASSERT_EQ(gpu_cc_policy_resolve(GPU_CC_AUTO, CPU_TEE_SEV_SNP), GPU_CC_ON);
	ASSERT_EQ(gpu_cc_policy_resolve(GPU_CC_AUTO, CPU_TEE_TDX), GPU_CC_ON);
	ASSERT_EQ(gpu_cc_policy_resolve(GPU_CC_AUTO, CPU_TEE_NONE), GPU_CC_ANY);
	ASSERT_EQ(gpu_cc_policy_resolve(GPU_CC_OFF, CPU_TEE_TDX), GPU_CC_OFF);
	ASSERT_EQ(gpu_cc_policy_resolve(GPU_CC_DEVTOOLS, CPU_TEE_NONE), GPU_CC_DEVTOOLS);
}

TEST(gpu_policy_default)
{
	ASSERT_EQ(gpu_policy_resolve(GPU_AUTO, true), GPU_REQUIRED);
	ASSERT_EQ(gpu_policy_resolve(GPU_AUTO, false), GPU_OPTIONAL);
	ASSERT_EQ(gpu_policy_resolve(GPU_OFF, true), GPU_OFF);
	ASSERT_EQ(gpu_policy_resolve(GPU_OPTIONAL, true), GPU_OPTIONAL);
}

TEST(ready_request)
{
	struct ccinit_config c;
	bool set, ready;
	char why[128];

	config_init(&c);
	ASSERT_EQ(gpu_cc_ready_request(&c, &set, &ready, why, sizeof(why)), 0);
	ASSERT_FALSE(set);
	snprintf(c.smi_srs, sizeof(c.smi_srs), "1");
	ASSERT_EQ(gpu_cc_ready_request(&c, &set, &ready, why, sizeof(why)), 0);
	ASSERT_TRUE(set);
	ASSERT_TRUE(ready);
	snprintf(c.smi_srs, sizeof(c.smi_srs), "0");
	ASSERT_EQ(gpu_cc_ready_request(&c, &set, &ready, why, sizeof(why)), 0);
	ASSERT_TRUE(set);
	ASSERT_FALSE(ready);
	c.gpu_ready = true;
	ASSERT_EQ(gpu_cc_ready_request(&c, &set, &ready, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "contradicts");
	c.smi_srs[0] = '\0';
	ASSERT_EQ(gpu_cc_ready_request(&c, &set, &ready, why, sizeof(why)), 0);
	ASSERT_TRUE(set && ready);
	snprintf(c.smi_srs, sizeof(c.smi_srs), "yes");
	ASSERT_EQ(gpu_cc_ready_request(&c, &set, &ready, why, sizeof(why)), -EINVAL);
	ASSERT_CONTAINS(why, "nvrc.smi.srs=yes");
}

TEST(mode_table)
{
	/* NVSwitches, GPUs, switch-management devices: the mode (when rc is 0), or the refusal. */
	static const struct {
		unsigned nvswitches, gpus, swmng;
		int rc;
		enum gpu_mode mode;
	} cases[] = {
	        {0, 0, 0, 0, GPU_MODE_CPU},
	        {0, 1, 0, 0, GPU_MODE_GPU},
	        {0, 8, 0, 0, GPU_MODE_GPU},
	        {4, 8, 0, 0, GPU_MODE_GPU_NVL4},
	        {4, 0, 0, 0, GPU_MODE_SERVICEVM_NVL4},
	        {0, 8, 4, 0, GPU_MODE_GPU_NVL5},
	        {0, 0, 4, 0, GPU_MODE_SERVICEVM_NVL5},
	        {4, 4, 0, -ENOTSUP, GPU_MODE_CPU},
	        {2, 0, 0, -ENOTSUP, GPU_MODE_CPU},
	        {0, 4, 4, -ENOTSUP, GPU_MODE_CPU},
	        {4, 8, 4, -ENOTSUP, GPU_MODE_CPU},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum gpu_mode m = (enum gpu_mode)99; /* none: the call must set it */
		int r = gpu_mode_from_counts(cases[i].nvswitches, cases[i].gpus, cases[i].swmng,
		                             &m);
		if (r != cases[i].rc || (r == 0 && m != cases[i].mode))
			tap_fail("gpu_mode_from_counts(%u, %u, %u): %d, mode %d; want %d, mode %d",
			         cases[i].nvswitches, cases[i].gpus, cases[i].swmng, r, (int)m,
			         cases[i].rc, (int)cases[i].mode);
	}
	ASSERT_STR(gpu_mode_name(GPU_MODE_SERVICEVM_NVL4), "servicevm-nvl4");
}

TEST(tee_decision)
{
	struct tee_evidence ev = {0};
	enum cpu_tee t;

	ASSERT_EQ(tee_decide(&ev, &t), 0);
	ASSERT_EQ(t, CPU_TEE_NONE);
	/* The host CPU's SNP bit alone is not a protected guest. */
	ev.cpuid_snp = true;
	ASSERT_EQ(tee_decide(&ev, &t), 0);
	ASSERT_EQ(t, CPU_TEE_NONE);
	ev.sev_guest = true;
	ASSERT_EQ(tee_decide(&ev, &t), 0);
	ASSERT_EQ(t, CPU_TEE_SEV_SNP);
	ev = (struct tee_evidence){.cpuid_tdx = true};
	ASSERT_EQ(tee_decide(&ev, &t), 0);
	ASSERT_EQ(t, CPU_TEE_TDX);
	ev.sev_guest = true;
	ASSERT_EQ(tee_decide(&ev, &t), -EINVAL);
}

TEST(persistenced_timeout_scales)
{
	ASSERT_EQ(gpu_persistenced_timeout_s(0, 1), 180);
	ASSERT_EQ(gpu_persistenced_timeout_s(0, 8), 600);
	ASSERT_TRUE(gpu_persistenced_timeout_s(0, 8) > gpu_persistenced_timeout_s(0, 1));
	ASSERT_EQ(gpu_persistenced_timeout_s(45, 8), 45);
}
