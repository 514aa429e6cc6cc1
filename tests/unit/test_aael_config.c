// SPDX-License-Identifier: Apache-2.0
/*
 * ccimage predicts how many events ccinit logs to RTMR3 from the measured
 * command line (measurement/gpu_aael.c) with a reader of its own, since
 * ccimage links no PID 1 code. This holds that reader to ccinit's: for each
 * line, ccinit's knob parser (init/core/config.c) and the GPU step's
 * conditions for the attestation gate (init/gpu/step.c: a ready request,
 * local attestation, CC on in a TD, a count the line pins) must give the
 * count gpu_aael_expect gives, or both must say the line does not pin one.
 */
#include <string.h>

#include "init/core/config.h"
#include "init/gpu/cc.h"
#include "measurement/gpu_aael.h"
#include "tests/lib/tap.h"

/* What ccinit itself would log in a TD whose kernel has the register file; -1: not pinned. */
static int ccinit_count(const char *cmdline)
{
	struct ccinit_config c;
	char why[256] = "";
	bool set, ready;

	config_init(&c);
	if (config_parse(&c, cmdline, why, sizeof(why)) < 0)
		return -1; /* the boot fails: no number of events is the right one */
	if (c.gpu == GPU_OFF || c.gpu_attest != GPU_ATTEST_LOCAL)
		return 0;
	enum gpu_cc_policy cc = gpu_cc_policy_resolve(c.gpu_cc, CPU_TEE_TDX);
	if (cc == GPU_CC_OFF)
		return 0;
	if (gpu_cc_ready_request(&c, &set, &ready, why, sizeof(why)) < 0)
		return -1;
	if (!set || !ready)
		return 0;
	if (cc == GPU_CC_ANY) /* attested only if the GPUs happen to be in CC mode */
		return -1;
	return c.gpu_count; /* -1 when the line does not pin it */
}

TEST(the_prediction_agrees_with_ccinits_own_reading)
{
	static const char *const lines[] = {
	        "console=hvc0 ccinit.gpu.count=8 ccinit.gpu.ready=1",
	        "ccinit.gpu.count=2 nvrc.smi.srs=1",
	        "ccinit.gpu.count=2 nvrc.smi.srs=0",
	        "ccinit.gpu.count=2",
	        "ccinit.gpu.ready=1",
	        "ccinit.gpu.count=1 ccinit.gpu.ready=yes",
	        "ccinit.gpu.count=1 ccinit.gpu.ready=on ccinit.gpu.attest=off",
	        "ccinit.gpu=off ccinit.gpu.count=4 ccinit.gpu.ready=1",
	        "ccinit.gpu=required ccinit.gpu.count=4 ccinit.gpu.ready=1",
	        "ccinit.gpu.cc=off ccinit.gpu.count=4 ccinit.gpu.ready=1",
	        "ccinit.gpu.cc=on ccinit.gpu.count=4 ccinit.gpu.ready=1",
	        "ccinit.gpu.cc=devtools ccinit.gpu.count=4 ccinit.gpu.ready=1",
	        "ccinit.gpu.cc=any ccinit.gpu.count=4 ccinit.gpu.ready=1",
	        "ccinit.gpu.count=4 ccinit.gpu.count=4 ccinit.gpu.ready=1",
	        "ccinit.gpu.count=0 ccinit.gpu.ready=1",
	        "nvrc.smi.srs=1 ccinit.gpu.ready=1 ccinit.gpu.count=3",
	        "ccinit.gpu.ready=0 nvrc.smi.srs=1 ccinit.gpu.count=3",
	        "ccinit.gpu.ready=1 ccinit.gpu.ready=0 ccinit.gpu.count=3",
	        /* the count's edges, as ccinit's number parser takes them */
	        "ccinit.gpu.count=+3 ccinit.gpu.ready=1",
	        "ccinit.gpu.count=3x ccinit.gpu.ready=1",
	        "ccinit.gpu.count= ccinit.gpu.ready=1",
	        "ccinit.gpu.count=32 ccinit.gpu.ready=1",
	        "ccinit.gpu.count=33 ccinit.gpu.ready=1",
	        "ccinit.gpu.count=-1 ccinit.gpu.ready=1",
	        "ccinit.gpu.count=4 ccinit.gpu.ready=TRUE",
	        "ccinit.gpu.count=4 ccinit.gpu.ready=maybe",
	        "ccinit.gpu.count=4 nvrc.smi.srs=2",
	        "ccinit.gpu.count=4 ccinit.gpu.ready=1 nvrc.smi.srs=0",
	        "ccinit.gpu.count=4 ccinit.gpu.ready=0 nvrc.smi.srs=0",
	        "ccinit.gpu.count=4 ccinit.gpu.ready=off nvrc.smi.srs=1",
	        /* the policies' words */
	        "ccinit.gpu=bogus ccinit.gpu.count=4 ccinit.gpu.ready=1",
	        "ccinit.gpu= ccinit.gpu.count=4 ccinit.gpu.ready=1",
	        "ccinit.gpu=optional ccinit.gpu.count=4 ccinit.gpu.ready=1",
	        "ccinit.gpu.attest=remote ccinit.gpu.count=4 ccinit.gpu.ready=1",
	        "ccinit.gpu.attest=local ccinit.gpu.count=4 ccinit.gpu.ready=1",
	        "ccinit.gpu.cc=maybe ccinit.gpu.count=4 ccinit.gpu.ready=1",
	        "ccinit.gpu.cc= ccinit.gpu.count=4 ccinit.gpu.ready=1",
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct gpu_aael_expect e;
		int want = ccinit_count(lines[i]);

		gpu_aael_expect(lines[i], GPU_AAEL_RTMR_YES, &e);
		if (e.count != want)
			tap_fail("'%s': ccimage predicts %d (%s), ccinit reads %d", lines[i],
			         e.count, e.why, want);
	}
}

/* A kernel without the register file: ccinit logs nothing, whatever the line. */
TEST(no_register_file_no_events)
{
	struct gpu_aael_expect e;

	gpu_aael_expect("ccinit.gpu.count=8 ccinit.gpu.ready=1", GPU_AAEL_RTMR_NO, &e);
	ASSERT_EQ(e.count, 0);
	ASSERT_CONTAINS(e.why, "CONFIG_TSM_MEASUREMENTS");
}
