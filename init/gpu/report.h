/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The GPU attestation report as the driver returns it: an SPDM 1.1
 * GET_MEASUREMENTS request followed by the GPU's signed MEASUREMENTS
 * response, with NVIDIA's typed opaque data (init/gpu/attestation.md, 2).
 * The parser only checks structure and points into the caller's buffer; the
 * signature, chain and policy checks are gpu_attest_verify.c's. Outside
 * input: every length is checked before use, and a fuzz target feeds it.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GPU_REPORT_NONCE_SIZE     32
#define GPU_REPORT_SIGNATURE_SIZE 96 /* ECDSA P-384: r || s, big-endian */
#define GPU_REPORT_FWID_SIZE      48 /* SHA-384 */
#define GPU_REPORT_MAX_BLOCKS     255

struct gpu_report_block {
	uint8_t index;
	uint8_t value_type; /* DMTF measurement value type */
	uint16_t value_size;
	const uint8_t *value;
};

struct gpu_report {
	uint8_t spdm_version;          /* 0x11 for SPDM 1.1 */
	const uint8_t *request_nonce;  /* ours, echoed in the signed request */
	const uint8_t *response_nonce; /* the GPU's own */
	unsigned block_count;
	struct gpu_report_block blocks[GPU_REPORT_MAX_BLOCKS];
	const uint8_t *opaque;
	size_t opaque_size;
	const uint8_t *signed_data; /* request and response up to the signature */
	size_t signed_size;
	const uint8_t *signature;
	/* Claims from the opaque data; empty or NULL when the GPU did not send them. */
	char driver_version[64];
	char vbios_version[32]; /* as nvidia-smi prints it: 96.00.9F.00.01 */
	/* The board, as NVIDIA names its VBIOS RIMs: project_projectsku_chipsku (1010_0200_882). */
	char project[16];
	char project_sku[16];
	char chip_sku[16];
	/* NVDEC0 on (0xAA) or fused off (0x55): NVIDIA then skips measurement index 35. */
	bool nvdec0_present;
	uint8_t nvdec0_status;
	const uint8_t *fwid; /* GPU_REPORT_FWID_SIZE bytes */
	/*
	 * Not the report's: the leaf certificate's identity, filled by gpu_attest_verify once the
	 * chain is a GPU's. The serial is NVIDIA's ueid claim; no two GPUs share it or the subject.
	 */
	uint8_t leaf_serial[32]; /* mbedTLS reads serials of up to 32 bytes */
	size_t leaf_serial_size;
	char leaf_subject[256];
	char leaf_chip[16]; /* the leaf's name up to its first space: GH100, GB100 */
	char hwmodel[96];   /* the leaf's issuer's name, "GH100 A01 GSP BROM": NVIDIA's hwmodel */
};

/* The measurement block with SPDM index index (1-based), or NULL. */
const struct gpu_report_block *gpu_report_block(const struct gpu_report *r, unsigned index);

/* Parses report[0..size): 0, or -EBADMSG with the field and byte offset in why. */
int gpu_report_parse(const uint8_t *report, size_t size, struct gpu_report *r, char *why,
                     size_t why_size);
