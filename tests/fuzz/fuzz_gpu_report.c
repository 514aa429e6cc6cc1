// SPDX-License-Identifier: Apache-2.0
/*
 * The GPU attestation gate on hostile input: the report parser and the
 * certificate chain handling (init/gpu/report.c, init/gpu/attest_verify.c).
 * The first two bytes (little-endian) are the report's length, the report
 * follows, and the rest is the PEM chain; the pinned root is NVIDIA's. The
 * seeds are nvtrust's sample report, alone and with its chain.
 */
#include <stddef.h>
#include <stdint.h>

#include "init/gpu/attest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t nonce[GPU_REPORT_NONCE_SIZE];
	struct gpu_report report;
	struct gpu_attest_input in = {
	        .nonce = nonce,
	        .root_der = gpu_attest_nvidia_root,
	        .root_size = gpu_attest_nvidia_root_size,
	};
	char why[256];
	size_t n;

	/* A bare report is parsed alone, so the parser sees every byte. */
	(void)gpu_report_parse(data, size, &report, why, sizeof(why));
	if (size < 2)
		return 0;
	n = (size_t)(data[0] | data[1] << 8);
	if (n > size - 2)
		return 0;
	in.report = data + 2;
	in.report_size = n;
	in.chain_pem = (const char *)data + 2 + n;
	in.chain_size = size - 2 - n;
	(void)gpu_attest_verify(&in, &report, why, sizeof(why));
	return 0;
}
