/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small fake RM behind /dev/nvidiactl for the attestation tests, through
 * the system-call seam: it answers the GPU listing, the device and subdevice
 * allocations and the two attestation controls with a captured report and
 * chain, and getrandom() returns the nonce that report answered. It refuses
 * any control it does not know, so a SET would fail the test. Files live
 * below a fresh temp sys_root; the TSM register is a plain file there.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct fake_nvrm {
	uint8_t report[8192];
	size_t report_size;
	char *chain;
	size_t chain_size;
	uint8_t nonce[32];
	uint32_t cert_status;     /* RM status the certificate control answers */
	unsigned controls, other; /* controls seen; unknown ones among them */
	uint32_t next_handle;
	unsigned gpus; /* attached: ids 0x4100, 0x4200...; bus 0x41, 0x42... */
	/* What the second and later GPUs send, when set; the first sends report and chain. */
	uint8_t report2[8192];
	size_t report2_size;
	char *chain2;
	size_t chain2_size;
	unsigned cert_calls, report_calls; /* GPUs are attested in order: the n-th call is GPU n */
};

extern struct fake_nvrm fake_rm;
extern char fake_rm_root[64]; /* the sys_root of the current setup */

/*
 * One GPU answering with report (hex text), chain (PEM) and the nonce it
 * signed (hex), under a new sys_root with /run. 0, or a negative errno.
 */
int fake_nvrm_setup(const char *report_hex_path, const char *chain_path, const char *nonce_hex);
/*
 * nvtrust's H100 sample (driver 550.90.07, VBIOS 96.00.9F.00.01, board
 * 1010_0200_882), as fake_nvrm_setup serves it; the nonce it answered.
 */
#define FAKE_NVRM_SAMPLE_REPORT "tests/fixtures/nvidia-gpu/hopperAttestationReport.txt"
#define FAKE_NVRM_SAMPLE_CHAIN  "tests/fixtures/nvidia-gpu/hopperCertChain.txt"
#define FAKE_NVRM_SAMPLE_NONCE  "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb"

/* What the second and later GPUs send. */
int fake_nvrm_second_gpu(const char *report_hex_path, const char *chain_path);
/* A hex report file's bytes into out; the byte count or a negative errno. */
int fake_nvrm_load_report(const char *path, uint8_t *out, size_t size);
/* A file of the evidence ccinit wrote for GPU 0000:<bus>:00.0, or NULL. */
char *fake_nvrm_evidence(unsigned bus, const char *name, size_t *len);
void fake_nvrm_remove_root(void);
