// SPDX-License-Identifier: Apache-2.0
/*
 * The GPU attestation gate on hostile input: the report parser and the
 * certificate chain handling (init/gpu/report.c, init/gpu/attest_verify.c).
 * The first two bytes (little-endian) are the report's length, the report
 * follows, and the rest is the PEM chain; the pinned root is NVIDIA's. The
 * seeds are nvtrust's H100 sample report, NVIDIA attestation SDK's GB100
 * one and its H100 ones of driver branches 535 to 590
 * (tests/fixtures/nvidia-gpu/branches/), each alone and with its chain.
 * The FWID check comes after the chain's and the signature's, which no
 * mutation of a real leaf survives, so the first certificate is also handed
 * to it directly (init/gpu/attest_fwid.c): its DICE extensions are walked on
 * any bytes.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/x509_crt.h>

#include "init/gpu/attest.h"
#include "init/gpu/attest_fwid.h"

/* The leaf of chain[0..size) (PEM, or DER after the report) against the report's FWID. */
static void fwid_alone(const struct gpu_report *report, const char *chain, size_t size)
{
	static const uint8_t any_fwid[GPU_REPORT_FWID_SIZE];
	struct gpu_report rep = *report;
	mbedtls_x509_crt crt;
	char why[256], *copy = malloc(size + 1);

	if (!copy)
		return;
	memcpy(copy, chain, size);
	copy[size] = '\0';
	if (!rep.fwid)
		rep.fwid = any_fwid;
	mbedtls_x509_crt_init(&crt);
	if (mbedtls_x509_crt_parse(&crt, (const unsigned char *)copy, size + 1) >= 0 && crt.raw.p)
		(void)gpu_attest_check_fwid(&crt, &rep, why, sizeof(why));
	mbedtls_x509_crt_free(&crt);
	free(copy);
}

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
	if (gpu_attest_verify(&in, &report, why, sizeof(why)) != -EBADMSG)
		fwid_alone(&report, in.chain_pem, in.chain_size);
	return 0;
}
