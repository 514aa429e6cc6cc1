/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccinit's GPU evidence events in the attestation agent's log and the TDX
 * RTMR3 they give (init/gpu/attestation.md, 5; init/README.md, "ccinit's
 * events in the attestation agent's log"): the bytes come from
 * init/base/aael.c, the same code ccinit runs; the hash here is OpenSSL's.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "measurement/tdx.h"

/*
 * Extends rtmr with the event for the GPU at bdf whose evidence digest is
 * digest, as ccinit does; text gets the event's "<domain> <operation>
 * <content>" and entry (GPU_AAEL_ENTRY_MAX bytes) the TCG2 entry ccinit
 * appends to the agent's log. Returns the entry's length, -EINVAL (a bdf the
 * event cannot hold), -ENOSPC (text too small) or the crypto library's error.
 */
#define GPU_AAEL_ENTRY_MAX 320
int gpu_aael_extend(const char *bdf, const uint8_t digest[SHA384_LEN], uint8_t rtmr[SHA384_LEN],
                    char *text, size_t text_size, uint8_t entry[GPU_AAEL_ENTRY_MAX]);
