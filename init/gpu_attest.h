/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Local GPU attestation (init/gpu-attestation.md): the GPU's signed SPDM
 * report and its certificate chain, checked against NVIDIA's device identity
 * root pinned in ccinit, before the GPUs-ready state may be set.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "init/gpu_report.h"

/* NVIDIA Device Identity CA (nvtrust's verifier_device_root.pem), DER. */
extern const uint8_t gpu_attest_nvidia_root[];
extern const size_t gpu_attest_nvidia_root_size;
/* Its SHA-256 fingerprint, lowercase hex. */
#define GPU_ATTEST_NVIDIA_ROOT_SHA256                                                              \
	"102bf659d5419614c9d8e6aecebc80454eb26b1df6a769ac720b9a690b167b48"

struct gpu_attest_input {
	const uint8_t *report; /* as GET_GPU_ATTESTATION_REPORT returned it */
	size_t report_size;
	const char *chain_pem; /* GET_GPU_CERTIFICATE's attestation chain: leaf first */
	size_t chain_size;
	const uint8_t *nonce;    /* the GPU_REPORT_NONCE_SIZE bytes we sent */
	const uint8_t *root_der; /* the pinned root: gpu_attest_nvidia_root outside tests */
	size_t root_size;
	bool devtools; /* the driver reports CC devtools (debug) mode */
};

/*
 * Runs every check; on success *report holds the parsed claims. A failure
 * names the check in why ("debug", "report", "nonce", "certificate chain",
 * "signature", "FWID") and returns -EPERM (debug), -EBADMSG (report),
 * -ESTALE (nonce), -EKEYEXPIRED (a link out of its validity) or
 * -EKEYREJECTED (chain, signature, FWID).
 */
int gpu_attest_verify(const struct gpu_attest_input *in, struct gpu_report *report, char *why,
                      size_t why_size);
