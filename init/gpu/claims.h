/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the gate established, in the formats the ecosystem already reads
 * (init/gpu/attestation.md, 5): NVIDIA's GPU claims (the attestation SDK's
 * version 3.0 names), and the evidence list CoCo's NVIDIA attester sends.
 */
#pragma once

#include <json-c/json.h>
#include <stdint.h>

#include "init/gpu/report.h"
#include "init/gpu/rim.h"

/*
 * The claims of one GPU whose report, chain and nonce verified; res is NULL
 * when no golden measurements were compared (measres "not-run"). NULL on
 * allocation failure.
 */
struct json_object *gpu_claims_new(const struct gpu_report *rep, const struct gpu_rim_result *res,
                                   const uint8_t nonce[GPU_REPORT_NONCE_SIZE]);

/*
 * One entry of CoCo's device_evidence_list: the architecture NVIDIA's
 * verifiers take (HOPPER, BLACKWELL), the report and the PEM chain in
 * base64, and the nonce in hex. NULL on allocation failure or an unknown chip.
 */
struct json_object *gpu_evidence_entry_new(const struct gpu_report *rep, const uint8_t *report,
                                           size_t report_size, const char *chain, size_t chain_size,
                                           const uint8_t nonce[GPU_REPORT_NONCE_SIZE]);
