/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Golden measurements (init/gpu/attestation.md, 6): each GPU's measurement
 * blocks against the driver RIM and the VBIOS RIM the image carries, by
 * NVIDIA's rule (its verifier's "measres" claim).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "init/base/gpu_golden.h"
#include "init/gpu/report.h"

struct gpu_rim_result {
	const struct gpu_golden_rim *driver; /* the RIMs chosen for this GPU, or NULL */
	const struct gpu_golden_rim *vbios;
	char board[48];      /* project_projectsku_chipsku, lowercase: the VBIOS RIM's key */
	unsigned compared;   /* active golden measurements compared */
	unsigned mismatched; /* of them, how many the GPU's report did not match */
	/* By RIM index: 0 matched or not measured, else 1 + the kind of the RIM it differs from. */
	unsigned char mismatch[GPU_GOLDEN_MAX_INDEX + 1];
};

/*
 * Chooses the driver RIM for the report's chip (the leaf's, rep->leaf_chip)
 * and driver version, and the VBIOS RIM for its board and VBIOS version, and
 * compares every active measurement. 0 when all match; -ENOENT when the
 * image has no RIM for one of them; -EKEYREJECTED when the two RIMs measure
 * one index, the report has fewer blocks than the RIMs measure, or a
 * measurement differs (why names the first: index, RIM, both values).
 * *res is filled in every case, as far as the comparison went.
 */
/* NVIDIA's measres: both RIMs chosen and every measurement compared matched. */
bool gpu_rim_matched(const struct gpu_rim_result *res);

int gpu_rim_compare(const struct gpu_golden *golden, const struct gpu_report *rep,
                    struct gpu_rim_result *res, char *why, size_t why_size);
