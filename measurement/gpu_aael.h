/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ccinit's GPU evidence events in the attestation agent's log and the TDX
 * RTMR3 they give (init/gpu/attestation.md, 5; init/README.md, "ccinit's
 * events in the attestation agent's log"): the bytes come from
 * init/base/aael.c, the same code ccinit runs; the hash here is OpenSSL's.
 * And what of them a build can predict, as reference values
 * (measurement/README.md, 15.4): `ccimage gpu rtmr3 --values` and
 * reference-values.json both take them from here.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

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

/*
 * The reference-value names (RVPS sample payload keys, measurement/README.md,
 * 15.4) a trustee policy queries for ccinit's events among the TDX claims'
 * uefi_event_logs (type_name EV_EVENT_TAG, details.unicode_name "AAEL").
 */
#define GPU_AAEL_RV_DOMAIN    "ccinit_aael_domain"
#define GPU_AAEL_RV_OPERATION "ccinit_gpu_aael_operation"
#define GPU_AAEL_RV_COUNT     "ccinit_gpu_aael_count"

/* Whether the guest kernel has the TSM measurement register file (CONFIG_TSM_MEASUREMENTS). */
enum gpu_aael_rtmr { GPU_AAEL_RTMR_UNKNOWN, GPU_AAEL_RTMR_NO, GPU_AAEL_RTMR_YES };

struct gpu_aael_expect {
	int count;     /* events ccinit logs in a TD that booted; -1: the line does not pin it */
	char why[256]; /* why count is 0 or -1; empty when it is the pinned GPU count */
};

/*
 * What ccinit logs in a TD booted with the measured command line cmdline on
 * a kernel with or without the register file (init/gpu/attestation.md, 5):
 * one event per GPU when the GPUs-ready state is asked for
 * (ccinit.gpu.ready=1 or nvrc.smi.srs=1), attestation is on
 * (ccinit.gpu.attest=local, the default), CC is on (ccinit.gpu.cc on or
 * devtools, or unset: a TD means on) and the register file is there; the
 * number only when ccinit.gpu.count=N pins it (a boot with another number
 * fails). Reads the few knobs it needs as config.c does (a knob given twice
 * fails the boot: -1).
 */
void gpu_aael_expect(const char *cmdline, enum gpu_aael_rtmr rtmr, struct gpu_aael_expect *e);

/*
 * The reference values for count events (count < 0: without the count): the
 * domain and operation init/base/aael.c writes, and the count. NULL on no memory.
 */
json_object *gpu_aael_values(int count);

/*
 * The same values added to an RVPS message, for a policy's `==` (scalars):
 * rvps-gpu.json registers them with the driver version. 0 or rvps_add_*'s error.
 */
struct rvps_msg;
int gpu_aael_rvps_add(struct rvps_msg *m, int count);
