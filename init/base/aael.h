/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CoCo attestation agent's event log (AAEL) as the agent writes it
 * (init/README.md, "ccinit's events in the attestation agent's log"): each
 * event is a TCG2 crypto-agile entry of type EV_EVENT_TAG whose event data is
 * a tagged event "AAEL" holding the text "<domain> <operation> <content>".
 * The register is extended with the hash of that event data, so ccinit and
 * ccimage build the bytes here and hash them with their own SHA-384.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Where the agent keeps its log; it appends to what is there. */
#define AAEL_DIR  "/run/attestation-agent"
#define AAEL_PATH AAEL_DIR "/eventlog"

/* CC measurement register index 4 is TDX RTMR3 (the agent's default PCR 17 maps there). */
#define AAEL_MR_RTMR3     4u
#define AAEL_SHA384_SIZE  48u
#define AAEL_ALG_SHA384   0x000cu     /* TPM_ALG_SHA384 */
#define AAEL_EV_EVENT_TAG 0x00000006u /* TCG PC Client PFP: EV_EVENT_TAG */
#define AAEL_TAG_ID       0x4141454cu /* "AAEL" as a little-endian u32 id */

/* ccinit's events: domain and operation, the content is "<pci address> <digest hex>". */
#define AAEL_CCINIT_DOMAIN "github.com/ccinit"
#define AAEL_CCINIT_GPU_OP "gpu-evidence"
/* Tagged-event header (id, size) before the text. */
#define AAEL_TAG_HEADER_SIZE 8u
/* Entry bytes around the event data: index, type, count, algorithm, digest, size. */
#define AAEL_ENTRY_OVERHEAD (4u + 4u + 4u + 2u + AAEL_SHA384_SIZE + 4u)

/*
 * Writes the event data (tagged event) for "<domain> <operation> <content>"
 * into out. Returns its length, -EINVAL where the text breaks the agent's
 * rules (white space or nothing in domain or operation, a line feed or a
 * character that is not printable in content), -ENOSPC if out is too small.
 */
int aael_event_data(const char *domain, const char *operation, const char *content, uint8_t *out,
                    size_t size);

/*
 * Writes one TCG2 log entry for register mr: the header, the one SHA-384
 * digest of data (computed by the caller) and data. Returns its length or
 * -ENOSPC.
 */
int aael_entry(uint32_t mr, const uint8_t *data, size_t data_len,
               const uint8_t digest[AAEL_SHA384_SIZE], uint8_t *out, size_t size);

/*
 * ccinit's event for one GPU's evidence digest (init/gpu/attestation.md, 5):
 * aael_event_data of "github.com/ccinit gpu-evidence <bdf> <digest hex>".
 */
int aael_gpu_event(const char *bdf, const uint8_t digest[AAEL_SHA384_SIZE], uint8_t *out,
                   size_t size);
