/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NVIDIA's Reference Integrity Manifests (RIMs) into the golden table
 * (init/base/gpu_golden.h). A RIM is a SWID tag signed with an enveloped
 * XML-DSig whose KeyInfo carries the signer's X.509 chain; libxmlsec1
 * (OpenSSL backend) checks it against a pinned root, and only then are the
 * Meta and the active Measurement resources taken. Which RIM it is (driver
 * or VBIOS, chip or board, version) comes from NVIDIA's file name, checked
 * against the content: the XML alone does not tell a driver RIM from a
 * VBIOS one.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "init/base/gpu_golden.h"

#define GPU_RIM_MAX_SIZE (4u << 20)

/* "NVIDIA CoRIM signing Root CA": nvtrust's verifier_RIM_root.pem, as DER. */
extern const uint8_t gpu_rim_nvidia_root[];
extern const size_t gpu_rim_nvidia_root_size;
#define GPU_RIM_NVIDIA_ROOT_SHA256                                                                 \
	"12977b5115acb0381179279fffeb5a8c4d264971ebb32298023a465fa41df5d1"

struct gpu_rim_root {
	const void *data;
	size_t size;
	bool pem;         /* else DER */
	const char *name; /* for errors: the file it came from */
};

/*
 * The RIM at path, verified against root, into *rim (gpu_rim_free). With
 * accept_expired a chain past its notAfter is verified at the latest
 * notBefore among its certificates and rim->expired set; without, it is
 * refused. 0, -EKEYREJECTED when the signature or its chain fails, or
 * another negative errno, with why naming the file and the field.
 */
int gpu_rim_read(const char *path, const struct gpu_rim_root *root, bool accept_expired,
                 struct gpu_golden_rim *rim, char *why, size_t why_size);

/*
 * The unsigned part alone, for the fuzz target: name as the file's, xml[0..size)
 * parsed and its Meta and measurements taken, no signature looked at.
 */
int gpu_rim_extract(const char *name, const char *xml, size_t size, struct gpu_golden_rim *rim,
                    char *why, size_t why_size);

void gpu_rim_free(struct gpu_golden_rim *rim);
