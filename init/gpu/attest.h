/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Local GPU attestation (init/gpu/attestation.md): the GPU's signed SPDM
 * report and its certificate chain, checked against NVIDIA's device identity
 * root pinned in ccinit, before the GPUs-ready state may be set.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "init/gpu/report.h"

struct boot;
struct gpu_golden;
struct nvrm_cc_state;

/* Per GPU: report.bin, chain.pem, nonce.bin and verdict.json under <dir>/<bdf>/. */
#define GPU_ATTEST_EVIDENCE_DIR "/run/ccinit/gpu"
/* Linux 6.16+ TSM measurement register of a TD: a 48-byte write extends RTMR3. */
#define GPU_ATTEST_RTMR3       "/sys/devices/virtual/misc/tdx_guest/measurements/rtmr3:sha384"
#define GPU_ATTEST_DIGEST_SIZE 48

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
 * Runs every check; on success *report holds the parsed claims and the leaf's
 * identity. The chain must be NVIDIA's shape (5 certificates, each followed
 * by its issuer) with a GPU's leaf, not an NVSwitch's. A failure
 * names the check in why ("debug", "report", "nonce", "certificate chain",
 * "signature", "FWID") and returns -EPERM (debug), -EBADMSG (report),
 * -ESTALE (nonce), -EKEYEXPIRED (a link out of its validity) or
 * -EKEYREJECTED (chain, signature, FWID).
 */
int gpu_attest_verify(const struct gpu_attest_input *in, struct gpu_report *report, char *why,
                      size_t why_size);

/*
 * Attests every GPU the driver at ctl attached (the handshake with version):
 * expected is the GPU count on PCI, and the RM must list as many. Writes the
 * evidence of each GPU tried; stops at the first failure, naming the GPU.
 * Two GPUs with the same leaf (serial or subject) fail, naming both. With
 * golden (NULL: not compared), each GPU's measurements must match the RIMs
 * it holds for that GPU (init/gpu/rim.h).
 * Each GPU that passed is extended into RTMR3; *measured is false when the
 * kernel offers no register for it.
 */
int gpu_attest_all(const char *ctl, const char *version, bool devtools,
                   const struct gpu_golden *golden, unsigned expected, bool *measured, char *why,
                   size_t why_size);

/* The boot step's part (init/gpu/step.c): gpu_attest_all, a failure through boot_error. */
int gpu_attest_step(struct boot *b, const char *ctl, const char *version,
                    const struct nvrm_cc_state *cc, unsigned gpus);

/* The evidence digest of one GPU: SHA-384(report || chain), as the files hold them. */
void gpu_attest_evidence_digest(const uint8_t *report, size_t report_size, const char *chain,
                                size_t chain_size, uint8_t out[GPU_ATTEST_DIGEST_SIZE]);
/*
 * Extends RTMR3 with the SHA-384 of that event and appends its TCG2 entry to
 * the attestation agent's log (AAEL_PATH), as the agent would. 1 when the
 * kernel has no such register (not a TD, or Linux before 6.16): nothing is
 * logged then.
 */
int gpu_attest_extend_rtmr3(const char *bdf, const uint8_t *digest, char *why, size_t why_size);
